/**
 * The contract between the engine and the format scanners. A scanner declares
 * how to recognise its format and how to scan it; the engine knows no format.
 *
 * @module
 */

import type { CallablePolicy } from "../policy/callables.ts";
import type { ByteSource } from "./byte_source.ts";
import type { RuleId } from "./rules.ts";
import type { ModelFact, TensorInfo, WeightTensor } from "./tensor.ts";
import type { FindingDetails, Severity } from "./types.ts";

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
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * import type { MemberContent } from "./scanner.ts";
 * const stored: MemberContent = { kind: "stored", source: bytesSource(new Uint8Array([0x80, 4, 0x4e, 0x2e])) };
 * const gzip = await new Response(new Blob(["hello"]).stream().pipeThrough(new CompressionStream("gzip"))).bytes();
 * const encoded: MemberContent = {
 *   kind: "encoded",
 *   encodedSize: gzip.length,
 *   decode: () => new Blob([gzip]).stream().pipeThrough(new DecompressionStream("gzip")),
 * };
 * assert.equal(stored.kind === "stored" && stored.source.size, 4);
 * const decoded = encoded.kind === "encoded" && await new Response(encoded.decode(new AbortController().signal)).text();
 * assert.equal(decoded, "hello");
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
     * bug or an I/O failure, and makes the file a scan error. A container that must decode bytes
     * which are not the member's to reach it (the members before it in a solid 7z block) passes
     * their count to `charge` first (when given), which takes them from the same budget as the
     * member's bytes: once it returns false the budget is spent, and the stream should end there.
     */
    decode(signal: AbortSignal, charge?: (bytes: number) => boolean): ReadableStream<Uint8Array>;
  };

/**
 * One member of a container (an archive entry, the content of a compressed
 * file), handed to the engine with {@linkcode ScanContext.scanMember}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * import { recordingContext } from "./recording_context.ts";
 * import type { ContainerMember } from "./scanner.ts";
 * const member: ContainerMember = {
 *   name: "archive/data.pkl",
 *   content: { kind: "stored", source: bytesSource(new Uint8Array([0x80, 2, 0x4e, 0x2e])) },
 *   loadAs: "pickle",
 * };
 * const { ctx, members } = recordingContext("model.pt");
 * assert.equal(await ctx.scanMember(member), true); // true: go on listing
 * assert.deepEqual(members.map((m) => m.name), ["archive/data.pkl"]);
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

/**
 * What {@linkcode ScanContext.openSibling} gives back: the sibling's bytes, or why
 * they cannot be read. A reference that leaves the scanned root (`..`, an absolute
 * path, a symbolic link out) is refused with `escape` set, and the engine has already
 * reported it (MA010); other refusals are the scanner's to judge (a missing file a
 * loader needs is the format's integrity finding).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * import type { SiblingResult } from "./scanner.ts";
 * function describe(result: SiblingResult): string {
 *   return result.ok ? `${result.path}: ${result.source.size} bytes` : `refused: ${result.reason}`;
 * }
 * const data: SiblingResult = { ok: true, path: "onnx/model.onnx.data", source: bytesSource(new Uint8Array(8)) };
 * assert.equal(describe(data), "onnx/model.onnx.data: 8 bytes");
 * assert.equal(describe({ ok: false, reason: "it climbs out with `..`", escape: true }), "refused: it climbs out with `..`");
 * ```
 */
export type SiblingResult =
  /**
   * The sibling, readable until the scan of the file that opened it ends. `throughLink` is set
   * when the reference reached it through a symbolic link (inside the root: one leading out is refused).
   */
  | { ok: true; source: ByteSource; path: string; throughLink?: boolean }
  /** Why it was not opened; `escape` when the reference leaves the scanned root. */
  | { ok: false; reason: string; escape: boolean };

/**
 * Where a scanner lists what a source holds, when the scan was asked to (`modelaudit inspect`,
 * the weight analysis): its tensors and the facts its format states. Absent in a plain scan, so
 * that listing costs a scan nothing: a scanner builds nothing for it unless it is there.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { Inventory } from "./scanner.ts";
 * import type { TensorInfo } from "./tensor.ts";
 * const listed: TensorInfo[] = [];
 * const inventory: Inventory = {
 *   tensor: (tensor) => Promise.resolve(void listed.push(tensor)),
 *   fact: () => {},
 * };
 * await inventory.tensor({ name: "w", dtype: "F32", shape: [2] }, undefined);
 * assert.deepEqual(listed.map((t) => t.name), ["w"]);
 * ```
 */
export interface Inventory {
  /**
   * Lists a tensor the source declares. Give `readable` (its values decoded through
   * `scanners/tensors/decode.ts`) when its dtype decodes and its extent fits its storage: its
   * `read` works until the returned promise settles, which the scanner awaits before it goes on
   * (the source may be a decoded member that is released after its scan).
   */
  tensor(tensor: TensorInfo, readable: WeightTensor | undefined): Promise<void>;
  /** States a fact about the source: a framework and its version, an architecture, a template's name. */
  fact(name: string, value: ModelFact["value"]): void;
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
  /**
   * Every scanner's options for this scan, by scanner id and option name (`pickle.maxOpcodes`):
   * the counts and sizes that bound the work one file may cost, resolved once per scan by the
   * engine. Core knows no format, so they are untyped here: a scanner reads its own with
   * `scannerOptions(ctx).pickle` (`scanners/options.ts`). Absent, every scanner uses its defaults.
   */
  readonly options?: object;
  /** Records a finding. */
  report(finding: FindingReport): void;
  /**
   * The policy of Python callables that judges every name the source makes its loader import or call:
   * the standard tables plus the scan's extra denied and allowed names.
   */
  readonly policy: CallablePolicy;
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
  /**
   * Opens a file beside the scanned one (an ONNX model's external data, the `.py` a
   * `config.json` names), through the sandbox: `relativePath` is taken from the
   * directory of the file on disk (of the directory unit's folder, for its plan), with
   * `/` or `\` between segments. Only files inside the scanned root are opened; `..`,
   * absolute paths and symbolic links leading out are refused and reported (MA010),
   * never read. Sources nested in a file (depth above 0) have no siblings. `at` places the
   * MA010 finding of a refused reference (the position and key path of the field naming it).
   */
  openSibling(relativePath: string, at?: Pick<FindingReport, "position" | "keyPath">): Promise<SiblingResult>;
  /** Where to list tensors and facts, when the scan lists them ({@linkcode Inventory}); absent otherwise. */
  readonly inventory?: Inventory;
}

/**
 * A format scanner once loaded: the heavy module a {@linkcode ScannerDescriptor}
 * imports on demand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * import { recordingContext } from "./recording_context.ts";
 * import type { Scanner } from "./scanner.ts";
 * const exampleScanner: Scanner = {
 *   scan: (_source, ctx) => Promise.resolve(ctx.report({ rule: "MA007", message: "example" })),
 * };
 * const { ctx, findings } = recordingContext("a.example");
 * await exampleScanner.scan(bytesSource(new Uint8Array(1)), ctx);
 * assert.deepEqual(findings, [{ rule: "MA007", message: "example" }]);
 * ```
 */
export interface Scanner {
  /**
   * The thorough second half of detection, asked only after the descriptor's cheap
   * `detect` said yes: a trial decode, a pickle's first opcodes run, a text format's
   * parse of the whole source. Without it, the descriptor's `detect` decides alone.
   */
  confirm?(head: Uint8Array, source: ByteSource): boolean | Promise<boolean>;
  /**
   * Scans the whole source, reporting to `ctx`. Throws only on bugs and I/O failures.
   * Resolves to a {@linkcode ScanExtent} when the format's content may end before the
   * source does; without one, the scanner has accounted for every byte itself.
   */
  scan(source: ByteSource, ctx: ScanContext): Promise<void | ScanExtent>;
}

/**
 * What the registry knows of a reader without loading it: enough to name the
 * format, judge a file name, and import the scanner when a file needs it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import { REGISTRY } from "../scanners/registry.ts";
 * import type { ReaderDescriptor } from "./scanner.ts";
 * const reader: ReaderDescriptor = {
 *   id: "example-records",
 *   description: "Records a container names for this reader",
 *   extensions: [],
 *   load: () => Promise.resolve({ scan: (source, ctx) => Promise.resolve(ctx.identify(`${source.size} records`)) }),
 * };
 * const registry = { ...REGISTRY, readers: [reader] };
 * const outcome = await scanBytes(new Uint8Array(3), "records", { registry, loadAs: "example-records" });
 * assert.equal(outcome.format, "3 records");
 * ```
 */
export interface ReaderDescriptor {
  /** Stable id, also the format name in results, e.g. `pickle`. */
  readonly id: string;
  /** Human name of the format. */
  readonly description: string;
  /** Lower-case file extensions (with the dot) that legitimately hold this format. */
  readonly extensions: readonly string[];
  /**
   * Set for content that no loader runs code from by itself (arrays, images, raw tensors; what
   * such a file embeds that does run, its scanner reports). A name that claims another format
   * for it is worth knowing, not an alarm: the disguise hides nothing that executes.
   */
  readonly passive?: boolean;
  /**
   * Set for content that stands in for another file under that file's name (a Git LFS pointer
   * named `pytorch_model.bin`): the name says what it replaces, so no name contradicts it.
   */
  readonly standsIn?: boolean;
  /**
   * Imports the scanner's module. A string-literal `import()`, so that `deno compile`
   * bundles it; Deno caches the module, so loading again costs nothing.
   */
  load(): Promise<Scanner>;
}

/**
 * A format scanner as registered in `scanners/registry.ts`: cheap detection in a
 * light module, the scanner itself behind `load`. Readers reached only through a
 * container's `loadAs` (a TorchScript archive's code) are plain {@linkcode ReaderDescriptor}s.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "../engine/dispatch.ts";
 * import { REGISTRY } from "../scanners/registry.ts";
 * import { PRIORITY } from "./detection.ts";
 * import type { ScannerDescriptor } from "./scanner.ts";
 * const example: ScannerDescriptor = {
 *   id: "example",
 *   description: "Example format",
 *   extensions: [".example"],
 *   priority: PRIORITY.model,
 *   detect: (head) => head[0] === 0x45,
 *   load: () => Promise.resolve({ scan: () => Promise.resolve() }),
 * };
 * const registry = { ...REGISTRY, scanners: [example, ...REGISTRY.scanners] };
 * const outcome = await scanBytes(new TextEncoder().encode("Example"), "a.example", { registry });
 * assert.equal(outcome.format, "example");
 * ```
 */
export interface ScannerDescriptor extends ReaderDescriptor {
  /** Where detection tries it: see `PRIORITY` in `detection.ts`. */
  readonly priority: number;
  /**
   * Whether the format takes only some of the files its extensions name (a `tokenizer_config.json`
   * that holds a chat template, not every `.json`): a file so named that it does not confirm is
   * then no unrecognised model file (no MA007). Its extensions still make the format a legitimate
   * one for the name (no MA001).
   */
  readonly partial?: boolean;
  /**
   * Whether the source may be this format, from its first bytes (up to `HEAD_BYTES` in `detection.ts`),
   * its whole `size` and its base `name` (a hint: text formats have no magic). Cheap and
   * import-free; it may say yes too often when the scanner's `confirm` settles it, never no
   * to the format's own files.
   */
  detect(head: Uint8Array, size: number, name: string): boolean;
  /**
   * Where this format's structure starts when it sits at the end of `source`, behind
   * content of another format (a zip's end record after a pickle: Python's zipfile
   * opens it, pickle.load reads the pickle); `undefined` when it does not. The engine
   * then scans the source with both, if the structure starts where the other
   * format's content ends ({@linkcode ScanExtent}).
   */
  detectTrailing?(source: ByteSource): Promise<number | undefined>;
}

/**
 * How a loader reads one member of an archive or one file of a directory unit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { MemberPlan } from "./scanner.ts";
 * const plans: MemberPlan[] = [
 *   { action: "scan", loadAs: "pickle" },
 *   { action: "skip", reason: "raw tensor data, read by torch.load as bytes only" },
 * ];
 * assert.deepEqual(plans.map((p) => p.action === "scan" ? p.loadAs : p.action), ["pickle", "skip"]);
 * ```
 */
export type MemberPlan =
  /** Hand the member to the engine; `loadAs` names the scanner its loader amounts to. */
  | { action: "scan"; loadAs?: string }
  /** The loader reads the member as raw data only: it is never read here either. */
  | { action: "skip"; reason: string };

/**
 * One file of a directory unit, as its scanner sees it before any file is scanned.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DirectoryFile } from "./scanner.ts";
 * const file: DirectoryFile = {
 *   path: "variables/variables.index",
 *   size: 2,
 *   read: () => Promise.resolve(new Uint8Array(2)),
 * };
 * assert.equal((await file.read()).length, file.size);
 * ```
 */
export interface DirectoryFile {
  /** Path below the unit's folder, `/` between segments. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** Reads the whole file. Only for small metadata files: a plan checks `size` first. */
  read(): Promise<Uint8Array>;
}

/**
 * What a directory scanner's plan may do: report, open siblings through the sandbox, and ask whether
 * the engine knows the format of some bytes.
 */
export interface PlanContext
  extends Pick<ScanContext, "path" | "signal" | "options" | "policy" | "report" | "matchBlacklist"> {
  /**
   * Opens a file of the folder (or beside it) as {@linkcode ScanContext.openSibling} does; `at` places
   * the MA010 finding of a refused reference, `member` naming the file of the folder that made it.
   */
  openSibling(
    relativePath: string,
    at?: Pick<FindingReport, "position" | "keyPath" | "member">,
  ): Promise<SiblingResult>;
  /**
   * Whether any format the engine knows, scanned or only recognised, claims a file with this head,
   * size and name: raw tensor data is claimed by none. The engine answers with its registry, so that
   * a plan does not load every scanner to ask.
   */
  recognises(head: Uint8Array, size: number, name: string): boolean;
}

/**
 * A directory format once loaded: plans how its loader reads each file (the
 * directory counterpart of an archive profile).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "./recording_context.ts";
 * import type { DirectoryScanner } from "./scanner.ts";
 * const allPickles: DirectoryScanner = {
 *   plan: (files) => Promise.resolve(new Map(files.map((f) => [f.path, { action: "scan", loadAs: "pickle" }]))),
 * };
 * const file = { path: "a.bin", size: 0, read: () => Promise.resolve(new Uint8Array()) };
 * const plans = await allPickles.plan([file], { ...recordingContext("models").ctx, recognises: () => false });
 * assert.deepEqual(plans.get("a.bin"), { action: "scan", loadAs: "pickle" });
 * ```
 */
export interface DirectoryScanner {
  /**
   * Checks the layout and its metadata files, reporting to `ctx` (a finding's `member`
   * names the file it is about), and plans the files by path. Files left out of the map
   * are scanned by their content; every file is listed in the results either way.
   */
  plan(files: readonly DirectoryFile[], ctx: PlanContext): Promise<Map<string, MemberPlan>>;
}

/**
 * A folder whose meaning spans its files (a TensorFlow SavedModel, a Hugging Face
 * model folder, an ONNX model with external data), recognised by its listing.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PRIORITY } from "./detection.ts";
 * import type { DirectoryDescriptor } from "./scanner.ts";
 * const bundle: DirectoryDescriptor = {
 *   id: "example-bundle",
 *   description: "A folder with a bundle.json",
 *   priority: PRIORITY.model,
 *   matches: (names) => names.includes("bundle.json"),
 *   load: () => Promise.resolve({ plan: () => Promise.resolve(new Map()) }),
 * };
 * assert.equal(bundle.matches(["bundle.json", "weights/"]), true);
 * assert.equal(bundle.matches(["README.md"]), false);
 * ```
 */
export interface DirectoryDescriptor {
  /** Stable id, the unit's format name in results. */
  readonly id: string;
  /** Human name of the format. */
  readonly description: string;
  /** Which descriptor claims a folder two would match: see `PRIORITY` in `detection.ts`. */
  readonly priority: number;
  /**
   * Whether a folder whose entries are `names` (files by name, subfolders with a
   * trailing `/`) is this format. Cheap: names only, nothing read.
   */
  matches(names: readonly string[]): boolean;
  /** Imports the directory scanner's module (a string-literal `import()`). */
  load(): Promise<DirectoryScanner>;
}

/**
 * Where a format's own content ends in its source, for formats that can end before
 * it (a pickle stops at its last STOP): what lies after may be another format.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "./byte_source.ts";
 * import { recordingContext } from "./recording_context.ts";
 * import { pickleScanner } from "../scanners/pickle/scanner.ts";
 * // A pickle followed by a zip: the pickle scanner says where the pickle ended.
 * const bytes = new Uint8Array([0x80, 2, 0x4e, 0x2e, 0x50, 0x4b, 5, 6]);
 * const extent = await pickleScanner.scan(bytesSource(bytes), recordingContext("model.pkl").ctx);
 * assert.deepEqual(extent, { end: 4 });
 * ```
 */
export interface ScanExtent {
  /** The first byte after the content. */
  end: number;
}
