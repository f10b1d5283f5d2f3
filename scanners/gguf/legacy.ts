/**
 * GGUF's predecessors, as llama.cpp's loader read them before GGUF replaced it (August 2023):
 * a little-endian magic (`ggml` unversioned, `ggmf` version 1, `ggjt` versions 1 to 3, `ggla`
 * LoRA adapters version 1), seven llama hyper-parameters (`n_vocab, n_embd, n_mult, n_head,
 * n_layer, n_rot, ftype` as int32), then `n_vocab` tokens (a u32 length, the bytes, and from
 * `ggmf` on an f32 score), then tensor records.
 *
 * The header and vocabulary of `ggmf` and `ggjt` files are validated (every length against the
 * remaining bytes); an unversioned `ggml` file's layout depends on the model family that wrote
 * it (llama, whisper, gpt-2 each had their own hyper-parameters), so it is only recognised.
 * Tensor records are not validated. The file is always reported as a legacy format (MA346).
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { FindingReport } from "../../core/scanner.ts";
import { HeaderCursor } from "./cursor.ts";
import { legacyMagic } from "./magic.ts";
import { DEFAULT_GGUF_OPTIONS, type GgufOptions } from "../option_catalog.ts";

/** The versions each versioned magic had. */
const VERSIONS: Readonly<Record<string, readonly number[]>> = { ggmf: [1], ggjt: [1, 2, 3], ggla: [1] };

const LLAMA_HPARAMS = ["n_vocab", "n_embd", "n_mult", "n_head", "n_layer", "n_rot", "ftype"] as const;

/** How often (in tokens) the vocabulary loop checks whether the scan's time is up. */
const ABORT_CHECK_INTERVAL = 4096;

/** What the legacy reader hands back. */
export interface LegacyHandlers {
  /** A finding about the file. */
  report(finding: FindingReport): void;
  /** A vocabulary token, with its index and the offset of its first byte. */
  token(text: string, index: number, position: number): void;
  /** Aborted when the scan's time is up. */
  readonly signal: AbortSignal;
}

/**
 * Validates a legacy GGML-family file's header and vocabulary, and reports it as a legacy format;
 * tokens over `options.maxLegacyTokenBytes` are stepped over unread.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { readLegacyGgml } from "./legacy.ts";
 * const rulesOf = async (path: string) => {
 *   const rules: string[] = [];
 *   const tokens: string[] = [];
 *   await readLegacyGgml(bytesSource(await Deno.readFile(path)), {
 *     report: (finding) => rules.push(finding.rule),
 *     token: (text) => tokens.push(text),
 *     signal: new AbortController().signal,
 *   });
 *   return { rules, tokens: tokens.length };
 * };
 * // An old llama.cpp ggjt v3 file: its vocabulary is read, and it is reported as a legacy format.
 * assert.deepEqual(await rulesOf("fixtures/gguf/benign/llama_ggjt_v3.bin"), { rules: ["MA346"], tokens: 4 });
 * // A ggjt version that never existed.
 * assert.deepEqual(await rulesOf("fixtures/gguf/malicious/ggjt_bad_version.bin"), {
 *   rules: ["MA347", "MA346"],
 *   tokens: 0,
 * });
 * ```
 */
export async function readLegacyGgml(
  source: ByteSource,
  handlers: LegacyHandlers,
  options: Readonly<GgufOptions> = DEFAULT_GGUF_OPTIONS,
): Promise<void> {
  const magic = legacyMagic(await source.read(0, 4))!;
  const cursor = new HeaderCursor(source, 4);
  const summary: Record<string, unknown> = { magic };
  const malformed = (message: string, position: number, details: Record<string, unknown> = {}) =>
    handlers.report({ rule: "MA347", message, position, details: { magic, ...details } });
  try {
    if (magic === "ggml") return;
    const version = await cursor.u32();
    if (version === undefined) return malformed("The file ends before its version", 4);
    summary.version = version;
    if (!VERSIONS[magic].includes(version)) {
      return malformed(
        `A ${magic} file of version ${version}: only ${VERSIONS[magic].join(", ")} existed`,
        4,
        {
          version,
        },
      );
    }
    if (magic === "ggla") return;
    const hparams: Record<string, number> = {};
    for (const name of LLAMA_HPARAMS) {
      const at = cursor.position;
      const value = await cursor.i32();
      if (value === undefined) return malformed(`The file ends inside its hyper-parameters (${name})`, at);
      if (value < 0) {
        return malformed(`The hyper-parameter ${name} is negative (${value})`, at, { [name]: value });
      }
      hparams[name] = value;
    }
    summary.hparams = hparams;
    await readVocabulary(cursor, hparams.n_vocab, magic, handlers, options.maxLegacyTokenBytes);
  } finally {
    handlers.report({
      rule: "MA346",
      message: `A legacy ${magic} file (GGUF's predecessor): ${
        magic === "ggml" || magic === "ggla"
          ? "recognised; its layout depends on the program that wrote it, and it is not validated"
          : "its header and vocabulary are checked, its tensors are not"
      }`,
      position: 0,
      details: summary,
    });
  }
}

async function readVocabulary(
  cursor: HeaderCursor,
  count: number,
  magic: string,
  handlers: LegacyHandlers,
  maxTokenBytes: number,
): Promise<void> {
  const scored = magic !== "ggml";
  const least = 4 + (scored ? 4 : 0);
  const countAt = 8;
  if (count * least > cursor.remaining) {
    handlers.report({
      rule: "MA340",
      message: `n_vocab is ${count}, but the ${cursor.remaining} bytes left hold at most ${
        Math.floor(cursor.remaining / least)
      } tokens`,
      position: countAt,
      details: { field: "n_vocab", declared: count, remaining: cursor.remaining },
    });
    return;
  }
  for (let index = 0; index < count; index++) {
    if (index % ABORT_CHECK_INTERVAL === 0) handlers.signal.throwIfAborted();
    const lengthAt = cursor.position;
    const length = await cursor.u32();
    if (length === undefined || length > cursor.remaining) {
      handlers.report({
        rule: "MA340",
        message: `Token ${index}'s length is ${
          length ?? "missing"
        }, but only ${cursor.remaining} bytes remain`,
        position: lengthAt,
        details: { field: "token length", index, declared: length ?? null, remaining: cursor.remaining },
      });
      return;
    }
    const position = cursor.position;
    if (length > maxTokenBytes) {
      handlers.report({
        rule: "MA347",
        message: `Token ${index} is ${length} bytes long; no vocabulary has such tokens`,
        position: lengthAt,
        details: { magic, index, length },
      });
    }
    const text = length > maxTokenBytes ? (cursor.skip(length) ? "" : undefined) : await cursor.text(length);
    if (text === undefined || (scored && !cursor.skip(4))) {
      handlers.report({
        rule: "MA347",
        message: `The file ends inside token ${index}`,
        position,
        details: { magic, index },
      });
      return;
    }
    handlers.token(text, index, position);
  }
}
