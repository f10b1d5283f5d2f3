/**
 * The progress line a long scan shows on a terminal's stderr: files done of the total, the bytes of the
 * files done, the last file finished and the time so far, redrawn in place at most every
 * {@linkcode REDRAW_MS} and erased when the scan ends, so nothing of it stays on the screen or reaches
 * a pipe or a report. It appears only once the scan has run for {@linkcode SHOW_AFTER_MS}: a pre-commit
 * hook's quick scan never flickers.
 *
 * @module
 */

import type { ScanProgress } from "../engine/scan.ts";
import { formatBytes, formatDuration } from "../report/summary.ts";
import { escapeTerminal } from "../report/text.ts";

/** A scan shorter than this shows no progress line. */
export const SHOW_AFTER_MS = 500;
/** The line is redrawn at most this often. */
export const REDRAW_MS = 100;

/** Erase the line, cursor to its start. */
const ERASE = "\r\x1b[2K";

/**
 * Draws and erases the progress line. `write` takes text for stderr; `now` is the clock in
 * milliseconds; `columns` the terminal's width, to which the line is cut.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ProgressLine } from "./progress.ts";
 * let clock = 0;
 * let screen = "";
 * const line = new ProgressLine((text) => (screen += text), () => clock, 80);
 * line.update({ type: "start", total: 2 });
 * clock = 600;
 * line.update({
 *   type: "file", done: 1, total: 2,
 *   result: { path: "a.pkl", size: 2048, format: "pickle", status: "scanned", findings: [], bytesScanned: 2048, durationMs: 5 },
 * });
 * assert.equal(screen, "\r\x1b[2K[1/2] 2.0 KiB · 600 ms · a.pkl");
 * line.finish();
 * assert.ok(screen.endsWith("\r\x1b[2K"));
 * ```
 */
export class ProgressLine {
  readonly #write: (text: string) => void;
  readonly #now: () => number;
  readonly #columns: number;
  readonly #started: number;
  #bytes = 0;
  #drawnAt = -Infinity;
  #shown = false;

  constructor(write: (text: string) => void, now: () => number, columns: number) {
    this.#write = write;
    this.#now = now;
    this.#columns = Math.max(20, columns);
    this.#started = now();
  }

  /** Takes one of the scan's progress events; redraws when it is time. */
  update(event: ScanProgress): void {
    if (event.type === "start") return;
    this.#bytes += event.result.size;
    const now = this.#now();
    const elapsed = now - this.#started;
    if (elapsed < SHOW_AFTER_MS || (now - this.#drawnAt < REDRAW_MS && event.done < event.total)) return;
    this.#drawnAt = now;
    this.#shown = true;
    const line = `[${event.done}/${event.total}] ${formatBytes(this.#bytes)} · ${formatDuration(elapsed)} · ${
      escapeTerminal(event.result.path)
    }`;
    this.#write(ERASE + (line.length > this.#columns - 1 ? `${line.slice(0, this.#columns - 2)}…` : line));
  }

  /** Erases the line, if it was ever drawn. */
  finish(): void {
    if (this.#shown) this.#write(ERASE);
    this.#shown = false;
  }
}
