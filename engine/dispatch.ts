/**
 * Dispatch: picks the scanner a source's content calls for, gives it a context
 * to report to, and recurses into nested payloads. Runs inside the sandboxed
 * workers, and in-process for bytes already in memory.
 *
 * @module
 */

import { type ByteSource, bytesSource } from "../core/byte_source.ts";
import { getRule } from "../core/rules.ts";
import { HEAD_BYTES, type NestedScanOptions, type ScanContext, type Scanner } from "../core/scanner.ts";
import type { Finding, FindingDetails } from "../core/types.ts";
import { identifyKnownFormat } from "../scanners/known_formats.ts";
import { scannerFor } from "../scanners/registry.ts";
import { extensionOf, formatsClaimedBy, nameClaimsScannedFormat } from "./detect.ts";
import { MAX_FINDINGS_PER_FILE, MAX_NESTING_DEPTH } from "./limits.ts";

/** Options of {@linkcode scanSource}. */
export interface SourceScanOptions {
  /** Case-insensitive substrings to flag in model content (MA005). */
  blacklist?: readonly string[];
  /** Aborts the scan; scanners check it in long loops. */
  signal?: AbortSignal;
}

/** What scanning one source produced. */
export interface SourceScanOutcome {
  /** Format id of the scanner that read the source, or `null` when none recognised it. */
  format: string | null;
  /** Findings so far, in report order; kept even when `error` is set. */
  findings: Finding[];
  /** Set when a scanner failed; the findings before the failure stand. */
  error?: string;
}

/**
 * Rules about a payload's integrity rather than its intent: a payload scanned
 * only because it looked like a pickle must not produce them.
 */
const INTEGRITY_RULES = new Set(["MA006", "MA007", "MA105", "MA106", "MA110"]);

class FindingSink {
  readonly findings: Finding[] = [];
  #truncatedAt: string | undefined;

  add(finding: Finding): void {
    if (this.findings.length < MAX_FINDINGS_PER_FILE) {
      this.findings.push(finding);
    } else if (this.#truncatedAt === undefined) {
      this.#truncatedAt = finding.location;
      const rule = getRule("MA008");
      this.findings.push({
        rule: rule.id,
        severity: rule.severity,
        message: `More than ${MAX_FINDINGS_PER_FILE} findings; the rest are not listed`,
        location: finding.location,
        details: { limit: "MAX_FINDINGS_PER_FILE", max: MAX_FINDINGS_PER_FILE },
      });
    }
  }
}

interface DispatchState {
  sink: FindingSink;
  /** The user's patterns, lower-cased for matching; the original is what findings quote. */
  patterns: { original: string; lower: string }[];
  signal: AbortSignal;
}

function makeFinding(
  ruleId: string,
  message: string,
  location: string,
  details: FindingDetails = {},
  severity = getRule(ruleId).severity,
): Finding {
  return { rule: ruleId, severity, message, location, details };
}

function makeContext(state: DispatchState, path: string, depth: number, opportunistic: boolean): ScanContext {
  return {
    path,
    depth,
    signal: state.signal,
    report({ rule, message, position, severity, details }) {
      if (opportunistic && INTEGRITY_RULES.has(rule)) return;
      const location = position === undefined ? path : `${path} (pos ${position})`;
      const merged = position === undefined || details?.position !== undefined
        ? { ...details }
        : { ...details, position };
      state.sink.add(makeFinding(rule, message, location, merged, severity ?? getRule(rule).severity));
    },
    matchBlacklist(text) {
      if (state.patterns.length === 0) return undefined;
      const lower = text.toLowerCase();
      return state.patterns.find((pattern) => lower.includes(pattern.lower))?.original;
    },
    scanNested(source, label, options: NestedScanOptions = {}) {
      return scanNestedSource(
        state,
        source,
        `${path}:${label}`,
        depth + 1,
        opportunistic || !!options.opportunistic,
      );
    },
  };
}

async function scanNestedSource(
  state: DispatchState,
  source: ByteSource,
  path: string,
  depth: number,
  opportunistic: boolean,
): Promise<void> {
  const context = makeContext(state, path, depth, opportunistic);
  // Only a payload handed to a loader gets here in earnest (the opportunistic ones drop MA006): the
  // loader runs whatever it holds, so what cannot be looked into is as bad as what is known to be.
  if (depth > MAX_NESTING_DEPTH) {
    context.report({
      rule: "MA006",
      severity: "critical",
      message: `Payload nested more than ${MAX_NESTING_DEPTH} levels deep was not inspected`,
      details: { limit: "MAX_NESTING_DEPTH", max: MAX_NESTING_DEPTH },
    });
    return;
  }
  const head = await source.read(0, HEAD_BYTES);
  const scanner = scannerFor(head, source.size);
  if (scanner) {
    await scanner.scan(source, context);
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
function checkFile(state: DispatchState, path: string, head: Uint8Array, scanner: Scanner | undefined): void {
  const claimed = formatsClaimedBy(path);
  const known = scanner ? undefined : identifyKnownFormat(head);
  const detected = scanner?.id ?? known?.id;
  const extension = extensionOf(path);
  if (detected && claimed.length > 0 && !claimed.includes(detected)) {
    state.sink.add(makeFinding(
      "MA001",
      `Named ${extension} (${claimed.join(" or ")}) but the content is ${detected}`,
      path,
      { extension, claimedFormats: claimed, detectedFormat: detected },
    ));
  } else if (!detected && nameClaimsScannedFormat(path)) {
    state.sink.add(makeFinding(
      "MA007",
      `Named ${extension} but the content matches no known format`,
      path,
      { extension },
    ));
  }
  if (known?.mayHoldCode) {
    state.sink.add(makeFinding(
      "MA006",
      `This is a ${known.id} file, which this version of modelaudit cannot inspect yet`,
      path,
      { format: known.id },
    ));
  }
}

/**
 * Scans one source: detects its format by content, checks its name against
 * that format, runs the scanner and recurses into nested payloads.
 *
 * @example
 * ```ts
 * import { bytesSource } from "../core/byte_source.ts";
 * import { scanSource } from "./dispatch.ts";
 * const bytes = new TextEncoder().encode("cos\nsystem\n(S'echo hi'\ntR.");
 * const outcome = await scanSource(bytesSource(bytes), "model.pkl");
 * outcome.findings.map((f) => f.rule); // ["MA100", "MA101"]
 * ```
 */
export async function scanSource(
  source: ByteSource,
  path: string,
  options: SourceScanOptions = {},
): Promise<SourceScanOutcome> {
  const state: DispatchState = {
    sink: new FindingSink(),
    patterns: (options.blacklist ?? []).filter((p) => p.length > 0).map((p) => ({
      original: p,
      lower: p.toLowerCase(),
    })),
    signal: options.signal ?? new AbortController().signal,
  };
  let format: string | null = null;
  try {
    const head = await source.read(0, HEAD_BYTES);
    const scanner = scannerFor(head, source.size);
    checkFile(state, path, head, scanner);
    if (scanner) {
      format = scanner.id;
      await scanner.scan(source, makeContext(state, path, 0, false));
    }
    return { format, findings: state.sink.findings };
  } catch (error) {
    return {
      format,
      findings: state.sink.findings,
      error: error instanceof Error ? error.message : String(error),
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
 * import { scanBytes } from "./dispatch.ts";
 * const { findings } = await scanBytes(new Uint8Array([0x80, 0x04, 0x4e, 0x2e]), "none.pkl");
 * findings.length; // 0
 * ```
 */
export function scanBytes(
  bytes: Uint8Array,
  path: string,
  options: SourceScanOptions = {},
): Promise<SourceScanOutcome> {
  return scanSource(bytesSource(bytes), path, options);
}
