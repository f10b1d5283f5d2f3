/**
 * The code of a Keras `Lambda` layer, as `python_utils.func_load` reads it: base64 text of
 * `marshal.dumps(fn.__code__)` (what `func_dump` writes), or, when that text is not base64,
 * the string's own bytes (`code.encode("raw_unicode_escape")`). The code object is read
 * statically (`marshal.ts`) and what it names is judged by the shared policy of callables.
 *
 * @module
 */

import { DecodeError } from "../../core/decode_error.ts";
import type { CallablePolicy, CallableVerdict } from "../../policy/callables.ts";
import { type CodeFacts, MarshalLimitError, readCodeFacts } from "./marshal.ts";
import { DEFAULT_KERAS_OPTIONS, type KerasOptions } from "../option_catalog.ts";

/**
 * Names user code conventionally imports modules under; a Lambda runs with the globals of the
 * Keras module that loads it, where `tf`, `np` and `K` are those modules.
 */
const MODULE_ALIASES: Readonly<Record<string, string>> = {
  tf: "tensorflow",
  np: "numpy",
  K: "keras.backend",
};

/** A Lambda's code, decoded, or why it could not be (and the option whose limit stopped it, if one did). */
export type LambdaCode =
  | { ok: true; facts: CodeFacts; bytes: number }
  | { ok: false; reason: string; option?: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Python's `binascii.a2b_base64` (what `codecs.decode(..., "base64")` calls) skips characters outside the alphabet. */
function base64Bytes(text: string): Uint8Array | undefined {
  const cleaned = text.replace(/[^A-Za-z0-9+/=]/g, "");
  if (!BASE64.test(cleaned) || cleaned.length % 4 !== 0 || cleaned.length === 0) return undefined;
  const binary = atob(cleaned);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** `str.encode("raw_unicode_escape")`: Latin-1 code points as bytes, the others as `\uXXXX` escapes. */
function rawUnicodeEscape(text: string): Uint8Array {
  const out: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x100) out.push(code);
    else {
      const escape = code > 0xffff
        ? `\\U${code.toString(16).padStart(8, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
      for (const c of escape) out.push(c.charCodeAt(0));
    }
  }
  return Uint8Array.from(out);
}

/**
 * Decodes the code string of a Lambda as Keras's `func_load` would, without running it, within
 * the limits `keras.maxLambdaCodeChars` and `keras.maxMarshalObjects`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decodeLambdaCode } from "./lambda_code.ts";
 * assert.equal(decodeLambdaCode("not marshal").ok, false);
 * assert.deepEqual(decodeLambdaCode("not marshal", { maxLambdaCodeChars: 4, maxMarshalObjects: 10 }), {
 *   ok: false,
 *   reason: "its code is 11 characters, more than the 4 read",
 *   option: "keras.maxLambdaCodeChars",
 * });
 * ```
 */
export function decodeLambdaCode(
  code: string,
  options: Pick<KerasOptions, "maxLambdaCodeChars" | "maxMarshalObjects"> = DEFAULT_KERAS_OPTIONS,
): LambdaCode {
  if (code.length > options.maxLambdaCodeChars) {
    return {
      ok: false,
      reason: `its code is ${code.length} characters, more than the ${options.maxLambdaCodeChars} read`,
      option: "keras.maxLambdaCodeChars",
    };
  }
  const bytes = base64Bytes(code) ?? rawUnicodeEscape(code);
  try {
    return { ok: true, facts: readCodeFacts(bytes, options), bytes: bytes.length };
  } catch (error) {
    if (error instanceof MarshalLimitError) return { ok: false, reason: error.reason, option: error.option };
    if (error instanceof DecodeError) return { ok: false, reason: error.reason };
    throw error;
  }
}

/** Whether `text` is a dotted Python identifier path (`os`, `os.path`). */
const dotted = (text: string) => /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/.test(text);

/**
 * The denied callables a Lambda's code may reach. From its disassembled references, when its
 * CPython version is known: each global and the attributes loaded from it, as a builtin
 * (`eval`, `__import__`, `getattr`) and as a module (`os.system`), and each import; and any
 * special attribute it loads (`__subclasses__`, `__globals__`), from whatever object. Otherwise,
 * conservatively, from its names alone: each name as a builtin and as a module, each name followed
 * by the next one as an attribute, and each string constant that is a module path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { deniedReferences } from "./lambda_code.ts";
 * const facts = {
 *   names: ["os", "system"], strings: ["echo pwned"], name: "<lambda>", layout: "3.11+" as const, codeObjects: 1,
 *   references: [["os", "system"]], python: "3.11",
 * };
 * assert.deepEqual(deniedReferences(facts, CallablePolicy.standard()).map((v) => v.entry), ["os"]);
 * ```
 */
export function deniedReferences(facts: CodeFacts, policy: CallablePolicy): CallableVerdict[] {
  const found = new Map<string, CallableVerdict>();
  const keep = (verdict: CallableVerdict) => {
    // One finding per denylist entry: `os` and `os.system` are the same danger.
    const entry = verdict.entry ?? verdict.name;
    if (verdict.tier === "denied" && !found.has(entry)) found.set(entry, verdict);
  };
  const consider = (path: string) => dotted(path) && keep(policy.judge(path));
  // A special attribute loaded from anything (`().__class__.__base__.__subclasses__()`) reaches
  // interpreter internals: judged as an attribute, as the policy judges `Model.__globals__`.
  for (const name of facts.names) if (/^__\w+__$/.test(name)) keep(policy.judge("builtins", name));
  const module = (name: string) => MODULE_ALIASES[name] ?? name;
  if (facts.references) {
    for (const [head, ...attributes] of facts.references) {
      consider(["builtins", head, ...attributes].join("."));
      consider([module(head), ...attributes].join("."));
    }
    return [...found.values()];
  }
  const names = facts.names.filter(dotted);
  names.forEach((name, i) => {
    consider(`builtins.${name}`);
    consider(module(name));
    if (i + 1 < names.length) consider(`${module(name)}.${names[i + 1]}`);
  });
  for (const text of facts.strings) consider(text);
  return [...found.values()];
}
