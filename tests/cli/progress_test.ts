/** The progress line: shown on a terminal once a scan is long, redrawn in place, throttled, erased. */

import assert from "node:assert/strict";
import { ProgressLine, REDRAW_MS, SHOW_AFTER_MS } from "../../cli/progress.ts";
import type { FileResult } from "../../core/types.ts";
import type { CliOutput } from "../../cli/run.ts";
import { runCli } from "../../cli/run.ts";
import { EVIL_PICKLE, modelsDir, removeTempDirs } from "../_cli_helpers.ts";

const ERASE = "\r\x1b[2K";

function file(path: string, size: number): FileResult {
  return { path, size, format: "pickle", status: "scanned", findings: [], bytesScanned: size, durationMs: 1 };
}

Deno.test("nothing before the scan has run for a while; then one line redrawn at most every REDRAW_MS; erased at the end", () => {
  let clock = 0;
  const writes: string[] = [];
  const line = new ProgressLine((text) => writes.push(text), () => clock, 60);
  line.update({ type: "start", total: 4 });
  clock = SHOW_AFTER_MS - 1;
  line.update({ type: "file", done: 1, total: 4, result: file("a.pkl", 1024) });
  assert.deepEqual(writes, [], "a short scan shows nothing");
  clock = SHOW_AFTER_MS;
  line.update({ type: "file", done: 2, total: 4, result: file("b.pkl", 1024) });
  clock += REDRAW_MS - 1;
  line.update({ type: "file", done: 3, total: 4, result: file("c.pkl", 1024) });
  assert.deepEqual(writes, [`${ERASE}[2/4] 2.0 KiB · 500 ms · b.pkl`], "throttled");
  clock += 1;
  line.update({ type: "file", done: 4, total: 4, result: file(`models/${"x".repeat(80)}.pkl`, 1024) });
  assert.equal(writes.length, 2);
  // (assert.deepEqual narrowed the array's type to what it compared.)
  const redrawn = writes[1] as string;
  assert.equal(redrawn.length, ERASE.length + 59, "cut to the terminal's width");
  assert.ok(redrawn.startsWith(`${ERASE}[4/4] 4.0 KiB · 600 ms · models/xxx`) && redrawn.endsWith("…"));
  line.finish();
  line.finish();
  assert.deepEqual(writes.slice(2), [ERASE], "erased once");
});

Deno.test("a file name cannot write escape sequences to the terminal", () => {
  let clock = 0;
  const writes: string[] = [];
  const line = new ProgressLine((text) => writes.push(text), () => clock, 200);
  clock = SHOW_AFTER_MS;
  line.update({ type: "file", done: 1, total: 1, result: file("evil\x1b[2J.pkl", 1) });
  assert.ok(!writes[0].slice(ERASE.length).includes("\x1b"));
});

/** A stream that says it is a terminal, and keeps what is written to it. */
class Terminal implements CliOutput {
  text = "";
  write(bytes: Uint8Array): Promise<number> {
    this.text += new TextDecoder().decode(bytes);
    return Promise.resolve(bytes.length);
  }
  isTerminal(): boolean {
    return true;
  }
}

Deno.test("the CLI draws on a terminal only: never with --quiet, and nothing is left behind", async () => {
  const dir = await modelsDir({ "evil.pkl": EVIL_PICKLE });
  for (const args of [["scan", dir], ["scan", "-q", dir]]) {
    const stdout = new Terminal();
    const stderr = new Terminal();
    const code = await runCli(args, { stdout, stderr, env: () => undefined, noColor: true });
    assert.equal(code, 1);
    // A quick scan draws nothing; had it drawn, the last thing written would be the erasure.
    assert.ok(stderr.text === "" || stderr.text.endsWith(ERASE), JSON.stringify(stderr.text));
    assert.ok(!stdout.text.includes("\r") && !stdout.text.includes(ERASE));
  }
});

Deno.test("progress tests remove their directories", () => {
  for (const dir of removeTempDirs()) assert.throws(() => Deno.statSync(dir), Deno.errors.NotFound);
});
