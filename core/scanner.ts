/**
 * The contract between the engine and the format scanners. A scanner declares
 * how to recognise its format and how to scan it; the engine knows no format.
 *
 * @module
 */

import type { ByteSource } from "./byte_source.ts";
import type { RuleId } from "./rules.ts";
import type { FindingDetails, Severity } from "./types.ts";

/** Bytes of a file's head handed to `Scanner.detect`. */
export const HEAD_BYTES = 64 * 1024;

/**
 * What a scanner reports; the context adds the file and the members it is nested in
 * (the structured `Location` of `types.ts`) and the catalog's default severity.
 */
export interface FindingReport {
  /** Rule id from the catalog; a mistyped one does not type-check. */
  rule: RuleId;
  /** One sentence a user understands. */
  message: string;
  /**
   * A member of the scanned container the finding is about (its name as stored): the
   * location then names it, `outer.zip:evil/../name`, without the member being scanned.
   */
  member?: string;
  /** Byte offset inside the scanned source (or inside `member`), shown as `(pos N)`. */
  position?: number;
  /** Line, from 1, inside the scanned text (or inside `member`). */
  line?: number;
  /** Column, from 1, on `line`. */
  column?: number;
  /** Path of keys inside a structured document, e.g. `$.aws.secret`. */
  keyPath?: string;
  /** Overrides the rule's default severity. */
  severity?: Severity;
  /** Machine-readable facts behind the message. */
  details?: FindingDetails;
}

/** Options for {@linkcode ScanContext.scanNested}. */
export interface NestedScanOptions {
  /**
   * Only report findings of security rules: a payload scanned on a guess (bytes
   * that merely start like a pickle) must not produce malformed-stream noise.
   */
  opportunistic?: boolean;
}

/**
 * The bytes of a container member as the container holds them.
 *
 * @example
 * ```ts
 * import { bytesSource } from "./byte_source.ts";
 * import type { MemberContent } from "./scanner.ts";
 * const stored: MemberContent = { kind: "stored", source: bytesSource(new Uint8Array([0x80, 4, 0x4e, 0x2e])) };
 * ```
 */
export type MemberContent =
  /** Stored as is: a byte-range view of the container, never copied. */
  | { kind: "stored"; source: ByteSource }
  /** Compressed: the engine decodes it on demand, within its limits. */
  | {
    kind: "encoded";
    /** Compressed bytes the member takes in the container, for the compression ratio. */
    encodedSize: number;
    /** Decoded size the container declares, if it declares one (zip does, gzip does not). */
    declaredSize?: number;
    /**
     * Opens a new stream of the decoded bytes from the start. The engine may call it again to
     * read an earlier part, and cancels streams it no longer needs. A stream that meets corrupt data
     * errors with a `DecodeError` (`core/decode_error.ts`), reported as MA209; any other error is a
     * bug or an I/O failure, and makes the file a scan error.
     */
    decode(signal: AbortSignal): ReadableStream<Uint8Array>;
  };

/**
 * One member of a container (an archive entry, the content of a compressed
 * file), handed to the engine with {@linkcode ScanContext.scanMember}.
 *
 * @example
 * ```ts
 * import { bytesSource } from "./byte_source.ts";
 * import type { ContainerMember } from "./scanner.ts";
 * const member: ContainerMember = {
 *   name: "archive/data.pkl",
 *   content: { kind: "stored", source: bytesSource(new Uint8Array([0x80, 2, 0x4e, 0x2e])) },
 *   loadAs: "pickle",
 * };
 * ```
 */
export interface ContainerMember {
  /** Name inside the container; locations show it after a colon, e.g. `outer.zip:archive/data.pkl`. */
  name: string;
  /** Its bytes. */
  content: MemberContent;
  /**
   * Id of the scanner that reads the member the way its loader does, whatever its
   * content (torch.load unpickles a checkpoint's `data.pkl`); without it, content decides.
   */
  loadAs?: string;
}

/** What a scanner may do while scanning. */
export interface ScanContext {
  /**
   * Display path of what is being scanned, through containers, e.g. `outer.zip:inner/data.pkl`, for
   * messages and name checks; findings get a structured location from what they report.
   */
  readonly path: string;
  /** How many containers or payloads deep this source is (0 for a file on disk). */
  readonly depth: number;
  /** Aborted when the file's time is up; long loops check it. */
  readonly signal: AbortSignal;
  /** Records a finding. */
  report(finding: FindingReport): void;
  /** Returns the first user `--blacklist` pattern that `text` contains, if any (case-insensitive). */
  matchBlacklist(text: string): string | undefined;
  /**
   * Scans bytes nested in this source (a payload, an archive member) with
   * whatever scanner their content calls for. `label` names it in locations:
   * `file.pkl:<label> (pos N)`.
   */
  scanNested(source: ByteSource, label: string, options?: NestedScanOptions): Promise<void>;
  /**
   * Hands a container member to the engine, which applies its limits (depth, member
   * count, decoded bytes, compression ratio), decodes it if need be, and scans it like
   * a file: routed by content, its name checked against that content. Resolves to
   * `false` once the member limit is reached: the container should stop listing.
   */
  scanMember(member: ContainerMember): Promise<boolean>;
  /**
   * Names the format more precisely than the scanner's id, once the scanner knows it
   * (a zip that is a PyTorch checkpoint); results and reports show it.
   */
  identify(format: string): void;
  /**
   * Set when this scan is a second look at a source that the scanner with this id
   * has already read from its start (a zip appended to a pickle): the container
   * should not scan that leading content again.
   */
  readonly alsoReadAs?: string;
}

/**
 * A format scanner, registered in `scanners/registry.ts`.
 *
 * @example
 * ```ts
 * import type { Scanner } from "./scanner.ts";
 * const textScanner: Scanner = {
 *   id: "example",
 *   description: "Example format",
 *   extensions: [".example"],
 *   detect: (head) => head[0] === 0x45,
 *   scan: (_source, ctx) => Promise.resolve(ctx.report({ rule: "MA007", message: "example" })),
 * };
 * ```
 */
export interface Scanner {
  /** Stable id, also the format name in results, e.g. `pickle`. */
  readonly id: string;
  /** Human name of the format. */
  readonly description: string;
  /** Lower-case file extensions (with the dot) that legitimately hold this format. */
  readonly extensions: readonly string[];
  /**
   * Set for a scanner that reads only what a container names for it (`loadAs`): a
   * TorchScript archive's `code/*.py`. Its extensions are legitimate for its format,
   * but do not make a file on its own look like a model.
   */
  readonly loadOnly?: boolean;
  /** Whether the file's first bytes (up to {@linkcode HEAD_BYTES}) are this format. `size` is the whole size. */
  detect(head: Uint8Array, size: number): boolean;
  /**
   * Where this format's structure starts when it sits at the end of `source`, behind
   * content of another format (a zip's end record after a pickle: Python's zipfile
   * opens it, pickle.load reads the pickle); `undefined` when it does not. The engine
   * then scans the source with both, if the structure starts where the other
   * format's content ends ({@linkcode ScanExtent}).
   */
  detectTrailing?(source: ByteSource): Promise<number | undefined>;
  /**
   * Scans the whole source, reporting to `ctx`. Throws only on bugs and I/O failures.
   * Resolves to a {@linkcode ScanExtent} when the format's content may end before the
   * source does; without one, the scanner has accounted for every byte itself.
   */
  scan(source: ByteSource, ctx: ScanContext): Promise<void | ScanExtent>;
}

/**
 * Where a format's own content ends in its source, for formats that can end before
 * it (a pickle stops at its last STOP): what lies after may be another format.
 *
 * @example
 * ```ts
 * import type { ScanExtent } from "./scanner.ts";
 * const extent: ScanExtent = { end: 78 };
 * ```
 */
export interface ScanExtent {
  /** The first byte after the content. */
  end: number;
}
