/**
 * Dispatch: picks the scanner a source's content calls for, gives it a context
 * to report to, and recurses into nested payloads. Runs inside the sandboxed
 * workers, and in-process for bytes already in memory.
 *
 * @module
 */

import type { ByteSource } from "../core/byte_source.ts";
import { bytesSource, subSource } from "../core/byte_source.ts";
import { getRule } from "../core/rules.ts";
import { HEAD_BYTES } from "../core/detection.ts";
import type {
  ContainerMember,
  FindingReport,
  MemberContent,
  NestedScanOptions,
  ReaderDescriptor,
  ScanContext,
  ScannerDescriptor,
} from "../core/scanner.ts";
import type { ListedTensor, ModelFact, TensorInfo, WeightTensor } from "../core/tensor.ts";
import { dtypeBytes, elementCount } from "../core/tensor.ts";
import type { ContentEntry, Finding, FindingDetails, Location } from "../core/types.ts";
import { CallablePolicy } from "../policy/callables.ts";
import { identifyKnownFormat } from "../scanners/known_formats.ts";
import { resolveScannerOptions, type ScannerOptions, type ScannerOptionsInput } from "../scanners/options.ts";
import { WEIGHTS_OFF } from "../scanners/option_catalog.ts";
import { REGISTRY, type Registry } from "../scanners/registry.ts";
import { COLLECT_AFTER_DECODED_BYTES, DecodeBudget } from "./decode_budget.ts";
import type { DecodeProblem } from "./decoded_source.ts";
import { requestCollection } from "./gc.ts";
import { CoverageSource } from "./read_coverage.ts";
import {
  type Detected,
  detectFormat,
  extensionOf,
  formatsClaimedBy,
  loadReader,
  nameClaimsScannedFormat,
} from "./detect.ts";
import { type Arrival, pickleLoadersOf } from "./readings.ts";
import { resolveScanLimits, type ScanLimits } from "./limits.ts";
import { NO_SIBLINGS, openSiblingReported, type SiblingOpener } from "./siblings.ts";
import { analyzeCollected, WeightCollection } from "./weights.ts";

/** Options of {@linkcode scanSource}. */
export interface SourceScanOptions {
  /** Case-insensitive substrings to flag in model content (MA005). */
  blacklist?: readonly string[];
  /** Aborts the scan; scanners check it in long loops. */
  signal?: AbortSignal;
  /** The engine's limits; unset ones keep their defaults ({@linkcode resolveScanLimits} checks them). */
  limits?: Partial<ScanLimits>;
  /**
   * Each scanner's limits (`{ pickle: { maxOpcodes: 1_000_000 } }`); unset ones keep their
   * defaults. An unknown option or a value that is not a whole number from 0 up throws a `RangeError`.
   */
  scannerOptions?: ScannerOptionsInput;
  /** The formats to detect and read; the built-in registry by default. */
  registry?: Registry;
  /** Id of the reader the source's loader amounts to (a directory unit's plan says), instead of detection. */
  loadAs?: string;
  /**
   * Opens files beside the source for `ScanContext.openSibling` (see `engine/siblings.ts`);
   * without it, the source has no siblings.
   */
  siblings?: SiblingOpener;
  /** The policy of Python callables; defaults to the standard one. */
  policy?: CallablePolicy;
  /**
   * Lists the tensors and facts the file's formats declare in the outcome (`tensors`, `facts`),
   * through containers: what `modelaudit inspect` shows. Off by default: a scan then lists nothing.
   */
  inventory?: boolean;
  /**
   * Called with each readable tensor while its source is open (a decoded member is released once
   * scanned), and awaited: how an analysis of weights reads their values during the scan. Where
   * it is, `place` says: the file and the members down to the source declaring the tensor.
   */
  onTensor?: (tensor: WeightTensor, place: SourcePlace) => Promise<void> | void;
}

/** What scanning one source produced. */
export interface SourceScanOutcome {
  /** Format of the source as its scanner named it, or `null` when none recognised it. */
  format: string | null;
  /** Findings so far, in report order; kept even when `error` is set. */
  findings: Finding[];
  /** Distinct bytes of the source the scanners read (0 when the outcome says nothing of them). */
  bytesScanned: number;
  /** Every member and payload inside the source that a scanner recognised (see {@linkcode ContentEntry}). */
  contents?: ContentEntry[];
  /** The tensors its formats declare, when {@linkcode SourceScanOptions.inventory} asked for them. */
  tensors?: ListedTensor[];
  /** The facts its formats state, when {@linkcode SourceScanOptions.inventory} asked for them. */
  facts?: ModelFact[];
  /**
   * Set when the scan could not finish: a scanner or decoder threw something other than a
   * `DecodeError` (a bug or an I/O failure), or time ran out. The findings before it stand.
   */
  error?: string;
  /** The stack of the exception behind `error`, for `--verbose` and bug reports. */
  stack?: string;
}

class FindingSink {
  readonly findings: Finding[] = [];
  #truncated = false;

  /** @param max Findings kept before MA008 ({@linkcode ScanLimits.maxFindingsPerFile}). */
  constructor(readonly max: number) {}

  add(finding: Finding): void {
    const { max } = this;
    if (this.findings.length < max) {
      this.findings.push(finding);
    } else if (!this.#truncated) {
      this.#truncated = true;
      const rule = getRule("MA008");
      this.findings.push({
        rule: rule.id,
        severity: rule.severity,
        message: `More than ${max} findings; the rest are not listed`,
        location: finding.location,
        details: { limit: "MAX_FINDINGS_PER_FILE", option: "engine.maxFindingsPerFile", max },
      });
    }
  }
}

/** What one file's scan shares across all its containers and payloads. */
interface DispatchState {
  sink: FindingSink;
  /** The user's patterns, lower-cased for matching; the original is what findings quote. */
  patterns: { original: string; lower: string }[];
  signal: AbortSignal;
  policy: CallablePolicy;
  limits: ScanLimits;
  /** Every scanner's options, handed to each in its context. */
  options: Readonly<ScannerOptions>;
  budget: DecodeBudget;
  /** Members handed over so far, nested ones included. */
  members: number;
  /** Encoded members' decoded sizes added up, for the whole-file bomb check. */
  decodedSizes: number;
  /** Findings reported once per file (limits, bombs), by key. */
  reportedLimits: Set<string>;
  /** The top-level format: the scanner's id, or the name it gave with `identify`. */
  format?: string;
  /** Members and payloads recognised inside the file, up to `limits.maxContentEntries`. */
  contents: ContentEntry[];
  registry: Registry;
  siblings?: SiblingOpener;
  /** What the scan lists of tensors and facts, when it was asked to (see {@linkcode inventoryOf}). */
  inventory?: InventoryState;
}

/** The tensors and facts listed so far, and who else wants readable tensors. */
interface InventoryState {
  /** Whether the outcome lists them (`SourceScanOptions.inventory`). */
  list: boolean;
  tensors: ListedTensor[];
  facts: ModelFact[];
  onTensor?: SourceScanOptions["onTensor"];
}

/** Bytes of a tensor's values: as its format says, else its elements times its dtype's size, if known. */
function tensorBytes(tensor: TensorInfo): number | undefined {
  if (tensor.bytes !== undefined) return tensor.bytes;
  const size = dtypeBytes(tensor.dtype);
  return size === undefined ? undefined : elementCount(tensor.shape) * size;
}

/**
 * The inventory of a frame: none for a reading on a guess or a second reading of the same
 * bytes (their tensors are the first reading's, or nobody's), nor when nobody lists tensors
 * (the scan lists none, and the frame collects no model for the weight analysis).
 */
function inventoryOf(state: DispatchState, frame: ContextFrame): ScanContext["inventory"] {
  const inventory = state.inventory;
  const model = frame.model;
  if ((!inventory && !model) || frame.opportunistic || frame.alsoReadAs !== undefined) return undefined;
  const max = state.limits.maxListedTensors;
  return {
    async tensor(tensor, readable) {
      if (inventory?.list && inventory.tensors.length < max) {
        const bytes = tensorBytes(tensor);
        inventory.tensors.push({
          members: [...frame.members],
          name: tensor.name,
          dtype: tensor.dtype,
          shape: [...tensor.shape],
          ...(bytes === undefined ? {} : { bytes }),
          readable: readable !== undefined,
        });
      }
      if (!readable) return;
      if (inventory?.onTensor) await inventory.onTensor(readable, frame);
      if (model) await model.collection.add(readable, frame.members, model.copy);
    },
    fact(name, value) {
      if (inventory?.list && inventory.facts.length < max) {
        inventory.facts.push({ members: [...frame.members], name, value });
      }
    },
  };
}

/**
 * The finding a report makes about a source at `where` (a file on disk and the members and
 * payload labels down to the source): the position shown and kept in the details, the
 * catalog's severity unless the report overrides it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findingAt } from "./dispatch.ts";
 * const finding = findingAt({ rule: "MA100", message: "imports os.system", position: 2 }, {
 *   file: "m.pkl",
 *   members: [],
 * });
 * assert.deepEqual(finding.location, { file: "m.pkl", members: [], position: 2 });
 * assert.equal(finding.severity, "critical"); // the rule's default
 * ```
 */
export function findingAt(report: FindingReport, where: SourcePlace): Finding {
  const { rule, message, position, severity, details } = report;
  const merged = position === undefined || details?.position !== undefined
    ? { ...details }
    : { ...details, position };
  return {
    rule,
    severity: severity ?? getRule(rule).severity,
    message,
    location: locate(where, report),
    details: merged,
  };
}

/** Where a source is: the file on disk the scan started from, and the members down to it. */
export interface SourcePlace {
  /** The file on disk the scan started from. */
  file: string;
  /** Members and payload labels from the file down to this source, outermost first. */
  members: readonly string[];
}

/** How a context scans: where its source is, its depth, whether findings are a guess's, and what read it first. */
interface ContextFrame extends SourcePlace {
  depth: number;
  opportunistic: boolean;
  alsoReadAs?: string;
  /** The inventory entry of the member this frame scans, once its scanner is chosen (see `contents`). */
  entry?: ContentEntry;
  /**
   * The model its readable tensors join for the weight analysis: its own, or its container's when
   * that names the loader of this member (an `.npz`'s arrays); `copy` when the frame's source is
   * released before that container's model is analysed (a decoded member).
   */
  model?: { collection: WeightCollection; copy: boolean };
  /** The source is a member decoded on demand: reading its end decodes all of it. */
  streamed?: boolean;
}

/** The location of a report in `frame`: the frame's path, the member it names, and the place inside. */
function locate(frame: SourcePlace, report: FindingReport): Location {
  const { member, position, line, column, keyPath } = report;
  return {
    file: frame.file,
    members: member === undefined ? [...frame.members] : [...frame.members, member],
    ...(position === undefined ? {} : { position }),
    ...(line === undefined ? {} : { line }),
    ...(column === undefined ? {} : { column }),
    ...(keyPath === undefined ? {} : { keyPath }),
  };
}

/** The display path of a source: its file and members joined by colons, `outer.zip:inner/data.pkl`. */
function pathOf(place: SourcePlace): string {
  return [place.file, ...place.members].join(":");
}

function makeContext(state: DispatchState, frame: ContextFrame): ScanContext {
  const { depth, opportunistic } = frame;
  const context: ScanContext = {
    path: pathOf(frame),
    depth,
    signal: state.signal,
    policy: state.policy,
    options: state.options,
    alsoReadAs: frame.alsoReadAs,
    report(report) {
      // A payload scanned on a guess must not produce integrity or limit noise, only signs of intent.
      if (opportunistic && getRule(report.rule).kind !== "security") return;
      state.sink.add(findingAt(report, frame));
    },
    matchBlacklist(text) {
      if (state.patterns.length === 0) return undefined;
      const lower = text.toLowerCase();
      return state.patterns.find((pattern) => lower.includes(pattern.lower))?.original;
    },
    scanNested(source, label, options: NestedScanOptions = {}) {
      return scanPayload(state, source, {
        file: frame.file,
        members: [...frame.members, label],
        depth: depth + 1,
        opportunistic: opportunistic || !!options.opportunistic,
      });
    },
    scanMember(member) {
      return scanMember(state, context, frame, member);
    },
    identify(format) {
      if (frame.alsoReadAs !== undefined) return;
      if (depth === 0) state.format = format;
      // A member names itself too: a checkpoint inside an archive is listed as pytorch, not zip.
      else if (frame.entry) frame.entry.format = format;
    },
    openSibling(reference, at) {
      const opener = depth > 0 || !state.siblings ? NO_SIBLINGS : state.siblings;
      return openSiblingReported(opener, reference, (finding) => context.report({ ...finding, ...at }));
    },
    inventory: inventoryOf(state, frame),
  };
  return context;
}

/** Reports a finding once per file under `key`: the first place a limit or a bomb bites is the one worth showing. */
function reportOnce(ctx: ScanContext, state: DispatchState, key: string, finding: FindingReport): void {
  if (state.reportedLimits.has(key)) return;
  state.reportedLimits.add(key);
  ctx.report(finding);
}

/** An MA210 finding for the engine limit `limit`, once per file. */
function reportLimitOnce(
  ctx: ScanContext,
  state: DispatchState,
  limit: keyof ScanLimits,
  message: string,
  details: FindingDetails,
): void {
  const option = `engine.${limit}`;
  reportOnce(ctx, state, limit, { rule: "MA210", message, details: { limit, option, ...details } });
}

async function scanMember(
  state: DispatchState,
  container: ScanContext,
  frame: ContextFrame,
  member: ContainerMember,
): Promise<boolean> {
  const { limits } = state;
  if (++state.members > limits.maxMembers) {
    reportLimitOnce(
      container,
      state,
      "maxMembers",
      `More than ${limits.maxMembers} archive members; the rest were not inspected`,
      { max: limits.maxMembers },
    );
    return false;
  }
  const depth = frame.depth + 1;
  if (depth > limits.maxDepth) {
    reportLimitOnce(
      container,
      state,
      "maxDepth",
      `Containers nested more than ${limits.maxDepth} levels deep were not opened`,
      { max: limits.maxDepth, member: member.name },
    );
    return true;
  }
  const memberFrame: ContextFrame = {
    file: frame.file,
    members: [...frame.members, member.name],
    depth,
    opportunistic: frame.opportunistic,
    // A member its container names a loader for is part of the model that loader loads.
    ...(member.loadAs !== undefined && frame.model
      ? { model: { ...frame.model, copy: frame.model.copy || member.content.kind === "encoded" } }
      : {}),
  };
  const memberContext = makeContext(state, memberFrame);
  if (member.content.kind === "stored") {
    await scanAsFile(state, member.content.source, memberFrame, member.loadAs);
    return state.members <= limits.maxMembers;
  }
  // Once the budget is spent (said once, where it ran out) compressed members are passed over.
  if (state.budget.exhausted) return true;
  const decodedBefore = state.budget.used;
  await scanEncodedMember(state, member.content, memberFrame, memberContext, member.loadAs);
  // The member's bytes became garbage when the call above returned (nothing else holds them): a large
  // one is collected now, not on the collector's schedule, so that no worker holds two members at once.
  if (state.budget.used - decodedBefore >= COLLECT_AFTER_DECODED_BYTES) requestCollection();
  return state.members <= limits.maxMembers;
}

/** Decodes a compressed member under the file's budget, checks its ratio and size, and scans it. */
async function scanEncodedMember(
  state: DispatchState,
  content: Extract<MemberContent, { kind: "encoded" }>,
  memberFrame: ContextFrame,
  memberContext: ScanContext,
  loadAs: string | undefined,
): Promise<void> {
  const { limits } = state;
  const { encodedSize } = content;
  // The decoders load with a file's first compressed member: most scans have none.
  const { decodeMember } = await import("./decoded_source.ts");
  const decoded = await decodeMember(content, state.budget, state.signal, limits.maxInMemoryDecodeBytes);
  memberFrame.streamed = decoded.streamed;
  const size = decoded.source.size;
  const ratio = size / Math.max(1, encodedSize);
  // One bomb is enough to reject a file: the first member over the ratio is named, not every one.
  if (size > limits.minBombDecodedBytes && ratio > limits.maxCompressionRatio) {
    reportOnce(memberContext, state, "ratio", {
      rule: "MA206",
      message: `Decompresses ${
        Math.round(ratio)
      }:1 (${size} bytes from ${encodedSize}), beyond the ratio limit of ${limits.maxCompressionRatio}`,
      details: { decodedSize: size, encodedSize, ratio, maxCompressionRatio: limits.maxCompressionRatio },
    });
  }
  state.decodedSizes += size;
  if (state.decodedSizes > limits.maxDecompressedBytes) {
    reportOnce(memberContext, state, "totalDecodedSize", {
      rule: "MA206",
      message: `Members decompress to more than ${limits.maxDecompressedBytes} bytes in all`,
      details: { decodedSizes: state.decodedSizes, maxDecompressedBytes: limits.maxDecompressedBytes },
    });
  }
  try {
    await scanAsFile(state, decoded.source, memberFrame, loadAs);
  } finally {
    decoded.close();
  }
  for (const problem of decoded.problems) reportDecodeProblem(memberContext, state, problem);
}

function reportDecodeProblem(ctx: ScanContext, state: DispatchState, problem: DecodeProblem): void {
  switch (problem.kind) {
    case "corrupt":
      ctx.report({
        rule: "MA209",
        message: `Cannot be decompressed past byte ${problem.at}: ${problem.message}`,
        details: { decodedBytes: problem.at, reason: problem.message },
      });
      break;
    case "size":
      ctx.report({
        rule: "MA209",
        message: `Decompresses to ${problem.exact ? "" : "more than "}${
          problem.exact ? problem.actual : problem.declared
        } bytes, but its container declares ${problem.declared}`,
        details: { declaredSize: problem.declared, decodedSize: problem.actual, exact: problem.exact },
      });
      break;
    case "budget":
      reportLimitOnce(
        ctx,
        state,
        "maxDecompressedBytes",
        `Decompressed more than ${state.limits.maxDecompressedBytes} bytes for this file; content from byte ${problem.at} on, and compressed members after it, were not inspected`,
        { max: state.limits.maxDecompressedBytes, decodedBytes: problem.at },
      );
  }
}

/** Scans a payload found inside a format (a pickle's argument, an array's data), strictly: a loader runs it. */
async function scanPayload(state: DispatchState, source: ByteSource, frame: ContextFrame): Promise<void> {
  const context = makeContext(state, frame);
  // Only a payload handed to a loader gets here in earnest (the opportunistic ones drop MA006): the
  // loader runs whatever it holds, so what cannot be looked into is as bad as what is known to be.
  if (frame.depth > state.limits.maxDepth) {
    context.report({
      rule: "MA006",
      severity: "critical",
      message: `Payload nested more than ${state.limits.maxDepth} levels deep was not inspected`,
      details: { limit: "maxDepth", option: "engine.maxDepth", max: state.limits.maxDepth },
    });
    return;
  }
  const head = await source.read(0, HEAD_BYTES);
  const detected = await detectFormat(source, head, pathOf(frame), state.registry);
  if (detected) {
    const before = state.sink.findings.length;
    await detected.scanner.scan(source, context);
    await scanPickleReading(state, source, head, frame, "payload", detected.descriptor.id, before);
    return;
  }
  const known = identifyKnownFormat(head)?.id ?? "unknown";
  context.report({
    rule: "MA006",
    // A loader opens a container (torch.load runs a zip's data.pkl); bytes of no known format it rejects.
    severity: known === "unknown" ? "warning" : "critical",
    message: `Nested ${
      known === "unknown" ? "payload of unknown format" : `${known} payload`
    } (${source.size} bytes) was not inspected`,
    details: { format: known, size: source.size },
  });
}

/**
 * Findings about a file as a whole: a name that claims another format than the
 * content, a model-like name on unrecognised content, and content this version
 * recognises but cannot open although loading it can run code.
 */
function checkFile(
  ctx: ScanContext,
  head: Uint8Array,
  descriptor: ReaderDescriptor | undefined,
  registry: Registry,
): void {
  const { path } = ctx;
  const claimed = formatsClaimedBy(path, registry);
  const known = descriptor ? undefined : identifyKnownFormat(head);
  const detected = descriptor?.id ?? known?.id;
  const passive = descriptor?.passive || (known !== undefined && !known.mayHoldCode);
  const extension = extensionOf(path);
  if (detected && claimed.length > 0 && !claimed.includes(detected) && !descriptor?.standsIn) {
    ctx.report({
      rule: "MA001",
      message: `Named ${extension} (${claimed.join(" or ")}) but the content is ${detected}`,
      // An image, an array or other passive content under a model's name runs nothing: worth knowing, no alarm.
      severity: passive ? "info" : undefined,
      details: { extension, claimedFormats: claimed, detectedFormat: detected },
    });
  } else if (!detected && nameClaimsScannedFormat(path, registry)) {
    ctx.report({
      rule: "MA007",
      message: `Named ${extension} but the content matches no known format`,
      details: { extension },
    });
  }
  if (known?.mayHoldCode) {
    ctx.report({
      rule: "MA006",
      message: `This is a ${known.id} file, which this version of modelaudit cannot inspect yet`,
      details: { format: known.id },
    });
  }
}

/** The scanner a loader would read the source with: the one named, else by head and name, else one found at the end. */
async function chooseScanner(
  state: DispatchState,
  source: ByteSource,
  head: Uint8Array,
  frame: ContextFrame,
  loadAs: string | undefined,
): Promise<{ detected?: Detected; byTrailer: boolean }> {
  const named = loadAs === undefined ? undefined : await loadReader(loadAs, state.registry);
  const detected = named ?? await detectFormat(source, head, pathOf(frame), state.registry);
  if (detected) return { detected, byTrailer: false };
  for (const candidate of trailingCandidates(state, frame)) {
    if ((await candidate.detectTrailing!(source)) !== undefined) {
      return { detected: { descriptor: candidate, scanner: await candidate.load() }, byTrailer: true };
    }
  }
  return { byTrailer: false };
}

/**
 * Scanners whose structure may sit at the end of the frame's source. None for a large decoded
 * member: its tail costs decoding all of it, and no loader unpacks a polyglot from there.
 */
function trailingCandidates(state: DispatchState, frame: ContextFrame): ScannerDescriptor[] {
  return frame.streamed ? [] : state.registry.scanners.filter((scanner) => scanner.detectTrailing);
}

/**
 * Scans a file or an archive member as a file: chosen by content (or by the
 * loader the container names), its name checked, then scanned again by any
 * format whose structure is appended after the content the first scanner read.
 */
async function scanAsFile(
  state: DispatchState,
  source: ByteSource,
  frame: ContextFrame,
  loadAs?: string,
): Promise<void> {
  // A frame that joins no container's model collects its own, for the weight analysis.
  const ownModel = !frame.model && state.options.weights.enabled !== WEIGHTS_OFF &&
      !frame.opportunistic && frame.alsoReadAs === undefined
    ? new WeightCollection(state.options.weights.maxCopiedElements)
    : undefined;
  if (ownModel) frame.model = { collection: ownModel, copy: false };
  const context = makeContext(state, frame);
  const head = await source.read(0, HEAD_BYTES);
  const { detected, byTrailer } = await chooseScanner(state, source, head, frame, loadAs);
  checkFile(context, head, detected?.descriptor, state.registry);
  if (!detected) return;
  const { descriptor, scanner } = detected;
  if (frame.depth === 0) state.format = descriptor.id;
  else if (frame.alsoReadAs === undefined && state.contents.length < state.limits.maxContentEntries) {
    frame.entry = { members: [...frame.members], format: descriptor.id, size: source.size };
    state.contents.push(frame.entry);
  }
  const before = state.sink.findings.length;
  const extent = await scanner.scan(source, context);
  // Its source is still open (a decoded member is released when this function returns).
  if (ownModel && (ownModel.tensors.length > 0 || ownModel.uncopied > 0)) {
    await analyzeModel(state, frame, ownModel);
  }
  // A structure found at the end counts only when it starts after what the first scanner read (a zip
  // appended to a pickle); one inside that content (a zip in a pickle's bytes) was that scanner's to read.
  if (!byTrailer && extent) {
    for (const other of trailingCandidates(state, frame)) {
      if (other === descriptor) continue;
      const start = await other.detectTrailing!(source);
      if (start === undefined || start < extent.end) continue;
      await (await other.load()).scan(source, makeContext(state, { ...frame, alsoReadAs: descriptor.id }));
    }
  }
  // A member its container names a loader for is read by that loader alone.
  if (loadAs === undefined) {
    await scanPickleReading(state, source, head, frame, "file", descriptor.id, before);
  }
}

/** Runs the weight analysis on the model a frame collected, each finding located at its tensor's key path. */
async function analyzeModel(
  state: DispatchState,
  frame: ContextFrame,
  model: WeightCollection,
): Promise<void> {
  for (const { finding, members } of await analyzeCollected(model, frame.members, state.options.weights)) {
    const { tensor } = finding.details;
    const keyPath = tensor === "" ? undefined : tensor;
    state.sink.add(findingAt({ ...finding, keyPath }, { file: frame.file, members }));
  }
}

/**
 * Scans a source as the pickle that loaders it may reach would unpickle from byte 0
 * ({@linkcode pickleLoadersOf}), when the format `primary` (whose scanner has just scanned it, its findings
 * in the sink from index `before` on) read it as another format. A reading that gets
 * nowhere (it breaks before a STOP, having found nothing) stays silent, so that a real zip or
 * tar whose first bytes happen to be opcodes costs one trial of its head and says nothing.
 * A real one is reported in full, with its malformed-stream findings left out (the bytes are
 * the other format's after all), and with an MA009 for the source being both: critical
 * when either reading found something critical.
 */
async function scanPickleReading(
  state: DispatchState,
  source: ByteSource,
  head: Uint8Array,
  frame: ContextFrame,
  arrival: Arrival,
  primary: string,
  before: number,
): Promise<void> {
  const loaders = pickleLoadersOf(arrival, primary, head);
  if (loaders.length === 0) return;
  // The pickle machine loads only when a loader may unpickle the source: a zip of tensors does not need it.
  const { scanPickle, unpickleReach } = await import("../scanners/pickle/scanner.ts");
  const reach = unpickleReach(head, source.size);
  if (reach === undefined) return;
  const sink = state.sink;
  const reading = new FindingSink(sink.max);
  state.sink = reading;
  let end: number;
  try {
    ({ end } = await scanPickle(
      reach < source.size ? subSource(source, 0, reach) : source,
      makeContext(state, { ...frame, opportunistic: true, alsoReadAs: primary }),
      { joblibArrays: true, firstOnly: loaders.every((loader) => loader.pickles === "first") },
    ));
  } finally {
    state.sink = sink;
  }
  if (end === 0 && reading.findings.length === 0) return;
  const calls = loaders.map((loader) => loader.call);
  const critical = [...sink.findings.slice(before), ...reading.findings].some((f) =>
    f.severity === "critical"
  );
  makeContext(state, frame).report({
    rule: "MA009",
    severity: critical ? "critical" : undefined,
    message: `Valid ${primary}, and a pickle too: ${calls.join(", ")} unpickle it from byte 0${
      end > 0 ? `, up to a STOP at ${end - 1}` : ", up to where it breaks"
    }`,
    details: { formats: [primary, "pickle"], loaders: calls, pickleEnd: end },
  });
  for (const finding of reading.findings) sink.add(finding);
}

/**
 * Scans one source: detects its format by content, checks its name against
 * that format, runs the scanner and recurses into nested payloads.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../core/byte_source.ts";
 * import { scanSource } from "./dispatch.ts";
 * const bytes = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");
 * const outcome = await scanSource(bytesSource(bytes), "model.pkl");
 * assert.deepEqual(outcome.findings.map((f) => f.rule), ["MA100", "MA101"]);
 * ```
 */
export async function scanSource(
  source: ByteSource,
  path: string,
  options: SourceScanOptions = {},
): Promise<SourceScanOutcome> {
  const limits = resolveScanLimits(options.limits);
  const counted = new CoverageSource(source);
  const state: DispatchState = {
    sink: new FindingSink(limits.maxFindingsPerFile),
    patterns: (options.blacklist ?? []).filter((p) => p.length > 0).map((p) => ({
      original: p,
      lower: p.toLowerCase(),
    })),
    signal: options.signal ?? new AbortController().signal,
    policy: options.policy ?? CallablePolicy.standard(),
    limits,
    options: resolveScannerOptions(options.scannerOptions),
    budget: new DecodeBudget(limits.maxDecompressedBytes),
    members: 0,
    decodedSizes: 0,
    reportedLimits: new Set(),
    contents: [],
    registry: options.registry ?? REGISTRY,
    siblings: options.siblings,
    inventory: options.inventory || options.onTensor
      ? { list: !!options.inventory, tensors: [], facts: [], onTensor: options.onTensor }
      : undefined,
  };
  try {
    await scanAsFile(
      state,
      counted,
      { file: path, members: [], depth: 0, opportunistic: false },
      options.loadAs,
    );
    return {
      format: state.format ?? null,
      findings: state.sink.findings,
      bytesScanned: counted.bytesRead,
      contents: state.contents,
      ...(state.inventory?.list ? { tensors: state.inventory.tensors, facts: state.inventory.facts } : {}),
    };
  } catch (error) {
    return {
      format: state.format ?? null,
      findings: state.sink.findings,
      bytesScanned: counted.bytesRead,
      error: error instanceof Error ? error.message : String(error),
      ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
    };
  }
}

/**
 * Scans bytes already in memory, as if they were a file named `path`. Needs no
 * permissions and no workers: convenient for tests and for content fetched by
 * other means.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "./dispatch.ts";
 * const { format, findings } = await scanBytes(new Uint8Array([0x80, 0x04, 0x4e, 0x2e]), "none.pkl");
 * assert.equal(format, "pickle");
 * assert.equal(findings.length, 0);
 * ```
 */
export function scanBytes(
  bytes: Uint8Array,
  path: string,
  options: SourceScanOptions = {},
): Promise<SourceScanOutcome> {
  return scanSource(bytesSource(bytes), path, options);
}
