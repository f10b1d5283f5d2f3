// A ScanContext over an array, for testing the pickle scanner on its own: it
// records findings with their positions and scans nested payloads with the
// pickle scanner itself, as the engine would.
import { type ByteSource, bytesSource } from "../../../core/byte_source.ts";
import { getRule, type RuleId } from "../../../core/rules.ts";
import { HEAD_BYTES } from "../../../core/detection.ts";
import type { ScanContext } from "../../../core/scanner.ts";
import type { FindingDetails, Severity } from "../../../core/types.ts";
import { resolveScannerOptions } from "../../../scanners/options.ts";
import type { PickleOptions } from "../../../scanners/option_catalog.ts";
import { detectPickle, scanPickle } from "../../../scanners/pickle/scanner.ts";
import { CallablePolicy } from "../../../policy/callables.ts";

/** A finding as the tests compare it. */
export interface TestFinding {
  rule: RuleId;
  severity: Severity;
  /** Where: `t.pkl` or `t.pkl:<payload@17>`. */
  path: string;
  position: number | undefined;
  details: FindingDetails;
}

/** What `scan` accepts besides the bytes. */
export interface TestScanOptions {
  /** The pickle scanner's limits to lower; the rest keep their defaults. */
  limits?: Partial<PickleOptions>;
  blacklist?: string[];
  /** Reads only the first pickle (see `PickleScanOptions.firstOnly`). */
  firstOnly?: boolean;
}

function context(
  path: string,
  findings: TestFinding[],
  options: TestScanOptions,
  opportunistic: boolean,
): ScanContext {
  return {
    path,
    depth: path.split(":").length - 1,
    signal: new AbortController().signal,
    policy: CallablePolicy.standard(),
    options: resolveScannerOptions({ pickle: options.limits }),
    openSibling: () => Promise.resolve({ ok: false, escape: false, reason: "no siblings in this test" }),
    report({ rule, position, severity, details }) {
      // An opportunistic nested scan keeps only security findings, as the engine does.
      if (opportunistic && getRule(rule).kind !== "security") return;
      findings.push({
        rule,
        severity: severity ?? getRule(rule).severity,
        path,
        position,
        details: details ?? {},
      });
    },
    matchBlacklist(text) {
      const lower = text.toLowerCase();
      return options.blacklist?.find((pattern) => lower.includes(pattern.toLowerCase()));
    },
    async scanNested(source: ByteSource, label, nested = {}) {
      const inner = context(`${path}:${label}`, findings, options, opportunistic || !!nested.opportunistic);
      if (detectPickle(await source.read(0, HEAD_BYTES), source.size)) {
        await scanPickle(source, inner);
      } else {
        inner.report({ rule: "MA006", message: "not a pickle" });
      }
    },
    scanMember: () => Promise.reject(new Error("a pickle has no container members")),
    identify: () => {},
  };
}

/** Scans `bytes` as the file `t.pkl` with the pickle scanner; returns every finding in report order. */
export async function scan(bytes: Uint8Array, options: TestScanOptions = {}): Promise<TestFinding[]> {
  const findings: TestFinding[] = [];
  await scanPickle(bytesSource(bytes), context("t.pkl", findings, options, false), {
    firstOnly: options.firstOnly,
  });
  return findings;
}

/** `scan`, reduced to `[rule, severity, position]` triples (with the path when nested). */
export async function scanBrief(bytes: Uint8Array, options: TestScanOptions = {}): Promise<string[]> {
  return (await scan(bytes, options)).map((f) =>
    `${f.rule} ${f.severity} ${f.path === "t.pkl" ? "" : f.path + " "}@${f.position}`
  );
}
