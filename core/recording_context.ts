/**
 * A {@linkcode ScanContext} that only records: what a scanner reports, the
 * payloads it asks to have scanned and the members it hands over. It runs one
 * scanner on bytes in memory, without the engine, e.g. in a scanner's examples
 * or while writing a new scanner.
 *
 * @module
 */

import { CallablePolicy } from "../policy/callables.ts";
import type { ByteSource } from "./byte_source.ts";
import type { ContainerMember, FindingReport, ScanContext } from "./scanner.ts";

/** What {@linkcode recordingContext} returns: the context and what it recorded, in order. */
export interface RecordingContext {
  /** The context to hand to the scanner. */
  ctx: ScanContext;
  /** Every finding reported, as the scanner reported it. */
  findings: FindingReport[];
  /** Labels of the payloads the scanner asked to scan (nothing scans them). */
  nested: string[];
  /** Members the scanner handed over (nothing scans them). */
  members: ContainerMember[];
  /** Formats the scanner named with `identify`. */
  identified: string[];
}

/**
 * A context that records, for a source named `path`: nested payloads and members are
 * listed but not scanned, callables are judged by the standard policy, `blacklist`
 * patterns match case-insensitively (as `--blacklist` does), and no sibling can be opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "./recording_context.ts";
 * const { ctx, findings } = recordingContext("model.pkl");
 * ctx.report({ rule: "MA100", message: "imports os.system", position: 2 });
 * assert.deepEqual(findings.map((f) => [f.rule, f.position]), [["MA100", 2]]);
 * ```
 */
export function recordingContext(path = "example.bin", blacklist: readonly string[] = []): RecordingContext {
  const recorded: RecordingContext = {
    findings: [],
    nested: [],
    members: [],
    identified: [],
    ctx: {
      path,
      depth: 0,
      signal: new AbortController().signal,
      report: (finding) => void recorded.findings.push(finding),
      policy: CallablePolicy.standard(),
      matchBlacklist: (text) =>
        blacklist.find((pattern) => text.toLowerCase().includes(pattern.toLowerCase())),
      scanNested: (_source: ByteSource, label: string) => {
        recorded.nested.push(label);
        return Promise.resolve();
      },
      scanMember: (member) => {
        recorded.members.push(member);
        return Promise.resolve(true);
      },
      identify: (format) => void recorded.identified.push(format),
      openSibling: () => Promise.resolve({ ok: false, reason: "no siblings in memory", escape: false }),
    },
  };
  return recorded;
}
