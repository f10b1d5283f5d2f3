/**
 * The false-positive sweep of the config value checks (`scanners/secrets/`): collects the
 * configuration files of this machine (`.json`, `.yaml`, `.yml`, `.toml`, `.ini`, `.cfg`,
 * `.xml` under `/etc`, `/usr` (with `/usr/lib/python3*` and the Google Cloud SDK), `/opt`, Deno's
 * npm cache and pyenv's Pythons), reads their string values with key paths, runs {@linkcode configValueFindings} on
 * each and prints the counts per rule and samples. System and package files hold no live
 * credentials and download nothing risky, so every finding is a false alarm to explain.
 *
 * ```sh
 * deno task sweep:config                      # the default roots
 * deno task sweep:config /some/dir --json     # other roots; the figures as JSON
 * ```
 *
 * JSON is read with `JSON.parse`, YAML with npm:yaml (every document of a stream), TOML
 * with npm:smol-toml. INI, `.cfg` and XML have no parser here: their `key = value` lines,
 * and XML attributes and element texts, are read line by line, which is enough for a sweep
 * and never used by the scanner. Only run by hand; nothing here is loaded by the scanner.
 *
 * @module
 */

import { parseAllDocuments } from "yaml";
import { parse as parseToml } from "smol-toml";
import { configValueFindings, type ValueFinding } from "../scanners/secrets/check.ts";

/** Extensions of the configuration files swept. */
const EXTENSIONS = [".json", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml"];
/** Files larger than this are skipped: generated data, not configuration (a few MB of JSON are dictionaries). */
const MAX_FILE_BYTES = 4 * 1024 * 1024;
/** Values walked per file: a generous bound for real configs, against pathological documents. */
const MAX_VALUES_PER_FILE = 200_000;
/** Samples printed per rule. */
const SAMPLES_PER_RULE = 25;

/** One string value of a document and where it sits. */
export interface ConfigValue {
  keyPath: string;
  value: string;
}

const keySegment = (key: string) => /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;

/**
 * The string values of a parsed document with their key paths (`$.a.b[0]`), depth first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { stringValues } from "./sweep_config_values.ts";
 * assert.deepEqual(stringValues({ hub: { token: "x" }, tags: ["a"], "api-key": "y", n: 3 }), [
 *   { keyPath: "$.hub.token", value: "x" },
 *   { keyPath: "$.tags[0]", value: "a" },
 *   { keyPath: '$["api-key"]', value: "y" },
 * ]);
 * ```
 */
export function stringValues(document: unknown, limit: number = MAX_VALUES_PER_FILE): ConfigValue[] {
  const values: ConfigValue[] = [];
  const stack: [unknown, string][] = [[document, "$"]];
  while (stack.length > 0 && values.length < limit) {
    const [node, path] = stack.pop()!;
    if (typeof node === "string") values.push({ keyPath: path, value: node });
    else if (Array.isArray(node)) {
      for (let i = node.length - 1; i >= 0; i--) stack.push([node[i], `${path}[${i}]`]);
    } else if (node !== null && typeof node === "object" && !(node instanceof Date)) {
      const entries = Object.entries(node);
      for (let i = entries.length - 1; i >= 0; i--) {
        stack.push([entries[i][1], path + keySegment(entries[i][0])]);
      }
    }
  }
  return values;
}

/** `key = value` lines of an INI or `.cfg` file, under `$.section.key`. */
function iniValues(text: string): ConfigValue[] {
  const values: ConfigValue[] = [];
  let section = "";
  for (const line of text.split(/\r?\n/)) {
    const header = /^\s*\[([^\]]+)\]\s*$/.exec(line);
    if (header) section = keySegment(header[1].trim());
    const entry = /^\s*([^#;=:\s][^=:]*?)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (!header && entry) values.push({ keyPath: `$${section}${keySegment(entry[1])}`, value: entry[2] });
  }
  return values;
}

/** XML attribute values (`$.element.@attribute`) and element texts (`$.element`). */
function xmlValues(text: string): ConfigValue[] {
  const values: ConfigValue[] = [];
  for (const element of text.matchAll(/<([A-Za-z_][\w:.-]*)([^<>]*)>([^<]*)/g)) {
    const name = element[1];
    for (const attribute of element[2].matchAll(/([A-Za-z_][\w:.-]*)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) {
      values.push({ keyPath: `$.${name}.@${attribute[1]}`, value: attribute[2] ?? attribute[3] });
    }
    if (element[3].trim() !== "") values.push({ keyPath: `$.${name}`, value: element[3].trim() });
  }
  return values;
}

/**
 * The string values of one configuration file by its extension, or `undefined` when it does
 * not parse.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { valuesOf } from "./sweep_config_values.ts";
 * assert.deepEqual(valuesOf("a.toml", 'token = "x"'), [{ keyPath: "$.token", value: "x" }]);
 * assert.deepEqual(valuesOf("a.ini", "[hub]\ntoken = x"), [{ keyPath: "$.hub.token", value: "x" }]);
 * assert.equal(valuesOf("a.json", "{"), undefined);
 * ```
 */
export function valuesOf(path: string, text: string): ConfigValue[] | undefined {
  try {
    if (path.endsWith(".json")) return stringValues(JSON.parse(text));
    if (path.endsWith(".toml")) return stringValues(parseToml(text));
    if (path.endsWith(".yaml") || path.endsWith(".yml")) {
      const documents = parseAllDocuments(text);
      if (!Array.isArray(documents)) return undefined;
      return documents.flatMap((document) =>
        document.errors.length > 0 ? [] : stringValues(document.toJS({ maxAliasCount: 100 }))
      );
    }
    if (path.endsWith(".xml")) return xmlValues(text);
    return iniValues(text);
  } catch {
    return undefined;
  }
}

/** Root elements of web documents saved as `.xml` (chardet's test corpus holds hundreds): pages and feeds, not settings. */
const WEB_DOCUMENT_ROOTS = new Set(["html", "feed", "rss", "rdf:rdf"]);

/** The lower-case name of an XML document's root element, past its prolog, comments and doctype. */
function xmlRoot(text: string): string {
  const head = text.slice(0, 64 * 1024).replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<![^>]*>/g, "");
  return /<([A-Za-z_][\w:.-]*)/.exec(head)?.[1].toLowerCase() ?? "";
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

/** The figures of a sweep. */
export interface SweepFigures {
  files: number;
  /** `.xml` files that are web pages or feeds (root `html`, `feed`, `rss`), not configuration: not swept. */
  webDocuments: number;
  unparsed: number;
  values: number;
  findings: Record<string, number>;
  samples: Record<string, { file: string; keyPath: string; message: string }[]>;
}

/**
 * Sweeps the configuration files under `roots`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sweep } from "./sweep_config_values.ts";
 * const root = await Deno.makeTempDir();
 * await Deno.writeTextFile(`${root}/a.json`, '{"pad_token": "<pad>", "url": "http://203.0.113.9/x.bin"}');
 * const figures = await sweep([root]);
 * await Deno.remove(root, { recursive: true });
 * assert.equal(figures.files, 1);
 * assert.equal(figures.values, 2);
 * assert.deepEqual(figures.findings, { MA550: 1 });
 * ```
 */
export async function sweep(roots: readonly string[]): Promise<SweepFigures> {
  const figures: SweepFigures = {
    files: 0,
    webDocuments: 0,
    unparsed: 0,
    values: 0,
    findings: {},
    samples: {},
  };
  const seen = new Set<string>();
  for (const root of roots) {
    for await (const file of configFiles(root, seen)) {
      let text: string;
      try {
        if ((await Deno.stat(file)).size > MAX_FILE_BYTES) continue;
        text = await Deno.readTextFile(file);
      } catch {
        continue;
      }
      if (file.endsWith(".xml") && WEB_DOCUMENT_ROOTS.has(xmlRoot(text))) {
        figures.webDocuments++;
        continue;
      }
      figures.files++;
      const values = valuesOf(file, text);
      if (values === undefined) {
        figures.unparsed++;
        continue;
      }
      for (const { keyPath, value } of values) {
        figures.values++;
        for (const finding of configValueFindings(value, keyPath)) record(figures, file, keyPath, finding);
      }
    }
  }
  return figures;
}

function record(figures: SweepFigures, file: string, keyPath: string, finding: ValueFinding): void {
  const key = `${finding.rule} ${finding.severity}`;
  figures.findings[finding.rule] = (figures.findings[finding.rule] ?? 0) + 1;
  const samples = figures.samples[key] ??= [];
  if (samples.length < SAMPLES_PER_RULE) samples.push({ file, keyPath, message: finding.message });
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
    console.log(
      `${figures.files} files (${figures.unparsed} unparsed; ${figures.webDocuments} web pages and feeds named .xml skipped), ${figures.values} string values`,
    );
    for (const [rule, count] of Object.entries(figures.findings).sort()) console.log(`${rule}: ${count}`);
    for (const [key, samples] of Object.entries(figures.samples).sort()) {
      console.log(`\n${key}`);
      for (const sample of samples) console.log(`  ${sample.file} ${sample.keyPath}: ${sample.message}`);
    }
  }
}
