/**
 * What format detection promises a scanner's descriptor: how much of a file's
 * head its `detect` sees, and where in the order of formats it is tried. Kept
 * apart from the contract's types in `scanner.ts`, which are erased at run
 * time, so that a scan worker loads only these few values.
 *
 * @module
 */

/**
 * Bytes of a file's head handed to `Scanner.detect`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { HEAD_BYTES } from "./detection.ts";
 * assert.equal(HEAD_BYTES, 64 * 1024);
 * ```
 */
export const HEAD_BYTES = 64 * 1024;

/**
 * Detection priorities, highest tried first: a format whose content can also pass
 * another format's detection must rank above it (a legacy torch stream is a pickle
 * whose first object is torch's magic number). Formats that share a priority must
 * exclude each other by content; between them the id decides, so the order is stable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRIORITY } from "./detection.ts";
 * assert.ok(PRIORITY.archive > PRIORITY.generic); // a zip decides before a pickle guess
 * ```
 */
export const PRIORITY = {
  /** Archives with a signature at offset 0 and a structure a loader checks. */
  archive: 400,
  /** Compressed streams recognised by their magic bytes alone. */
  compressedMagic: 310,
  /** Compressed streams whose few header bytes need a trial decode to convince. */
  compressedTrial: 300,
  /** Model formats with their own magic inside a more generic format. */
  model: 200,
  /** Formats recognised by structure whose first bytes much else shares (pickle). */
  generic: 100,
  /** Text formats: claimed by name plus a successful parse, only when no content matched. */
  text: 0,
  /**
   * Configuration text (YAML, JSON, TOML, INI, XML): claimed by name and text content, after the
   * text formats that take some of the same names (a `tokenizer_config.json` with a chat template).
   */
  config: -10,
} as const;
