import assert from "node:assert/strict";
import { join } from "node:path";
import { WorkerPool } from "../../engine/pool.ts";
import { targetBesideSecret } from "./_sandbox_layout.ts";

const PROBE = new URL("./_sandbox_probe.ts", import.meta.url);

function task(path: string, realPath = "/nonexistent") {
  return { path, realPath, blacklist: [] };
}

Deno.test("a scan worker can read its targets and its own code, nothing else: no write, socket, spawn, env or import", async () => {
  const { dir, targets, target, outside } = await targetBesideSecret();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pool = new WorkerPool({ size: 1, readRoots: [targets], workerUrl: PROBE });
  try {
    const probe = `probe|${outside}|${join(targets, "written.txt")}|${listener.addr.port}`;
    const outcome = await pool.run(task(probe, target), 10_000);
    assert.deepEqual(JSON.parse(outcome.error!), {
      readTarget: "allowed",
      readOutside: "denied",
      readOwnCode: "allowed",
      readProject: "denied",
      readTests: "denied",
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
    assert.deepEqual(await pool.run(task("ok"), 10_000), { format: "probe", findings: [], bytesScanned: 0 });
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

Deno.test("files queued together go out in batches shared between the workers", async () => {
  const pool = new WorkerPool({ size: 2, readRoots: [], workerUrl: PROBE });
  try {
    const few = await Promise.all(Array.from({ length: 7 }, () => pool.run(task("batch"), 10_000)));
    assert.deepEqual(few.map((o) => o.error).sort(), [
      ...Array(3).fill("batch of 3"),
      ...Array(4).fill("batch of 4"),
    ]);
    const many = await Promise.all(Array.from({ length: 300 }, () => pool.run(task("batch"), 10_000)));
    const sizes = many.map((o) => Number(o.error!.slice("batch of ".length)));
    assert.equal(Math.max(...sizes), 64, "a batch holds at most 64 files");
    // Each file reports its batch's size: the batches of 64 account for 256 of the 300 files.
    assert.equal(sizes.filter((size) => size === 64).length, 256);
    const large = { ...task("batch"), size: 2 * 1024 * 1024 };
    const alone = await Promise.all([pool.run(large, 10_000), pool.run(large, 10_000)]);
    assert.deepEqual(alone.map((o) => o.error), ["batch of 1", "batch of 1"], "a large file goes alone");
  } finally {
    pool.close();
  }
});

Deno.test("in a batch, a file that hangs or throws fails alone; the others are scanned", async () => {
  const pool = new WorkerPool({ size: 1, readRoots: [], workerUrl: PROBE });
  try {
    const outcomes = await Promise.all(
      ["ok", "hang", "ok", "throw", "ok"].map((mode) => pool.run(task(mode), 300)),
    );
    assert.deepEqual(outcomes.map((o) => o.error?.replace(/: .*/, "") ?? o.format), [
      "probe",
      "timed out after 0.3 s",
      "probe",
      "scanner crashed",
      "probe",
    ]);
  } finally {
    pool.close();
  }
});

Deno.test("a file still waiting when the scan's time runs out is not started", async () => {
  const pool = new WorkerPool({ size: 1, readRoots: [], workerUrl: PROBE });
  try {
    const [hung, waiting] = await Promise.all([
      pool.run(task("hang"), 200),
      pool.run(task("ok"), 10_000, Date.now() + 100),
    ]);
    assert.equal(hung.error, "timed out after 0.2 s");
    assert.equal(waiting.error, "the scan's time budget ran out before this file");
  } finally {
    pool.close();
  }
});
