/**
 * modelaudit: a static security scanner for machine-learning model files. It
 * finds the ways loading a model can run code (a pickle's REDUCE, a pickle
 * hidden in a PyTorch checkpoint, a zip, a tar or a compressed file) without
 * ever executing, deserializing or extracting it.
 *
 * Scanning files needs Deno's `--unstable-worker-options` (scans run in workers
 * that may only read the targets) and read permission for the targets:
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { exitCode, renderText, scan } from "jsr:@modelaudit/modelaudit";
 *
 * // Here one of this repository's fixtures, a pickle that calls os.system; yours: ["./models"].
 * const result = await scan(["fixtures/pickle/malicious/global_os_system_reduce_p0.pkl"]);
 * const report = renderText(result, { color: false, verbose: false });
 * assert.match(report, /MA101/);
 * assert.equal(exitCode(result, "warning"), 1); // in a script: Deno.exitCode = exitCode(result, "warning");
 * ```
 *
 * `inspect` lists what model files hold (format, metadata, tensors), without executing anything:
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspect, renderInspectText } from "jsr:@modelaudit/modelaudit";
 *
 * const result = await inspect(["fixtures/safetensors/benign/no_metadata.safetensors"]);
 * assert.deepEqual(result.files[0].tensors?.map((t) => `${t.name} ${t.dtype} [${t.shape}]`), [
 *   "bias F32 [3]",
 *   "weight F32 [3,3]",
 * ]);
 * assert.match(renderInspectText(result), /Total: 1 file, 2 tensors, 12 parameters, 48 B/);
 * ```
 *
 * Bytes already in memory are scanned with {@linkcode scanBytes}, which needs
 * no permissions at all:
 *
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanBytes } from "jsr:@modelaudit/modelaudit";
 *
 * const { format, findings } = await scanBytes(new TextEncoder().encode("cos\nsystem\n(S'echo pwned'\ntR."), "model.pkl");
 * assert.equal(format, "pickle");
 * assert.deepEqual(findings.map((f) => f.rule), ["MA100", "MA101"]);
 * ```
 *
 * @module
 */

export type { ByteSource } from "./core/byte_source.ts";
export { bytesSource, concatSources, subSource } from "./core/byte_source.ts";
export { DecodeError } from "./core/decode_error.ts";
export type {
  ContainerMember,
  DirectoryDescriptor,
  DirectoryFile,
  DirectoryScanner,
  FindingReport,
  Inventory,
  MemberContent,
  MemberPlan,
  NestedScanOptions,
  PlanContext,
  ReaderDescriptor,
  ScanContext,
  ScanExtent,
  Scanner,
  ScannerDescriptor,
  SiblingResult,
} from "./core/scanner.ts";
export { HEAD_BYTES, PRIORITY } from "./core/detection.ts";
export { getRule, isRuleId, type Rule, type RuleId, type RuleKind, RULES } from "./core/rules.ts";
export { atLeast, SEVERITY_ORDER } from "./core/types.ts";
export type {
  ContentEntry,
  FileResult,
  Finding,
  FindingDetails,
  Location,
  ScanResult,
  Severity,
  Suppression,
} from "./core/types.ts";
export { inspect, scan, type ScanOptions, type ScanProgress } from "./engine/scan.ts";
export {
  dtypeBytes,
  elementCount,
  type ListedTensor,
  type ModelFact,
  type TensorInfo,
  type WeightTensor,
} from "./core/tensor.ts";
export {
  isDecodable,
  READ_CHUNK_BYTES,
  type TensorStorage,
  weightTensor,
} from "./scanners/tensors/decode.ts";
export {
  type InspectDocument,
  type InspectFile,
  type InspectTensor,
  type InspectTotals,
  renderInspectJson,
  toInspectDocument,
} from "./report/inspect_json.ts";
export { renderInspectText } from "./report/inspect_text.ts";
export {
  DEFAULT_SCAN_LIMITS,
  LIMIT_INFO,
  type LimitSettings,
  resolveScanLimits,
  type ScanLimits,
  setLimit,
} from "./engine/limits.ts";
export {
  scanBytes,
  scanSource,
  type SourcePlace,
  type SourceScanOptions,
  type SourceScanOutcome,
} from "./engine/dispatch.ts";
export { descriptorById, READERS, REGISTRY, type Registry, SCANNERS } from "./scanners/registry.ts";
export {
  type CallableCategory,
  CallablePolicy,
  type CallableTier,
  type CallableVerdict,
  isAttributeGetter,
  isNestedLoader,
  type PolicyExtras,
  type SafeFamily,
  type SafeTable,
} from "./policy/callables.ts";
export {
  type ConfigOptions,
  DEFAULT_SCANNER_OPTIONS,
  type GgufOptions,
  type Hdf5Options,
  type HuggingFaceOptions,
  type JinjaOptions,
  type KerasOptions,
  type LzmaOptions,
  type MsgpackOptions,
  type NumpyOptions,
  type OnnxOptions,
  parseOptionAssignment,
  type PickleOptions,
  type PythonOptions,
  type PytorchOptions,
  resolveScannerOptions,
  type SafetensorsOptions,
  SCANNER_OPTION_INFO,
  type ScannerOptionInfo,
  type ScannerOptions,
  type ScannerOptionsInput,
  setScannerOption,
  type SevenZipOptions,
  type StringOptions,
  type TarOptions,
  type TensorflowOptions,
  type WeightsOptions,
  type ZipOptions,
} from "./scanners/options.ts";
export { type Detected, detectFormat } from "./engine/detect.ts";
export type { SiblingOpener } from "./engine/siblings.ts";
export { escapeTerminal, renderText, type TextOptions } from "./report/text.ts";
export {
  type JsonFile,
  type JsonIssue,
  type JsonLocation,
  type JsonReport,
  renderJson,
  toJsonLocation,
  toJsonReport,
} from "./report/json.ts";
export { renderLocation } from "./report/location.ts";
export {
  findingFingerprints,
  GITHUB_MAX_RESULTS,
  renderSarif,
  SARIF_LEVELS,
  SARIF_SCHEMA_URI,
  type SarifArtifactLocation,
  type SarifLevel,
  type SarifLocation,
  type SarifLog,
  type SarifLogicalLocation,
  type SarifMessage,
  type SarifNotification,
  type SarifOptions,
  type SarifRegion,
  type SarifResult,
  type SarifRule,
  type SarifRun,
  type SarifSuppression,
  SECURITY_SEVERITY,
  SRCROOT,
  toSarif,
} from "./report/sarif.ts";
export {
  CYCLONEDX_SCHEMA_URI,
  type CycloneDxBom,
  type CycloneDxComponent,
  type CycloneDxOptions,
  type CycloneDxProperty,
  type CycloneDxVulnerability,
  renderCycloneDx,
  toCycloneDx,
} from "./report/cyclonedx.ts";
export {
  renderRuleDocs,
  renderRuleIndex,
  renderRuleMarkdown,
  RULE_DOCS_URL,
  ruleDocUrl,
} from "./report/rule_docs.ts";
export { cweUrl, renderRule, renderRuleList } from "./report/rules.ts";
export {
  EXIT_CLEAN,
  EXIT_ERROR,
  EXIT_FINDINGS,
  type ExitCode,
  exitCode,
  type ScanSummary,
  type SeverityCounts,
  summarize,
} from "./report/summary.ts";
