import assert from "node:assert/strict";
import { join } from "node:path";
import { WorkerPool } from "../../engine/pool.ts";

const PROBE = new URL("./_sandbox_probe.ts", import.meta.url);

function task(path: string, realPath = "/nonexistent") {
  return { path, realPath, blacklist: [] };
}

Deno.test("a scan worker can read its targets and nothing else: no write, socket, spawn, env or import", async () => {
  const dir = await Deno.makeTempDir();
  const targets = join(dir, "targets");
  await Deno.mkdir(targets);
  const target = join(targets, "model.pkl");
  await Deno.writeTextFile(target, "N.");
  const outside = join(dir, "secret.txt");
  await Deno.writeTextFile(outside, "secret");
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pool = new WorkerPool({ size: 1, readRoots: [targets], workerUrl: PROBE });
  try {
    const probe = `probe|${outside}|${join(targets, "written.txt")}|${listener.addr.port}`;
    const outcome = await pool.run(task(probe, target), 10_000);
    assert.deepEqual(JSON.parse(outcome.error!), {
      readTarget: "allowed",
      readOutside: "denied",
      write: "denied",
      connect: "denied",
      spawn: "denied",
      env: "denied",
      remoteImport: "denied",
    });
    await assert.rejects(Deno.stat(join(targets, "written.txt")), Deno.errors.NotFound);
  } finally {
    pool.close();
    listener.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a worker that throws or hangs yields a scan error, and the pool goes on", async () => {
  const pool = new WorkerPool({ size: 1, readRoots: [], workerUrl: PROBE });
  try {
    const crashed = await pool.run(task("throw"), 10_000);
    assert.match(crashed.error!, /^scanner crashed: .*probe exploded/);
    const hung = await pool.run(task("hang"), 300);
    assert.equal(hung.error, "timed out after 0.3 s");
    assert.deepEqual(await pool.run(task("ok"), 10_000), { format: "probe", findings: [] });
  } finally {
    pool.close();
  }
});

Deno.test("the pool runs at most `size` files at once and scans them all", async () => {
  const pool = new WorkerPool({ size: 2, readRoots: [], workerUrl: PROBE });
  try {
    const outcomes = await Promise.all(Array.from({ length: 7 }, () => pool.run(task("ok"), 10_000)));
    assert.equal(outcomes.filter((o) => o.format === "probe").length, 7);
  } finally {
    pool.close();
  }
});
