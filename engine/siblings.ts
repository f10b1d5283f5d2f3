/**
 * Sibling access: how a scanner opens a file beside the one it scans (an ONNX
 * model's external data, the code a `config.json` names) without leaving the
 * sandbox. A reference is refused before anything is read when it is absolute,
 * climbs with `..`, or resolves (through symbolic links) outside the scanned
 * root; the worker's permissions would refuse the read anyway, this refuses it
 * with a reason a finding can give.
 *
 * @module
 */

import type { FindingReport, SiblingResult } from "../core/scanner.ts";
import { type FileSource, openFileSource } from "./file_source.ts";
import { dirnamePath, isInside, joinPath } from "./paths.ts";

/** Where sibling references of one file (or of a directory unit's plan) are resolved. */
export interface SiblingScope {
  /** Real path of the directory references start from. */
  directory: string;
  /** Display path of that directory, for the sibling's path in results. */
  displayDirectory: string;
  /** Real path of the scanned root (a named directory, or a named file): nothing outside it is opened. */
  root: string;
}

/** What opens siblings for a context: a {@linkcode Siblings}, or a stand-in in tests. */
export interface SiblingOpener {
  /** Opens `reference`, relative to the scope's directory, or says why not. */
  open(reference: string): Promise<SiblingResult>;
}

/**
 * Opens `reference` through `siblings`, and reports a reference leading out of the
 * scanned root (MA010) through `report`, so that no scanner can forget to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openSiblingReported, Siblings } from "./siblings.ts";
 * using siblings = new Siblings({ directory: "/m", displayDirectory: "models", root: "/m" });
 * const rules: string[] = [];
 * const result = await openSiblingReported(siblings, "../secret", (finding) => rules.push(finding.rule));
 * assert.equal(result.ok, false);
 * assert.deepEqual(rules, ["MA010"]);
 * ```
 */
export async function openSiblingReported(
  siblings: SiblingOpener,
  reference: string,
  report: (finding: FindingReport) => void,
): Promise<SiblingResult> {
  const result = await siblings.open(reference);
  if (!result.ok && result.escape) {
    report({
      rule: "MA010",
      message: `Refers to ${
        JSON.stringify(reference)
      }, which leads outside the scanned folder (${result.reason}); it was not read`,
      details: { reference, reason: result.reason },
    });
  }
  return result;
}

/**
 * The scope of a file on disk: references start from its own directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { fileScope } from "./siblings.ts";
 * assert.equal(fileScope("/m/onnx/model.onnx", "models/onnx/model.onnx", "/m").directory, "/m/onnx");
 * ```
 */
export function fileScope(realPath: string, path: string, root: string): SiblingScope {
  return { directory: dirnamePath(realPath), displayDirectory: dirnamePath(path), root };
}

/**
 * Why `reference` cannot name a sibling whatever the files are, or `undefined`: an
 * absolute path, a drive letter, a `..` segment (even one that climbs back), a NUL, or nothing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { referenceProblem } from "./siblings.ts";
 * assert.equal(referenceProblem("weights/model.bin"), undefined);
 * assert.equal(referenceProblem("../secret"), "it climbs out of the folder with `..`");
 * ```
 */
export function referenceProblem(reference: string): string | undefined {
  if (reference.length === 0) return "it is empty";
  if (reference.includes("\0")) return "it contains a NUL character";
  if (/^[/\\]/.test(reference)) return "it is an absolute path";
  if (/^[A-Za-z]:/.test(reference)) return "it starts with a drive letter";
  if (reference.split(/[/\\]/).includes("..")) return "it climbs out of the folder with `..`";
  return undefined;
}

/**
 * The opener of a source without siblings (an archive member, a payload, bytes): nothing is
 * opened, but a reference that can never name a sibling (absolute, a drive, `..`) is still
 * refused as an escape, so that a model inside an archive is judged as it would be on disk.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { NO_SIBLINGS } from "./siblings.ts";
 * const absolute = await NO_SIBLINGS.open("/etc/shadow");
 * assert.equal(absolute.ok, false);
 * assert.ok(!absolute.ok && absolute.escape); // refused as an escape, as on disk
 * const plain = await NO_SIBLINGS.open("weights.bin");
 * assert.ok(!plain.ok && !plain.escape); // a plain name: just not there
 * ```
 */
export const NO_SIBLINGS: SiblingOpener = {
  open(reference) {
    const problem = referenceProblem(reference);
    return Promise.resolve(
      problem
        ? { ok: false, escape: true, reason: problem }
        : { ok: false, escape: false, reason: "only a file on disk has siblings" },
    );
  },
};

/**
 * Opens siblings in one {@linkcode SiblingScope}, and closes every one it opened
 * when disposed (once the scan that asked for them is over).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Siblings } from "./siblings.ts";
 * // Needs read permission for the folder: here, this repository's pickle fixtures.
 * const folder = await Deno.realPath("fixtures/pickle");
 * using siblings = new Siblings({ directory: folder, displayDirectory: "pickle", root: folder });
 * const result = await siblings.open("benign/numpy_arrays_p4.pkl");
 * assert.equal(result.ok && result.path, "pickle/benign/numpy_arrays_p4.pkl");
 * assert.equal((await siblings.open("missing.onnx.data")).ok, false);
 * ```
 */
export class Siblings implements SiblingOpener, Disposable {
  readonly #scope: SiblingScope;
  readonly #opened: FileSource[] = [];

  constructor(scope: SiblingScope) {
    this.#scope = scope;
  }

  /** Opens `reference`, relative to the scope's directory, or says why not. */
  async open(reference: string): Promise<SiblingResult> {
    const problem = referenceProblem(reference);
    if (problem) return { ok: false, escape: true, reason: problem };
    const { directory, displayDirectory, root } = this.#scope;
    const segments = reference.split(/[/\\]/).filter((segment) => segment !== "" && segment !== ".");
    const wanted = joinPath(directory, ...segments);
    // Only a named file is its own root: its siblings were not named, which is no attack.
    if (!isInside(wanted, root)) {
      return { ok: false, escape: false, reason: "it is outside the scanned paths (scan its folder)" };
    }
    let real: string;
    try {
      real = await Deno.realPath(wanted);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return { ok: false, escape: false, reason: "no such file" };
      if (error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied) {
        return { ok: false, escape: true, reason: "the sandbox refuses to resolve it" };
      }
      throw error;
    }
    if (!isInside(real, root)) {
      return {
        ok: false,
        escape: true,
        reason: `it is a symbolic link to ${real}, outside the scanned root`,
      };
    }
    if (!(await Deno.stat(real)).isFile) return { ok: false, escape: false, reason: "not a regular file" };
    const source = openFileSource(real);
    this.#opened.push(source);
    return {
      ok: true,
      source,
      path: [displayDirectory, ...segments].join("/"),
      throughLink: real !== wanted,
    };
  }

  /** Closes every sibling opened. */
  [Symbol.dispose](): void {
    for (const source of this.#opened.splice(0)) source.close();
  }
}
