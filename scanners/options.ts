/**
 * Every scanner's options in one place: the typed table a scan carries
 * (`scannerOptions: { pickle: { maxOpcodes: 1_000_000 } }`), its defaults, its
 * validation, and the one-line meaning of each option for `modelaudit limits`.
 * The engine resolves the table once per scan and hands it to the scanners in
 * their context; a scanner reads its own part with {@linkcode scannerOptions}.
 *
 * Each scanner declares its options in its section of `option_catalog.ts`; a new
 * one is added there, here to {@linkcode ScannerOptions} and to the table below.
 *
 * @module
 */

import type { ScanContext } from "../core/scanner.ts";
import {
  CONFIG_OPTION_SUMMARIES,
  type ConfigOptions,
  DEFAULT_CONFIG_OPTIONS,
  DEFAULT_GGUF_OPTIONS,
  DEFAULT_HDF5_OPTIONS,
  DEFAULT_HUGGINGFACE_OPTIONS,
  DEFAULT_JINJA_OPTIONS,
  DEFAULT_KERAS_OPTIONS,
  DEFAULT_LZMA_OPTIONS,
  DEFAULT_MSGPACK_OPTIONS,
  DEFAULT_NUMPY_OPTIONS,
  DEFAULT_ONNX_OPTIONS,
  DEFAULT_PICKLE_OPTIONS,
  DEFAULT_PYTHON_OPTIONS,
  DEFAULT_PYTORCH_OPTIONS,
  DEFAULT_SAFETENSORS_OPTIONS,
  DEFAULT_SEVENZIP_OPTIONS,
  DEFAULT_STRING_OPTIONS,
  DEFAULT_TAR_OPTIONS,
  DEFAULT_TENSORFLOW_OPTIONS,
  DEFAULT_WEIGHTS_OPTIONS,
  DEFAULT_ZIP_OPTIONS,
  GGUF_OPTION_SUMMARIES,
  type GgufOptions,
  HDF5_OPTION_SUMMARIES,
  type Hdf5Options,
  HUGGINGFACE_OPTION_SUMMARIES,
  type HuggingFaceOptions,
  JINJA_OPTION_SUMMARIES,
  type JinjaOptions,
  KERAS_OPTION_SUMMARIES,
  type KerasOptions,
  LZMA_OPTION_SUMMARIES,
  type LzmaOptions,
  MSGPACK_OPTION_SUMMARIES,
  type MsgpackOptions,
  NUMPY_OPTION_SUMMARIES,
  type NumpyOptions,
  ONNX_OPTION_SUMMARIES,
  type OnnxOptions,
  PICKLE_OPTION_SUMMARIES,
  type PickleOptions,
  PYTHON_OPTION_SUMMARIES,
  type PythonOptions,
  PYTORCH_OPTION_SUMMARIES,
  type PytorchOptions,
  SAFETENSORS_OPTION_SUMMARIES,
  type SafetensorsOptions,
  SEVENZIP_OPTION_SUMMARIES,
  type SevenZipOptions,
  STRING_OPTION_SUMMARIES,
  type StringOptions,
  TAR_OPTION_SUMMARIES,
  type TarOptions,
  TENSORFLOW_OPTION_SUMMARIES,
  type TensorflowOptions,
  WEIGHTS_OPTION_SUMMARIES,
  type WeightsOptions,
  ZIP_OPTION_SUMMARIES,
  type ZipOptions,
} from "./option_catalog.ts";

export type {
  ConfigOptions,
  GgufOptions,
  Hdf5Options,
  HuggingFaceOptions,
  JinjaOptions,
  KerasOptions,
  LzmaOptions,
  MsgpackOptions,
  NumpyOptions,
  OnnxOptions,
  PickleOptions,
  PythonOptions,
  PytorchOptions,
  SafetensorsOptions,
  SevenZipOptions,
  StringOptions,
  TarOptions,
  TensorflowOptions,
  WeightsOptions,
  ZipOptions,
} from "./option_catalog.ts";

/**
 * The options of every scanner, by scanner id (`pytorch` for the PyTorch scanners together).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SCANNER_OPTIONS, type ScannerOptions } from "./options.ts";
 * const options: ScannerOptions = { ...DEFAULT_SCANNER_OPTIONS };
 * assert.equal(options.pickle.maxOpcodes, 50_000_000);
 * ```
 */
export interface ScannerOptions {
  /** The pickle scanner's, which every pickle-based format uses too (PyTorch, joblib, numpy object arrays). */
  pickle: PickleOptions;
  /** The .npy scanner's, for .npy files and the arrays of .npz archives. */
  numpy: NumpyOptions;
  /** The tar scanner's. */
  tar: TarOptions;
  /** The zip scanner's, for every zip-based format (PyTorch checkpoints, `.npz`, `.keras`). */
  zip: ZipOptions;
  /** The PyTorch scanners' (zip checkpoints, legacy streams and tars), beyond the pickle and zip ones. */
  pytorch: PytorchOptions;
  /** The 7z scanner's. */
  sevenzip: SevenZipOptions;
  /** The LZMA-alone scanner's (`.lzma`, joblib's `compress="lzma"`). */
  lzma: LzmaOptions;
  /** The safetensors scanner's. */
  safetensors: SafetensorsOptions;
  /** The string checks every format shares for strings carried as data (safetensors metadata). */
  strings: StringOptions;
  /** The chat-template scanners' (`.jinja`, `tokenizer_config.json`, `chat_template.json`). */
  jinja: JinjaOptions;
  /** The configuration scanners' (YAML, JSON, TOML, INI and XML files, `model_config.yaml` in a `.nemo`). */
  config: ConfigOptions;
  /** The GGUF and legacy GGML scanners'. */
  gguf: GgufOptions;
  /** The ONNX scanner's. */
  onnx: OnnxOptions;
  /** The TensorFlow scanner's (SavedModel, GraphDef, keras_metadata.pb). */
  tensorflow: TensorflowOptions;
  /** The Keras scanners' (`.keras` archives, and the model configs of HDF5 models). */
  keras: KerasOptions;
  /** The HDF5 scanner's (Keras `.h5` models and weights, any HDF5 file). */
  hdf5: Hdf5Options;
  /** The Python source scanner's (`.py` files: `modeling_*.py`, handlers). */
  python: PythonOptions;
  /** The weight analysis's (every format's tensors): whether it runs, its thresholds, its read budget. */
  weights: WeightsOptions;
  /** The Hugging Face folder's (its configs' `auto_map` and `custom_pipelines`). */
  huggingface: HuggingFaceOptions;
  /** The msgpack scanner's (Flax checkpoints). */
  msgpack: MsgpackOptions;
}

/**
 * Options a user sets: any scanner, any of its options; the rest keep their defaults.
 *
 * @example
 * ```ts
 * import type { ScannerOptionsInput } from "./options.ts";
 * const input: ScannerOptionsInput = { pickle: { maxOpcodes: 1_000_000 } };
 * ```
 */
export type ScannerOptionsInput = {
  readonly [Id in keyof ScannerOptions]?: Readonly<Partial<ScannerOptions[Id]>>;
};

/** A scanner's defaults and what each of its options means. */
interface OptionSet<Options> {
  defaults: Readonly<Options>;
  summaries: Readonly<Record<keyof Options, string>>;
}

const OPTION_SETS: { readonly [Id in keyof ScannerOptions]: OptionSet<ScannerOptions[Id]> } = {
  pickle: { defaults: DEFAULT_PICKLE_OPTIONS, summaries: PICKLE_OPTION_SUMMARIES },
  numpy: { defaults: DEFAULT_NUMPY_OPTIONS, summaries: NUMPY_OPTION_SUMMARIES },
  tar: { defaults: DEFAULT_TAR_OPTIONS, summaries: TAR_OPTION_SUMMARIES },
  zip: { defaults: DEFAULT_ZIP_OPTIONS, summaries: ZIP_OPTION_SUMMARIES },
  pytorch: { defaults: DEFAULT_PYTORCH_OPTIONS, summaries: PYTORCH_OPTION_SUMMARIES },
  sevenzip: { defaults: DEFAULT_SEVENZIP_OPTIONS, summaries: SEVENZIP_OPTION_SUMMARIES },
  lzma: { defaults: DEFAULT_LZMA_OPTIONS, summaries: LZMA_OPTION_SUMMARIES },
  safetensors: { defaults: DEFAULT_SAFETENSORS_OPTIONS, summaries: SAFETENSORS_OPTION_SUMMARIES },
  strings: { defaults: DEFAULT_STRING_OPTIONS, summaries: STRING_OPTION_SUMMARIES },
  jinja: { defaults: DEFAULT_JINJA_OPTIONS, summaries: JINJA_OPTION_SUMMARIES },
  config: { defaults: DEFAULT_CONFIG_OPTIONS, summaries: CONFIG_OPTION_SUMMARIES },
  gguf: { defaults: DEFAULT_GGUF_OPTIONS, summaries: GGUF_OPTION_SUMMARIES },
  onnx: { defaults: DEFAULT_ONNX_OPTIONS, summaries: ONNX_OPTION_SUMMARIES },
  tensorflow: { defaults: DEFAULT_TENSORFLOW_OPTIONS, summaries: TENSORFLOW_OPTION_SUMMARIES },
  keras: { defaults: DEFAULT_KERAS_OPTIONS, summaries: KERAS_OPTION_SUMMARIES },
  hdf5: { defaults: DEFAULT_HDF5_OPTIONS, summaries: HDF5_OPTION_SUMMARIES },
  python: { defaults: DEFAULT_PYTHON_OPTIONS, summaries: PYTHON_OPTION_SUMMARIES },
  weights: { defaults: DEFAULT_WEIGHTS_OPTIONS, summaries: WEIGHTS_OPTION_SUMMARIES },
  huggingface: { defaults: DEFAULT_HUGGINGFACE_OPTIONS, summaries: HUGGINGFACE_OPTION_SUMMARIES },
  msgpack: { defaults: DEFAULT_MSGPACK_OPTIONS, summaries: MSGPACK_OPTION_SUMMARIES },
};

/**
 * One option as `modelaudit limits` lists it (a scanner's, or one of the engine's `ScanLimits`).
 *
 * @example
 * ```ts
 * import type { ScannerOptionInfo } from "./options.ts";
 * const info: ScannerOptionInfo = { name: "pickle.maxOpcodes", default: 50_000_000, summary: "Opcodes ..." };
 * ```
 */
export interface ScannerOptionInfo {
  /** `scanner.option` (`engine.option` for the engine's), as `--limit` takes it. */
  name: string;
  /** Its value when the user sets none. */
  default: number;
  /** What it bounds, and what happens past it. */
  summary: string;
}

/**
 * Every option of every scanner, scanner by scanner, in declaration order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCANNER_OPTION_INFO } from "./options.ts";
 * assert.equal(SCANNER_OPTION_INFO.some((option) => option.name === "pickle.maxOpcodes"), true);
 * ```
 */
export const SCANNER_OPTION_INFO: readonly ScannerOptionInfo[] = Object.freeze(
  Object.entries(OPTION_SETS).flatMap(([id, set]: [string, OptionSet<Record<string, number>>]) =>
    Object.entries(set.defaults).map(([name, value]) => ({
      name: `${id}.${name}`,
      default: value,
      summary: set.summaries[name],
    }))
  ),
);

/** The resolution of no settings, once per thread ({@linkcode resolveScannerOptions} fills it in). */
let resolvedDefaults: Readonly<ScannerOptions> | undefined;

/**
 * Every scanner's options when the user sets none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DEFAULT_SCANNER_OPTIONS } from "./options.ts";
 * assert.equal(DEFAULT_SCANNER_OPTIONS.pickle.maxMarkDepth, 10_000);
 * ```
 */
export const DEFAULT_SCANNER_OPTIONS: Readonly<ScannerOptions> = resolveScannerOptions();

function optionError(name: string, problem: string, known = SCANNER_OPTION_INFO): RangeError {
  const valid = known.map((option) => option.name).join(", ");
  return new RangeError(`${problem}: "${name}". Valid options: ${valid}`);
}

/**
 * Checks that `value` can be the value of option `name` (`pickle.maxOpcodes`): a
 * whole number from 0 to 2^53 - 1. `given` is what the user wrote, for the message.
 *
 * @throws {RangeError} When it cannot.
 */
function checkedValue(name: string, value: unknown, given: unknown = value): number {
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(
      `The value of ${name} must be a whole number from 0 up, not ${JSON.stringify(given)}`,
    );
  }
  return value;
}

/**
 * One group of options (a scanner's, or the engine's limits as `engine`): `given`'s where set (not
 * `undefined`), `defaults` elsewhere; frozen. `known` lists the valid names for the message of a mistake.
 *
 * @throws {RangeError} On an option `defaults` lacks, or a value that is not a whole number from 0 up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveOptionGroup, SCANNER_OPTION_INFO } from "./options.ts";
 * const tar = resolveOptionGroup("tar", { maxEntries: 10, maxNameBytes: 100 }, { maxEntries: 5 }, SCANNER_OPTION_INFO);
 * assert.deepEqual(tar, { maxEntries: 5, maxNameBytes: 100 });
 * ```
 */
export function resolveOptionGroup<Options extends object>(
  group: string,
  defaults: Readonly<Options>,
  given: object | undefined,
  known: readonly ScannerOptionInfo[],
): Readonly<Options> {
  const options: Record<string, unknown> = { ...defaults };
  for (const [name, value] of Object.entries(given ?? {})) {
    if (!Object.hasOwn(defaults, name)) throw optionError(`${group}.${name}`, "Unknown option", known);
    // `{ maxEntries: undefined }` is a spread of unset settings, not a value.
    if (value !== undefined) options[name] = checkedValue(`${group}.${name}`, value);
  }
  // Only names of `defaults` were set, each to a number as its default is.
  return Object.freeze(options) as Readonly<Options>;
}

/**
 * Every scanner's options: the user's where set (not `undefined`), the defaults elsewhere. Frozen: a
 * scanner reads them, and a scan shares them across files.
 *
 * @throws {RangeError} On an unknown scanner or option, or a value that is not a whole number from 0 up.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveScannerOptions } from "./options.ts";
 * const options = resolveScannerOptions({ pickle: { maxOpcodes: 1_000 } });
 * assert.equal(options.pickle.maxOpcodes, 1_000);
 * assert.equal(options.pickle.maxMemoEntries, 1_000_000);
 * ```
 */
export function resolveScannerOptions(input: ScannerOptionsInput = {}): Readonly<ScannerOptions> {
  const given: Readonly<Record<string, Readonly<Record<string, unknown>> | undefined>> = input;
  // Every file of a scan without settings resolves nothing: the defaults are resolved once per thread.
  const none = Object.keys(given).length === 0;
  if (none && resolvedDefaults) return resolvedDefaults;
  const resolved: Record<string, Readonly<Record<string, number>>> = {};
  for (const id of Object.keys(given)) {
    if (!Object.hasOwn(OPTION_SETS, id)) throw optionError(id, "Unknown scanner");
  }
  const sets: [string, OptionSet<Record<string, number>>][] = Object.entries(OPTION_SETS);
  for (const [id, set] of sets) {
    resolved[id] = resolveOptionGroup(id, set.defaults, given[id], SCANNER_OPTION_INFO);
  }
  // Every id of ScannerOptions is in OPTION_SETS, each with all its options: the loops filled them in.
  const options = Object.freeze(resolved) as unknown as Readonly<ScannerOptions>;
  if (none) resolvedDefaults = options;
  return options;
}

/**
 * Reads `group.option=value` (`pickle.maxOpcodes=1000000`, digits optionally grouped with `_`),
 * for an option of `known`: the form a command line or a config file sets one in.
 *
 * @throws {RangeError} On text of another shape, an option not in `known` or a value that is not a whole
 * number from 0 up; the message lists the valid options.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseOptionAssignment, SCANNER_OPTION_INFO } from "./options.ts";
 * assert.deepEqual(parseOptionAssignment("tar.maxEntries=1_000", SCANNER_OPTION_INFO), {
 *   group: "tar",
 *   option: "maxEntries",
 *   value: 1000,
 * });
 * assert.throws(() => parseOptionAssignment("tar.maxEntries=-1", SCANNER_OPTION_INFO), RangeError);
 * ```
 */
export function parseOptionAssignment(
  assignment: string,
  known: readonly ScannerOptionInfo[],
): { group: string; option: string; value: number } {
  const match = /^([A-Za-z0-9]+)\.([A-Za-z0-9]+)=(.*)$/.exec(assignment);
  if (!match) throw optionError(assignment, "Expected NAME=VALUE", known);
  const [, group, option, text] = match;
  const name = `${group}.${option}`;
  if (!known.some((candidate) => candidate.name === name)) throw optionError(name, "Unknown option", known);
  const value = /^\d+(_\d+)*$/.test(text) ? Number(text.replaceAll("_", "")) : Number.NaN;
  return { group, option, value: checkedValue(name, value, text) };
}

/**
 * Sets one scanner option, written `scanner.option=value` (`pickle.maxOpcodes=1000000`), in `input`.
 *
 * @throws {RangeError} As {@linkcode parseOptionAssignment} does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { setScannerOption, type ScannerOptionsInput } from "./options.ts";
 * const input: ScannerOptionsInput = setScannerOption({}, "pickle.maxOpcodes=1_000_000");
 * assert.equal(input.pickle?.maxOpcodes, 1_000_000);
 * ```
 */
export function setScannerOption(input: ScannerOptionsInput, assignment: string): ScannerOptionsInput {
  const { group, option, value } = parseOptionAssignment(assignment, SCANNER_OPTION_INFO);
  const given: Readonly<Record<string, Readonly<Record<string, number>> | undefined>> = input;
  return { ...given, [group]: { ...given[group], [option]: value } } as ScannerOptionsInput;
}

/**
 * The options of every scanner for the scan `ctx` belongs to: what the engine resolved,
 * or the defaults for a context that carries none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../core/recording_context.ts";
 * import { DEFAULT_SCANNER_OPTIONS, scannerOptions } from "./options.ts";
 * const { ctx } = recordingContext("model.pkl"); // a context the engine did not make: no options
 * assert.equal(scannerOptions(ctx), DEFAULT_SCANNER_OPTIONS);
 * const lowered = { ...DEFAULT_SCANNER_OPTIONS, pickle: { ...DEFAULT_SCANNER_OPTIONS.pickle, maxOpcodes: 1000 } };
 * assert.equal(scannerOptions({ options: lowered }).pickle.maxOpcodes, 1000);
 * ```
 */
export function scannerOptions(ctx: Pick<ScanContext, "options">): Readonly<ScannerOptions> {
  // The engine fills ctx.options from resolveScannerOptions, whose result has this type.
  return (ctx.options as Readonly<ScannerOptions> | undefined) ?? DEFAULT_SCANNER_OPTIONS;
}
