/**
 * The Keras config check: walks a model config as Keras rebuilds it (`config.json` of a Keras 3
 * `.keras` archive, or the `model_config` and `training_config` attributes of a legacy HDF5
 * model) and reports what runs on load. Every object with a `class_name` is an object Keras
 * deserializes, wherever it is nested (layers of Functional and Sequential models, nested
 * models, wrappers such as `TimeDistributed` and `Bidirectional`, initializers, activations,
 * losses, metrics, optimizers, dtype policies):
 *
 * - a callable its `module` and `class_name` (or function name) name is judged by the shared
 *   policy of callables, extended by Keras's own namespaces ({@linkcode SAFE_KERAS}): denied is
 *   MA403, unknown outside Keras is MA404;
 * - a Lambda's bytecode (Keras 3 `__lambda__` objects, Keras 2 `function_type: "lambda"`) is
 *   decoded and what it names judged: MA400, MA401, or MA402 when it cannot be decoded;
 * - `enable_unsafe_deserialization` anywhere (MA405), `TFSMLayer` (MA406), and
 *   `TorchModuleWrapper`, whose torch.save blob is scanned as a nested payload (MA407);
 * - every other string goes through the shared string checks (`--blacklist`, second stages,
 *   embedded code and pickles: MA005, MA011, MA012).
 *
 * Keras 2 configs name no module: Keras 2 resolves a `class_name` among its own objects and the
 * loader's custom objects, never by import, so only their Lambdas and special layers are judged.
 *
 * @module
 */

import { bytesSource } from "../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../core/scanner.ts";
import type { CallablePolicy, CallableVerdict } from "../../policy/callables.ts";
import { scannerOptions } from "../options.ts";
import { checkString, type StringCheckContext } from "../strings/checks.ts";
import { decodeLambdaCode, deniedReferences } from "./lambda_code.ts";
import type { KerasOptions } from "../option_catalog.ts";
import { SAFE_KERAS } from "./safe_keras.ts";

/**
 * Distinct strings and callable names whose verdicts one walk remembers: a cache, bounding memory
 * only; a string past it is checked again each time it occurs.
 */
const MAX_CACHED = 100_000;

/** The objects Keras 3's deserializer builds itself, whatever their `module`. */
const BUILT_IN_MARKERS: ReadonlySet<string> = new Set([
  "__keras_tensor__",
  "__tensor__",
  "__numpy__",
  "__bytes__",
  "__ellipsis__",
  "__slice__",
  "__lambda__",
]);

/** The packages whose `module` Keras resolves through its own API table or imports as its own. */
const KERAS_PACKAGES: ReadonlySet<string> = new Set([
  "keras",
  "keras_hub",
  "keras_cv",
  "keras_nlp",
  "tf_keras",
]);

const UNSAFE_SWITCH = "enable_unsafe_deserialization";
const REMOTE_PATH = /^[a-z][a-z0-9+.-]*:\/\//i;

/** The policies with Keras's namespaces, by the scan's policy they extend: built once per scan. */
const kerasPolicies = new WeakMap<CallablePolicy, CallablePolicy>();

function kerasPolicy(policy: CallablePolicy): CallablePolicy {
  let extended = kerasPolicies.get(policy);
  if (!extended) kerasPolicies.set(policy, extended = policy.extend({}, [SAFE_KERAS]));
  return extended;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: Json | undefined): string | undefined => typeof value === "string" ? value : undefined;

/** A key path step: `.name` for identifiers, `["odd key"]` otherwise. */
function step(path: string, key: string | number): string {
  if (typeof key === "number") return `${path}[${key}]`;
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`;
}

/** Where findings of one config go, and what the walk has counted. */
class ConfigWalk {
  #nodes = 0;
  #limited = false;
  readonly #policy: CallablePolicy;
  readonly #options: Readonly<KerasOptions>;
  readonly #nested: Promise<void>[] = [];
  /** Key paths of strings that hold code or a payload, judged as such rather than as text. */
  readonly #payloads = new Set<string>();
  readonly #strings: StringCheckContext;
  readonly #cleanStrings = new Set<string>();
  readonly #verdicts = new Map<string, CallableVerdict>();
  /** Findings reported so far, to tell whether a string check found something. */
  #reported = 0;

  constructor(readonly ctx: ScanContext, readonly member: string | undefined) {
    this.#policy = kerasPolicy(ctx.policy);
    this.#options = scannerOptions(ctx).keras;
    this.#strings = {
      report: (finding) => this.report(finding.keyPath ?? "$", finding),
      matchBlacklist: (text) => ctx.matchBlacklist(text),
      scanNested: (source, label, options) => ctx.scanNested(source, label, options),
    };
  }

  report(keyPath: string, finding: Omit<FindingReport, "keyPath" | "member">): void {
    this.#reported++;
    this.ctx.report({ ...finding, keyPath, ...(this.member === undefined ? {} : { member: this.member }) });
  }

  async run(root: Json, rootPath: string): Promise<void> {
    const stack: [Json, string, number][] = [[root, rootPath, 0]];
    while (stack.length > 0) {
      const [value, path, depth] = stack.pop()!;
      const { maxConfigNodes, maxConfigDepth } = this.#options;
      if (++this.#nodes > maxConfigNodes || depth > maxConfigDepth) {
        this.#limit(path, depth > maxConfigDepth ? "maxConfigDepth" : "maxConfigNodes");
        continue;
      }
      if (this.#nodes % 65_536 === 0 && this.ctx.signal.aborted) return;
      if (Array.isArray(value)) {
        for (let i = value.length - 1; i >= 0; i--) stack.push([value[i], step(path, i), depth + 1]);
      } else if (isObject(value)) {
        if (typeof value.class_name === "string") this.#object(value, path);
        const keys = Object.keys(value);
        for (let i = keys.length - 1; i >= 0; i--) {
          stack.push([value[keys[i]], step(path, keys[i]), depth + 1]);
        }
      } else if (typeof value === "string" && !this.#payloads.has(path)) {
        if (value.endsWith(UNSAFE_SWITCH)) this.#unsafeSwitch(path, value);
        await this.#checkString(value, path);
      }
    }
    await Promise.all(this.#nested);
  }

  /**
   * The shared string checks, once per distinct string that finds nothing: a config repeats the
   * same few values (`relu`, `float32`, `keras.layers`) across its layers.
   */
  async #checkString(value: string, path: string): Promise<void> {
    if (this.#cleanStrings.has(value)) return;
    const before = this.#reported;
    await checkString(this.#strings, value, { what: `The Keras config value at ${path}`, keyPath: path });
    if (this.#reported === before && this.#cleanStrings.size < MAX_CACHED) this.#cleanStrings.add(value);
  }

  /** The policy's verdict, once per distinct callable name. */
  #verdict(module: string, name?: string): CallableVerdict {
    const key = name === undefined ? module : `${module}\u0000${name}`;
    let verdict = this.#verdicts.get(key);
    if (!verdict) {
      verdict = this.#policy.judge(module, name);
      if (this.#verdicts.size < MAX_CACHED) this.#verdicts.set(key, verdict);
    }
    return verdict;
  }

  #limit(path: string, option: "maxConfigDepth" | "maxConfigNodes"): void {
    if (this.#limited) return;
    this.#limited = true;
    const { maxConfigDepth, maxConfigNodes } = this.#options;
    const reached = option === "maxConfigDepth"
      ? `is nested deeper than ${maxConfigDepth} levels`
      : `has more than ${maxConfigNodes} values`;
    this.report(path, {
      rule: "MA413",
      message: `The Keras config ${reached}: the rest was not inspected (--limit keras.${option})`,
      details: {
        maxDepth: maxConfigDepth,
        maxNodes: maxConfigNodes,
        limit: this.#options[option],
        option: `keras.${option}`,
      },
    });
  }

  #unsafeSwitch(path: string, value: string): void {
    this.report(path, {
      rule: "MA405",
      message: `The Keras config reaches ${value}, which turns safe_mode off for the rest of the load`,
      details: { name: value },
    });
  }

  /** One object Keras deserializes: `{class_name, config, module?, registered_name?}`. */
  #object(object: JsonObject, path: string): void {
    const className = object.class_name as string;
    const module = text(object.module);
    const config = object.config;
    if (className === "__lambda__" && isObject(config)) {
      // Keras 3: the Lambda layer's own `{code, defaults, closure}`, or a serialized lambda's `value`.
      const inner = step(path, "config");
      const [code, codePath] = typeof config.code === "string"
        ? [config.code, step(inner, "code")]
        : Array.isArray(config.value)
        ? [text(config.value[0]), step(step(inner, "value"), 0)]
        : [text(config.value), step(inner, "value")];
      this.#payloads.add(codePath);
      this.#lambda(code, path);
      return;
    }
    if (className === "Lambda" && isObject(config)) this.#kerasTwoLambda(config, step(path, "config"));
    if (className === "TFSMLayer") this.#tfsmLayer(isObject(config) ? config : {}, path);
    if (className === "TorchModuleWrapper" && isObject(config)) {
      this.#torchModule(config, step(path, "config"));
    }
    if (className === "TFOpLambda" || className === "SlicingOpLambda") {
      // Keras 2 layers that call a TensorFlow API function by its name under `tf.`.
      const fn = isObject(config) ? text(config.function) : undefined;
      if (fn) {
        this.#judge(this.#verdict(`tensorflow.${fn}`), step(step(path, "config"), "function"), false);
      }
    }
    if (module === undefined || BUILT_IN_MARKERS.has(className)) return;
    const name = className === "function" && typeof config === "string"
      ? config
      : className === "__typespec__"
      ? text(object.spec_name)
      : className;
    if (name === undefined || (className === "Lambda" && this.#isKeras(module))) return;
    // Keras looks functions of `builtins` up among its own activations, losses and metrics.
    const kerasLookup = module === "builtins" && className === "function";
    this.#judge(this.#verdict(module, name), path, !kerasLookup && !this.#isKeras(module));
    const registered = text(object.registered_name);
    if (registered && registered !== name && registered !== className) {
      const verdict = this.#verdict(registered.replace(">", "."));
      if (verdict.tier === "denied") this.#judge(verdict, step(path, "registered_name"), false);
    }
  }

  #isKeras(module: string): boolean {
    return KERAS_PACKAGES.has(module.split(".")[0]) || module === "tensorflow.keras" ||
      module.startsWith("tensorflow.keras.");
  }

  #judge(verdict: CallableVerdict, path: string, warnUnknown: boolean): void {
    if (verdict.tier === "denied") {
      this.report(path, {
        rule: "MA403",
        message: `The Keras config makes the loader import ${verdict.name}: ${verdict.reason}`,
        details: {
          name: verdict.name,
          entry: verdict.entry,
          category: verdict.category,
          reason: verdict.reason,
        },
      });
    } else if (verdict.tier === "unknown" && warnUnknown) {
      this.report(path, {
        rule: "MA404",
        message: `The Keras config makes the loader import ${verdict.name}, a custom object outside Keras`,
        details: { name: verdict.name, ...(verdict.reason ? { reason: verdict.reason } : {}) },
      });
    }
  }

  /** Keras 2: `function` is `[code, defaults, closure]` (or the code) when `function_type` is `lambda`. */
  #kerasTwoLambda(config: JsonObject, path: string): void {
    for (const field of ["function", "output_shape", "mask"]) {
      const value = config[field];
      const type = text(config[`${field}_type`]);
      if (type === "lambda") {
        this.#payloads.add(Array.isArray(value) ? step(step(path, field), 0) : step(path, field));
        this.#lambda(Array.isArray(value) ? text(value[0]) : text(value), step(path, field));
      } else if (type === "function" && typeof value === "string") {
        // A named function: Keras 2 takes it from the module `module` names, if imported.
        const module = text(config[field === "function" ? "module" : `${field}_module`]);
        if (module) this.#judge(this.#verdict(module, value), step(path, field), true);
      }
    }
  }

  #lambda(code: string | undefined, path: string): void {
    const decoded = code === undefined
      ? { ok: false as const, reason: "it holds no code string" }
      : decodeLambdaCode(code, this.#options);
    if (!decoded.ok) {
      this.report(path, {
        rule: "MA402",
        message: `A Lambda layer's code cannot be decoded (${decoded.reason}); Keras would still run it`,
        details: { reason: decoded.reason, ...(decoded.option ? { option: decoded.option } : {}) },
      });
      return;
    }
    const { facts } = decoded;
    const details = {
      names: facts.names,
      strings: facts.strings,
      layout: facts.layout,
      bytes: decoded.bytes,
    };
    const denied = deniedReferences(facts, this.ctx.policy);
    if (denied.length > 0) {
      this.report(path, {
        rule: "MA400",
        message: `A Lambda layer's bytecode reaches ${denied.map((v) => v.name).join(", ")}: ${
          denied[0].reason
        }`,
        details: {
          ...details,
          denied: denied.map((v) => ({ name: v.name, entry: v.entry, category: v.category })),
        },
      });
    } else {
      const uses = facts.names.length > 0 ? `; it uses ${facts.names.slice(0, 12).join(", ")}` : "";
      this.report(path, {
        rule: "MA401",
        message:
          `A Lambda layer carries Python bytecode that runs when the model loads (in Keras 2 always, in Keras 3 with safe_mode off)${uses}`,
        details,
      });
    }
  }

  #tfsmLayer(config: JsonObject, path: string): void {
    const filepath = text(config.filepath);
    const remote = filepath !== undefined && REMOTE_PATH.test(filepath);
    this.report(path, {
      rule: "MA406",
      severity: remote ? "critical" : undefined,
      message: `A TFSMLayer loads and runs the SavedModel at ${JSON.stringify(filepath ?? "(no filepath)")}${
        remote ? ", over the network" : ""
      }`,
      details: { filepath: filepath ?? null, remote },
    });
  }

  #torchModule(config: JsonObject, path: string): void {
    const blob = text(config.module);
    const modulePath = step(path, "module");
    this.#payloads.add(modulePath);
    const { maxTorchModuleChars } = this.#options;
    const tooLong = blob !== undefined && blob.length > maxTorchModuleChars;
    this.report(modulePath, {
      rule: "MA407",
      message: tooLong
        ? `A TorchModuleWrapper holds a torch.save blob that torch.load unpickles; at ${blob.length} characters, more than the ${maxTorchModuleChars} read, it was not scanned (--limit keras.maxTorchModuleChars)`
        : "A TorchModuleWrapper holds a torch.save blob that torch.load unpickles; it is scanned as a payload",
      details: {
        characters: blob?.length ?? 0,
        ...(tooLong ? { limit: maxTorchModuleChars, option: "keras.maxTorchModuleChars" } : {}),
      },
    });
    // Reported before it is decoded: a blob that is not base64, or too large, is still a pickle slot.
    const bytes = blob !== undefined && !tooLong ? base64(blob) : undefined;
    if (bytes) this.#nested.push(this.ctx.scanNested(bytesSource(bytes), `<torch module ${modulePath}>`));
  }
}

function base64(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text.replace(/\s+/g, ""));
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

/**
 * Checks a parsed Keras config, reporting to `ctx` with key paths from `rootPath` (`$` for a
 * `config.json`, `@model_config` for an HDF5 attribute); `member` names the container member the
 * findings are about, when the config is not the scanned source itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { checkKerasConfig } from "./config.ts";
 * // A Dense layer whose activation deserializes to os.system (module/class_name injection).
 * const activation = { module: "os", class_name: "function", config: "system" };
 * const config = { class_name: "Sequential", config: { layers: [{ class_name: "Dense", config: { activation } }] } };
 * const { ctx, findings } = recordingContext("config.json");
 * await checkKerasConfig(config, "$", ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.keyPath]), [["MA403", "$.config.layers[0].config.activation"]]);
 * ```
 */
export async function checkKerasConfig(
  config: unknown,
  rootPath: string,
  ctx: ScanContext,
  member?: string,
): Promise<void> {
  await new ConfigWalk(ctx, member).run(config as Json, rootPath);
}
