import assert from "node:assert/strict";
import { join } from "node:path";
import { WorkerPool } from "../../engine/pool.ts";
import { prestartScanWorker, startScanWorker } from "../../engine/sandbox.ts";
import { targetBesideSecret } from "./_sandbox_layout.ts";

const PROBE = new URL("./_sandbox_probe.ts", import.meta.url);

/** What the probe worker could do from inside the pool's sandbox, reading `target` and `outside`. */
async function probeThroughPool(readRoots: string[], target: string, outside: string) {
  const pool = new WorkerPool({ size: 1, readRoots, workerUrl: PROBE });
  try {
    const probe = `probe|${outside}|${join(readRoots[0], "written.txt")}|1`;
    const outcome = await pool.run({ path: probe, realPath: target, blacklist: [] }, 10_000);
    return JSON.parse(outcome.error!);
  } finally {
    pool.close();
  }
}

Deno.test("the pool takes the early worker only when its roots are exactly the scan's", async () => {
  const { dir, targets, target, outside } = await targetBesideSecret();
  try {
    // Started for the whole folder (as if a CLI option's value had been taken for a target): turned down,
    // so the scan's worker cannot read what lies beside its targets.
    prestartScanWorker([dir], PROBE);
    const wider = await probeThroughPool([targets], target, outside);
    assert.equal(wider.readTarget, "allowed");
    assert.equal(wider.readOutside, "denied");

    // Started for the scan's own roots, in another order and with a repeat: taken, and just as narrow.
    prestartScanWorker([targets, targets], PROBE);
    const early = await probeThroughPool([targets], target, outside);
    assert.equal(early.readTarget, "allowed");
    assert.equal(early.readOutside, "denied");
    assert.equal(early.write, "denied");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an early worker is taken once, and only with its own roots and module", async () => {
  const roots = [await Deno.realPath("fixtures/pickle/benign")];
  const workers: Worker[] = [];
  try {
    const early = prestartScanWorker(roots, PROBE)!;
    workers.push(early);
    assert.equal(prestartScanWorker(roots, PROBE), undefined, "one early worker at a time");
    const taken = startScanWorker([...roots], PROBE);
    workers.push(taken);
    assert.equal(taken, early);
    const next = startScanWorker(roots, PROBE);
    workers.push(next);
    assert.notEqual(next, early, "taken once");

    const other = prestartScanWorker(roots, PROBE)!;
    workers.push(other);
    const forOtherModule = startScanWorker(roots);
    workers.push(forOtherModule);
    assert.notEqual(forOtherModule, other);
    // Turned down and stopped: the next request does not find it either.
    const afterwards = startScanWorker(roots, PROBE);
    workers.push(afterwards);
    assert.notEqual(afterwards, other);
  } finally {
    for (const worker of workers) worker.terminate();
  }
});
