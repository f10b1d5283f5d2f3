/**
 * The false-positive sweep of the configuration scanners: collects the configuration files of this
 * machine (`.json`, `.yaml`, `.yml`, `.toml`, `.ini`, `.cfg`, `.xml` under `/etc`, `/usr`, `/opt`,
 * Deno's npm cache and pyenv's Pythons), scans them as `modelaudit scan` does (sandboxed workers,
 * every check: tags, Hydra targets, XXE, credentials, URLs, the shared string checks) and prints the
 * findings per rule with samples. System and package files hold no live credentials and load no
 * model, so every warning is a false alarm to fix or explain.
 *
 * ```sh
 * deno task sweep:config                      # the default roots
 * deno task sweep:config /some/dir --json     # other roots; the figures as JSON
 * ```
 *
 * @module
 */

import { scan } from "../engine/scan.ts";
import { renderLocation } from "../report/location.ts";

/** Extensions of the configuration files swept. */
const EXTENSIONS = [".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml"];
/** Files larger than this are skipped (with the scan's MA003): generated data, not configuration. */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Files per scan: bounds the results held at once. */
const BATCH_FILES = 2_000;
/** Samples kept per rule and severity. */
const SAMPLES_PER_RULE = 25;

/** The figures of a sweep. */
export interface SweepFigures {
  files: number;
  /** Files the scan could not scan (a bug to fix, never expected). */
  errors: number;
  /** Findings by `rule severity`. */
  findings: Record<string, number>;
  samples: Record<string, string[]>;
}

async function* configFiles(root: string, seen: Set<string>): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(root));
  } catch {
    return; // unreadable or vanished
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = `${root}/${entry.name}`;
    if (entry.isDirectory) yield* configFiles(path, seen);
    else if (entry.isFile && EXTENSIONS.some((ext) => entry.name.endsWith(ext)) && !seen.has(path)) {
      seen.add(path);
      yield path;
    }
  }
}

/**
 * Sweeps the configuration files under `roots`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweep } from "./sweep_configs.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.json`, '{"pad_token": "<pad>", "url": "http://203.0.113.9/x.bin"}');
 * await Deno.writeTextFile(`${root}/b.yaml`, "model:\n  _target_: torch.nn.Linear\n  in_features: 4\n");
 * const figures = await sweep([root]);
 * await Deno.remove(root, { recursive: true });
 * assert.equal(figures.files, 2);
 * assert.deepEqual(figures.findings, { "MA550 warning": 1 });
 * ```
 */
export async function sweep(roots: readonly string[]): Promise<SweepFigures> {
  const figures: SweepFigures = { files: 0, errors: 0, findings: {}, samples: {} };
  const seen = new Set<string>();
  const batch: string[] = [];
  const flush = async () => {
    const result = await scan(batch.splice(0), { maxFileSize: MAX_FILE_BYTES });
    for (const file of result.files) {
      figures.files++;
      if (file.status === "error") figures.errors++;
      for (const finding of file.findings) {
        const key = `${finding.rule} ${finding.severity}`;
        figures.findings[key] = (figures.findings[key] ?? 0) + 1;
        const samples = figures.samples[key] ??= [];
        if (samples.length < SAMPLES_PER_RULE) {
          samples.push(`${renderLocation(finding.location)}: ${finding.message}`);
        }
      }
    }
  };
  for (const root of roots) {
    for await (const file of configFiles(root, seen)) {
      batch.push(file);
      if (batch.length === BATCH_FILES) await flush();
    }
  }
  if (batch.length > 0) await flush();
  return figures;
}

/** Where configuration files live on this Debian machine: system and package files, Python's and Deno's packages. */
function defaultRoots(): string[] {
  const home = Deno.env.get("HOME") ?? "/root";
  return ["/etc", "/usr", "/opt", `${home}/.cache/deno/npm`, `${home}/.pyenv`];
}

if (import.meta.main) {
  const json = Deno.args.includes("--json");
  const args = Deno.args.filter((arg) => arg !== "--json");
  const figures = await sweep(args.length > 0 ? args : defaultRoots());
  if (json) console.log(JSON.stringify(figures, null, 2));
  else {
    console.log(`${figures.files} files, ${figures.errors} scan errors`);
    for (const [key, count] of Object.entries(figures.findings).sort()) console.log(`${key}: ${count}`);
    for (const [key, samples] of Object.entries(figures.samples).sort()) {
      console.log(`\n${key}`);
      for (const sample of samples) console.log(`  ${sample}`);
    }
  }
}
