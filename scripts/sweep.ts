/**
 * The false-positive sweep: scans every benign file `scripts/sweep_benign.py`
 * wrote (one folder per family) and prints, per family, how many files have
 * findings and which names cause them. Every finding is a false alarm.
 *
 * ```sh
 * deno task sweep                                   # write .bench/sweep, then scan it
 * deno run --allow-read scripts/sweep.ts DIR        # scan an existing sweep
 * deno run --allow-read scripts/sweep.ts DIR --json # the figures as JSON
 * ```
 *
 * Only run by hand; nothing here is loaded by the scanner.
 *
 * @module
 */

import { scanBytes } from "../engine/dispatch.ts";

/** The figures of one family. */
export interface FamilyFigures {
  /** The family's folder name. */
  family: string;
  /** Files scanned. */
  files: number;
  /** Files with at least one finding. */
  filesWithFindings: number;
  /** Findings by severity. */
  critical: number;
  warning: number;
  info: number;
  /** The most frequent `rule name` pairs, with their counts. */
  top: [string, number][];
}

async function sortedEntries(dir: string, directories: boolean): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    if (directories ? entry.isDirectory : entry.isFile) names.push(entry.name);
  }
  return names.sort();
}

/**
 * Scans one family's folder in-process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweepFamily } from "./sweep.ts";
 * // A sweep folder with one family of two files: one benign pickle, one that calls os.system.
 * const root = await Deno.makeTempDir();
 * await Deno.mkdir(`${root}/pickles`);
 * await Deno.copyFile("fixtures/pickle/benign/plain_data_p1.pkl", `${root}/pickles/benign.pkl`);
 * await Deno.copyFile("fixtures/pickle/malicious/global_os_system_reduce_p0.pkl", `${root}/pickles/evil.pkl`);
 * const figures = await sweepFamily(root, "pickles");
 * await Deno.remove(root, { recursive: true });
 * assert.equal(figures.files, 2);
 * assert.equal(figures.filesWithFindings, 1); // in a real sweep, every such file is a false alarm
 * assert.deepEqual(figures.top.map(([cause]) => cause), ["MA100 os.system", "MA101 os.system"]);
 * ```
 */
export async function sweepFamily(root: string, family: string): Promise<FamilyFigures> {
  const figures: FamilyFigures = {
    family,
    files: 0,
    filesWithFindings: 0,
    critical: 0,
    warning: 0,
    info: 0,
    top: [],
  };
  const causes = new Map<string, number>();
  for (const name of await sortedEntries(`${root}/${family}`, false)) {
    const { findings, error } = await scanBytes(await Deno.readFile(`${root}/${family}/${name}`), name);
    if (error) throw new Error(`${family}/${name}: ${error}`);
    figures.files++;
    if (findings.length > 0) figures.filesWithFindings++;
    for (const finding of findings) {
      figures[finding.severity]++;
      const callee = [finding.details.module, finding.details.function].filter((s) => s).join(".");
      const cause = `${finding.rule} ${callee || finding.message.slice(0, 60)}`;
      causes.set(cause, (causes.get(cause) ?? 0) + 1);
    }
  }
  figures.top = [...causes].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 5);
  return figures;
}

if (import.meta.main) {
  const root = Deno.args.find((arg) => !arg.startsWith("--")) ?? ".bench/sweep";
  const all: FamilyFigures[] = [];
  for (const family of await sortedEntries(root, true)) all.push(await sweepFamily(root, family));
  if (Deno.args.includes("--json")) {
    console.log(JSON.stringify(all, null, 2));
  } else {
    console.log("family           files  with findings  critical  warning  info  top causes");
    for (const f of all) {
      const top = f.top.map(([cause, n]) => `${cause} (${n})`).join("; ");
      console.log(
        `${f.family.padEnd(16)} ${String(f.files).padStart(5)}  ${
          String(f.filesWithFindings).padStart(13)
        }  ` +
          `${String(f.critical).padStart(8)}  ${String(f.warning).padStart(7)}  ${
            String(f.info).padStart(4)
          }  ${top}`,
      );
    }
    const sum = (key: "files" | "filesWithFindings" | "warning" | "critical") =>
      all.reduce((n, f) => n + f[key], 0);
    console.log(
      `total            ${String(sum("files")).padStart(5)}  ${
        String(sum("filesWithFindings")).padStart(13)
      }  ` +
        `${String(sum("critical")).padStart(8)}  ${String(sum("warning")).padStart(7)}`,
    );
  }
}
