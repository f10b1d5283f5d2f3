/**
 * The CycloneDX 1.6 ML-BOM of a finished scan: every scanned model file (and every model inside an
 * archive or compressed stream) as a component, with its SHA-256 when the caller hashed the file, its
 * size, its format and the framework that format belongs to; every finding as a vulnerability that
 * affects the component it was found in, rated by severity, with its CWE, the rule's explanation and fix,
 * and its suppression when the config file or the baseline accepted it.
 *
 * The document is built here rather than with `@cyclonedx/cyclonedx-library`, which brings a hundred
 * npm packages (a native XML validator among them) into the single binary for one JSON document; the
 * tests validate what is built here against the official CycloneDX 1.6 JSON schema instead.
 *
 * @module
 */

import { getRule } from "../core/rules.ts";
import type { ContentEntry, FileResult, Finding, ScanResult, Severity } from "../core/types.ts";
import { renderLocation } from "./location.ts";
import { ruleDocUrl } from "./rule_docs.ts";
import { allFindings, TOOL_NAME, TOOL_VERSION } from "./summary.ts";

/** The JSON schema the document declares. */
export const CYCLONEDX_SCHEMA_URI = "http://cyclonedx.org/schema/bom-1.6.schema.json";

/** Formats that hold other content rather than being a model: their members are the models. */
const CONTAINER_FORMATS: ReadonlySet<string> = new Set([
  "zip",
  "tar",
  "7z",
  "gzip",
  "bzip2",
  "xz",
  "lzma",
  "zlib",
  "lz4",
]);

/** Formats that are no model but text a model ships with (chat templates, Python code, configuration files). */
const DATA_FORMATS: ReadonlySet<string> = new Set([
  "jinja",
  "chat-template-json",
  "python",
  "yaml",
  "json",
  "toml",
  "ini",
  "xml",
]);

/** The framework or file family each model format belongs to, as the ML-BOM names it. */
const FRAMEWORKS: Readonly<Record<string, string>> = {
  "pickle": "Python pickle",
  "pytorch": "PyTorch",
  "pytorch-legacy": "PyTorch",
  "torchscript": "PyTorch (TorchScript)",
  "joblib-zfile": "joblib",
  "numpy": "NumPy",
  "safetensors": "safetensors",
  "gguf": "GGUF (llama.cpp)",
  "ggml": "GGML (llama.cpp)",
  "keras": "Keras",
  "hdf5": "Keras (HDF5)",
  "onnx": "ONNX",
  "tensorflow": "TensorFlow",
  "savedmodel": "TensorFlow",
  "jinja": "Jinja chat template",
  "chat-template-json": "Jinja chat template",
  "python": "Python source",
  "pmml": "PMML",
  "yaml": "YAML configuration",
  "json": "JSON configuration",
  "toml": "TOML configuration",
  "ini": "INI configuration",
  "xml": "XML configuration",
};

/** CycloneDX ratings: modelaudit's three severities on its scale. */
const RATINGS: Readonly<Record<Severity, "critical" | "medium" | "info">> = {
  critical: "critical",
  warning: "medium",
  info: "info",
};

/** A name/value pair, CycloneDX's extension point; modelaudit's names start with `modelaudit:`. */
export interface CycloneDxProperty {
  /** E.g. `modelaudit:format`. */
  name: string;
  /** Always a string. */
  value: string;
}

/** A component: a scanned file, or a model inside one. */
export interface CycloneDxComponent {
  /** `machine-learning-model`, or `file` for archives, compressed streams, templates and unknown files. */
  type: "machine-learning-model" | "file" | "data";
  /** Unique within the document: `file:` and the path, then `:` and each member. */
  "bom-ref": string;
  /** The file's path as scanned, or the member's name. */
  name: string;
  /** SHA-256 of a file the caller hashed. */
  hashes?: { alg: "SHA-256"; content: string }[];
  /** `modelaudit:path`, `:format`, `:framework`, `:size`, `:status`. */
  properties: CycloneDxProperty[];
  /** Models inside this file or member. */
  components?: CycloneDxComponent[];
}

/** A finding as a CycloneDX vulnerability. */
export interface CycloneDxVulnerability {
  /** `finding-1`, `finding-2`, ... in report order. */
  "bom-ref": string;
  /** The rule id, e.g. `MA100`. */
  id: string;
  /** modelaudit, with the rule's documentation page. */
  source: { name: string; url: string };
  /** The finding's severity on CycloneDX's scale. */
  ratings: { source: { name: string }; severity: string; method: "other" }[];
  /** The rule's CWE, when it has one. */
  cwes?: number[];
  /** The finding's message. */
  description: string;
  /** Why the rule matters. */
  detail: string;
  /** What to do. */
  recommendation: string;
  /** The component it was found in; absent for findings about the scan itself. */
  affects?: { ref: string }[];
  /** Set for a suppressed finding: the reason it was accepted. */
  analysis?: { response: ["will_not_fix"]; detail: string };
  /** `modelaudit:location` and, when suppressed, `modelaudit:suppressed`. */
  properties: CycloneDxProperty[];
}

/** The ML-BOM document. */
export interface CycloneDxBom {
  /** {@linkcode CYCLONEDX_SCHEMA_URI}. */
  $schema: string;
  /** Always `CycloneDX`. */
  bomFormat: "CycloneDX";
  /** Always `1.6`. */
  specVersion: "1.6";
  /** `urn:uuid:...`, new for every document. */
  serialNumber: string;
  /** The document's version: 1, as each scan writes a new one. */
  version: 1;
  /** When the scan started, and the tool that made the BOM. */
  metadata: {
    timestamp: string;
    tools: { components: { type: "application"; name: string; version: string }[] };
  };
  /** The scanned files, with the models inside them. */
  components: CycloneDxComponent[];
  /** Every finding, in report order. */
  vulnerabilities: CycloneDxVulnerability[];
}

/** Options of {@linkcode toCycloneDx}. */
export interface CycloneDxOptions {
  /** SHA-256 (hex) of the scanned files, by path as the scan names them; files without one get no hash. */
  hashes?: ReadonlyMap<string, string>;
  /** The document's serial number; a random `urn:uuid:` by default. */
  serialNumber?: string;
}

const property = (name: string, value: string | number): CycloneDxProperty => ({
  name: `modelaudit:${name}`,
  value: String(value),
});

function componentType(format: string | null): CycloneDxComponent["type"] {
  if (format === null || CONTAINER_FORMATS.has(format)) return "file";
  return DATA_FORMATS.has(format) ? "data" : "machine-learning-model";
}

function formatProperties(format: string | null, size: number): CycloneDxProperty[] {
  const framework = format === null ? undefined : FRAMEWORKS[format];
  return [
    ...(format === null ? [] : [property("format", format)]),
    ...(framework === undefined ? [] : [property("framework", framework)]),
    property("size", size),
  ];
}

const refOf = (path: string, members: readonly string[] = []) =>
  ["file", path, ...members].map((part) => part.replaceAll("%", "%25").replaceAll(":", "%3A")).join(":");

/**
 * The models inside a file: an entry counts when what holds it (the file, or the member it sits in) is
 * an archive or a compressed stream; a checkpoint's own `data.pkl` is part of that model, not another.
 */
function memberComponents(file: FileResult, unique: (ref: string) => string): CycloneDxComponent[] {
  const entries = file.contents ?? [];
  const byPath = new Map(entries.map((entry) => [entry.members.join("\0"), entry]));
  const formatOfParent = (entry: ContentEntry) =>
    entry.members.length === 1 ? file.format : byPath.get(entry.members.slice(0, -1).join("\0"))?.format;
  const components = new Map<string, CycloneDxComponent>();
  const roots: CycloneDxComponent[] = [];
  for (const entry of entries) {
    const parentFormat = formatOfParent(entry);
    if (parentFormat === undefined || parentFormat === null || !CONTAINER_FORMATS.has(parentFormat)) continue;
    const component: CycloneDxComponent = {
      type: componentType(entry.format),
      "bom-ref": unique(refOf(file.path, entry.members)),
      name: entry.members[entry.members.length - 1],
      properties: [
        property("path", [file.path, ...entry.members].join(":")),
        ...formatProperties(entry.format, entry.size),
      ],
    };
    components.set(entry.members.join("\0"), component);
    const parent = components.get(entry.members.slice(0, -1).join("\0"));
    if (parent) (parent.components ??= []).push(component);
    else roots.push(component);
  }
  return roots;
}

function fileComponent(
  file: FileResult,
  hash: string | undefined,
  unique: (ref: string) => string,
): CycloneDxComponent {
  const ref = unique(refOf(file.path));
  const members = memberComponents(file, unique);
  return {
    type: componentType(file.format),
    "bom-ref": ref,
    name: file.path,
    ...(hash === undefined ? {} : { hashes: [{ alg: "SHA-256", content: hash }] }),
    properties: [
      property("path", file.path),
      ...formatProperties(file.format, file.size),
      property("status", file.status),
      ...(file.reason === undefined ? [] : [property("reason", file.reason)]),
    ],
    ...(members.length ? { components: members } : {}),
  };
}

/** The component a finding affects: the deepest listed member on its path, else its file. */
function affected(finding: Finding, refs: ReadonlySet<string>): string | undefined {
  const { file, members } = finding.location;
  for (let depth = members.length; depth >= 0; depth--) {
    const ref = refOf(file, members.slice(0, depth));
    if (refs.has(ref)) return ref;
  }
  return undefined;
}

function vulnerability(finding: Finding, index: number, refs: ReadonlySet<string>): CycloneDxVulnerability {
  const rule = getRule(finding.rule);
  const ref = affected(finding, refs);
  const { suppressed } = finding;
  return {
    "bom-ref": `finding-${index + 1}`,
    id: finding.rule,
    source: { name: TOOL_NAME, url: ruleDocUrl(finding.rule) },
    ratings: [{ source: { name: TOOL_NAME }, severity: RATINGS[finding.severity], method: "other" }],
    ...(rule.cwe === undefined ? {} : { cwes: [rule.cwe] }),
    description: finding.message,
    detail: rule.why,
    recommendation: rule.fix,
    ...(ref === undefined ? {} : { affects: [{ ref }] }),
    ...(suppressed ? { analysis: { response: ["will_not_fix"], detail: suppressed.reason } } : {}),
    properties: [
      property("location", renderLocation(finding.location)),
      ...(suppressed ? [property("suppressed", suppressed.kind)] : []),
    ],
  };
}

function collectRefs(components: readonly CycloneDxComponent[], into: Set<string>): Set<string> {
  for (const component of components) {
    into.add(component["bom-ref"]);
    collectRefs(component.components ?? [], into);
  }
  return into;
}

/**
 * Builds the CycloneDX 1.6 ML-BOM of a finished scan. Files that were scanned as a format, or that
 * have findings, are components.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toCycloneDx } from "./cyclonedx.ts";
 * const bom = toCycloneDx({
 *   startTime: "2026-12-07T10:00:00.000Z", durationMs: 5, scannerNames: ["pickle"], findings: [],
 *   files: [{
 *     path: "models/evil.pkl", size: 25, format: "pickle", status: "scanned", bytesScanned: 25, durationMs: 5,
 *     findings: [{
 *       rule: "MA100", severity: "critical", message: "Pickle imports os.system",
 *       location: { file: "models/evil.pkl", members: [], position: 0 }, details: {},
 *     }],
 *   }],
 * }, { hashes: new Map([["models/evil.pkl", "ab".repeat(32)]]), serialNumber: "urn:uuid:00000000-0000-4000-8000-000000000000" });
 * assert.equal(bom.components[0].type, "machine-learning-model");
 * assert.deepEqual(bom.components[0].hashes, [{ alg: "SHA-256", content: "ab".repeat(32) }]);
 * assert.deepEqual(bom.vulnerabilities[0].affects, [{ ref: "file:models/evil.pkl" }]);
 * assert.equal(bom.vulnerabilities[0].ratings[0].severity, "critical");
 * ```
 */
export function toCycloneDx(result: ScanResult, options: CycloneDxOptions = {}): CycloneDxBom {
  // Two members of one archive may share a name (MA211): the second is `#2`, and findings go to the first.
  const seen = new Map<string, number>();
  const unique = (ref: string) => {
    const count = (seen.get(ref) ?? 0) + 1;
    seen.set(ref, count);
    return count === 1 ? ref : `${ref}#${count}`;
  };
  const components = result.files
    .filter((file) => (file.status === "scanned" && file.format !== null) || file.findings.length > 0)
    .map((file) => fileComponent(file, options.hashes?.get(file.path), unique));
  const refs = collectRefs(components, new Set());
  return {
    $schema: CYCLONEDX_SCHEMA_URI,
    bomFormat: "CycloneDX",
    specVersion: "1.6",
    serialNumber: options.serialNumber ?? `urn:uuid:${crypto.randomUUID()}`,
    version: 1,
    metadata: {
      timestamp: result.startTime,
      tools: { components: [{ type: "application", name: TOOL_NAME, version: TOOL_VERSION }] },
    },
    components,
    vulnerabilities: allFindings(result).map((finding, index) => vulnerability(finding, index, refs)),
  };
}

/**
 * Renders the ML-BOM of a finished scan (see {@linkcode toCycloneDx}), pretty-printed, with a final
 * newline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { renderCycloneDx } from "./cyclonedx.ts";
 * const text = renderCycloneDx({ startTime: "2026-12-07T10:00:00.000Z", durationMs: 0, files: [], findings: [], scannerNames: [] });
 * const bom = JSON.parse(text);
 * assert.equal(bom.bomFormat, "CycloneDX");
 * assert.equal(bom.specVersion, "1.6");
 * assert.ok(text.endsWith("}\n"));
 * ```
 */
export function renderCycloneDx(result: ScanResult, options: CycloneDxOptions = {}): string {
  return JSON.stringify(toCycloneDx(result, options), null, 2) + "\n";
}
