/**
 * The one error that means "the input is corrupt": a decoder that meets bytes it
 * cannot decode throws a {@linkcode DecodeError}, and the engine reports it as a
 * finding (MA209). Any other exception out of a decoder or a scanner is a bug or an
 * I/O failure: the file becomes a scan error, with its stack kept for `--verbose`.
 *
 * @module
 */

/**
 * Corrupt or truncated input met while decoding, named after the format whose
 * decoder met it: its message reads `gzip: truncated: ...`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DecodeError } from "./decode_error.ts";
 * const error = new DecodeError("bzip2", "the stream's combined CRC does not match");
 * assert.equal(error.message, "bzip2: the stream's combined CRC does not match");
 * assert.ok(error instanceof DecodeError);
 * ```
 */
export class DecodeError extends Error {
  /** Always `DecodeError`. */
  override name = "DecodeError";
  /** The format whose decoder met the corrupt input, e.g. `gzip`. */
  readonly format: string;
  /** What is wrong with the input, without the format's name. */
  readonly reason: string;

  /**
   * An error for corrupt input met while decoding `format`.
   *
   * @param format The format whose decoder met the corrupt input, e.g. `gzip`.
   * @param reason What is wrong with the input.
   * @param options `cause`: the decoder library's own error, when it raised one.
   */
  constructor(format: string, reason: string, options?: ErrorOptions) {
    super(`${format}: ${reason}`, options);
    this.format = format;
    this.reason = reason;
  }
}
