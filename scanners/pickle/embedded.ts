/**
 * Finds what a string or bytes constant in a pickle hides: a pickle encoded as
 * base64 or hex (smuggled past import checks, decoded and loaded at run time),
 * or Python source that calls dangerous functions (handed to `exec`/`eval`),
 * plain or encoded.
 *
 * Source detection needs code-shaped evidence: a call that closes of a name the
 * policy of Python callables denies (`os.system("id")`, resolved through the
 * source's own imports), `__import__(...)`, or a
 * bare `exec`/`eval`/`compile` whose argument is itself code (a string literal, a
 * nested call) or that sits among Python statements. Prose, parameter names
 * such as `eval_metric`, method calls such as `model.eval()` and tokenizer
 * fragments such as `exec(` do not qualify.
 *
 * Work is bounded per call ({@linkcode EmbeddedLimits}): values over
 * `maxEmbeddedChars` are skipped, only a {@linkcode DETECT_WINDOW_CHARS} prefix
 * is decoded before deciding whether the whole value is worth decoding, and
 * source scanning reads at most `maxCodeScanChars` characters in a few linear
 * passes (parentheses are matched once for the whole text, so no count of
 * harmless calls can push a dangerous one out of reach). Decoding uses the built-in
 * `Uint8Array.fromBase64` (standard and URL-safe alphabets, padding optional,
 * ASCII whitespace skipped) and `Uint8Array.fromHex`.
 *
 * @module
 */

import { aliased } from "../../policy/dotted.ts";
import { CallablePolicy, type SafeTable } from "../../policy/callables.ts";
import { DEFAULT_PICKLE_OPTIONS, type PickleOptions } from "../option_catalog.ts";

/**
 * The pickle scanner's options that bound the work on one constant: its length, the source
 * scanned for calls and the encoding layers peeled.
 */
export type EmbeddedLimits = Pick<PickleOptions, "maxEmbeddedChars" | "maxCodeScanChars" | "maxDecodeDepth">;

/** One thing hidden in a constant. */
export interface EmbeddedFinding {
  /** How the outermost layer was encoded: `plain` for text as is. */
  encoding: "plain" | "base64" | "hex";
  /** A pickle to scan as a nested payload, or Python source that calls dangerous functions. */
  kind: "pickle" | "code";
  /** For `pickle`: the decoded pickle, to be scanned as a nested payload. */
  decoded?: Uint8Array;
  /** For `code`: the dangerous callables the source calls, e.g. `os.system`, `exec`. */
  calls?: string[];
}

/** Shorter encoded text cannot hold a pickle that imports anything nor a dangerous call (`exec('x')` is 12 base64 chars). */
export const MIN_ENCODED_CHARS = 12;
/** Encoded text decoded to decide whether a value is a pickle or text; the rest is decoded only if it is. */
export const DETECT_WINDOW_CHARS = 4096;
/**
 * Nesting of string literals handed to exec/eval whose source is scanned in
 * turn (`exec("exec('...')")`); all of them together read at most
 * `maxCodeScanChars` more characters.
 */
export const MAX_SOURCE_NESTING = 2;
/** Characters of a call's arguments searched for an open() or compile() mode: the mode is never far in. */
export const MAX_MODE_SEARCH_CHARS = 4096;
/** open() and compile() calls whose arguments are searched for a mode: bounds the work on `open(open(open(...`. */
export const MAX_MODE_SEARCHES = 256;
/** Distinct calls reported per finding. */
export const MAX_REPORTED_CALLS = 16;
/** Bytes sampled to decide whether a bytes value is text at all. */
export const TEXT_SAMPLE_BYTES = 1024;
/** Share of printable ASCII in the sample above which bytes count as text. */
export const MIN_TEXT_RATIO = 0.9;

// ---------------------------------------------------------------------------
// Decoding.
// ---------------------------------------------------------------------------

const HEX = 1;
const B64 = 2;
const B64_STD = 4;
const B64_URL = 8;
const PAD = 16;
const SPACE = 32;

/** Character classes of the encoded alphabets, for ASCII. */
const CHAR_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(128);
  const mark = (chars: string, bits: number) => {
    for (const c of chars) table[c.charCodeAt(0)] |= bits;
  };
  mark("0123456789abcdefABCDEF", HEX);
  mark("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", B64);
  mark("+/", B64_STD);
  mark("-_", B64_URL);
  mark("=", PAD);
  mark(" \t\n\r\f", SPACE);
  return table;
})();

type Encoding = "base64" | "hex";

interface Candidate {
  encoding: Encoding;
  /** The encoded text, prefixes such as `data:...;base64,` or `0x` removed. */
  body: string;
  alphabet: "base64" | "base64url";
  hasSpace: boolean;
}

/** The encodings `text` may be in, most specific first: hex digits are base64 characters too. */
function candidates(text: string): Candidate[] {
  // Most constants are short names: they need neither pattern below (nor its compilation).
  if (text.length < MIN_ENCODED_CHARS) return [];
  let body = text;
  const dataUri = /^data:[\w.+-]*\/[\w.+-]*(?:;[\w.+-]+=[\w.+-]+)*;base64,/i.exec(text.slice(0, 256));
  if (dataUri) body = text.slice(dataUri[0].length);
  else if (/^0[xX][0-9a-fA-F]/.test(text)) body = text.slice(2);

  let flags = 0;
  let allHex = true;
  let count = 0;
  let pads = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const cls = c < 128 ? CHAR_CLASS[c] : 0;
    if (cls === 0) return [];
    flags |= cls;
    if (cls === SPACE) continue;
    allHex &&= (cls & HEX) !== 0;
    if (cls === PAD) pads++;
    else if (pads > 0) return []; // padding only at the end
    count++;
  }
  if (count < MIN_ENCODED_CHARS) return [];
  const hasSpace = (flags & SPACE) !== 0;
  const found: Candidate[] = [];
  if (allHex && count % 2 === 0) {
    found.push({ encoding: "hex", body, alphabet: "base64", hasSpace });
  }
  const url = (flags & B64_URL) !== 0;
  const std = (flags & B64_STD) !== 0;
  const data = count - pads;
  if (!(url && std) && pads <= 2 && data % 4 !== 1 && (pads === 0 || count % 4 === 0)) {
    found.push({ encoding: "base64", body, alphabet: url ? "base64url" : "base64", hasSpace });
  }
  return found;
}

function decodeHex(text: string, hasSpace: boolean): Uint8Array | undefined {
  const digits = hasSpace ? text.replace(/\s+/g, "") : text;
  try {
    return Uint8Array.fromHex(digits.length % 2 === 0 ? digits : digits.slice(0, -1));
  } catch {
    return undefined;
  }
}

/** Decodes all of `candidate`, or only its first {@linkcode DETECT_WINDOW_CHARS} characters. */
function decode(candidate: Candidate, whole: boolean): Uint8Array | undefined {
  const text = whole ? candidate.body : candidate.body.slice(0, DETECT_WINDOW_CHARS);
  if (candidate.encoding === "hex") return decodeHex(text, candidate.hasSpace);
  try {
    return Uint8Array.fromBase64(text, {
      alphabet: candidate.alphabet,
      lastChunkHandling: whole ? "loose" : "stop-before-partial",
    });
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------
// What decoded bytes are.
// ---------------------------------------------------------------------------

const STOP = 0x2e;

/** Opcodes that can follow PROTO on an empty stack: what a real pickle's second opcode is. */
const FIRST_OPCODES: ReadonlySet<number> = new Set([
  0x95, // FRAME
  ..."c(})]NJKMILFGSTUVXBCP".split("").map((c) => c.charCodeAt(0)),
  0x8f, // EMPTY_SET
  0x88, // NEWTRUE
  0x89, // NEWFALSE
  0x8a, // LONG1
  0x8b, // LONG4
  0x8c, // SHORT_BINUNICODE
  0x8d, // BINUNICODE8
  0x8e, // BINBYTES8
  0x96, // BYTEARRAY8
  0x97, // NEXT_BUFFER
  0x82, // EXT1
  0x83, // EXT2
  0x84, // EXT4
]);

/** A protocol 0/1 import: GLOBAL (`c`) or INST (`i`) with its two newline-terminated names. */
const TEXT_IMPORT = /(?:^|[\n(])[ci][A-Za-z_][\w.]*\n[A-Za-z_][\w.]*\n/;

const asLatin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes.subarray(0, DETECT_WINDOW_CHARS));

/**
 * Whether `bytes` start like a pickle: PROTO 2..5 and a plausible first
 * opcode, or a protocol 0/1 stream with an import near its start. A
 * `complete` value must also contain a STOP opcode.
 */
function looksLikePickle(bytes: Uint8Array, complete: boolean): boolean {
  if (bytes.length < 3) return false;
  if (complete && !bytes.includes(STOP)) return false;
  if (bytes[0] === 0x80) return bytes[1] >= 2 && bytes[1] <= 5 && FIRST_OPCODES.has(bytes[2]);
  return "c(})]".includes(String.fromCharCode(bytes[0])) && TEXT_IMPORT.test(asLatin1(bytes));
}

/** Whether `bytes` are mostly printable ASCII, judged on a sample. */
function isText(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, TEXT_SAMPLE_BYTES);
  if (n === 0) return false;
  let printable = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i];
    if ((b >= 0x20 && b < 0x7f) || b === 0x09 || b === 0x0a || b === 0x0d) printable++;
  }
  return printable >= n * MIN_TEXT_RATIO;
}

const utf8 = new TextDecoder();

// ---------------------------------------------------------------------------
// Python source.
// ---------------------------------------------------------------------------

/**
 * What source may call in modules the policy denies as a whole, because a pickle has no business importing
 * them but code uses them for harmless reasons: path string helpers (`os.path.join(root, name)`).
 */
const SOURCE_SAFE: SafeTable = {
  library: "python-source",
  exceptions: ["os.path.*", "posixpath.*", "ntpath.*"],
};

/** Each scan's policy with {@linkcode SOURCE_SAFE}, built once per policy. */
const SOURCE_POLICIES = new WeakMap<CallablePolicy, CallablePolicy>();

function sourcePolicy(policy: CallablePolicy): CallablePolicy {
  let composed = SOURCE_POLICIES.get(policy);
  if (!composed) SOURCE_POLICIES.set(policy, composed = policy.extend({}, [SOURCE_SAFE]));
  return composed;
}

/** A traceback's `file.py(123)`: a line number, not a call's arguments. */
const TRACE_LINE = /^\d+$/;

/** The callables that open files: their call is dangerous only with a mode that writes. */
const OPENERS: ReadonlySet<string> = new Set(["builtins.open", "io.open"]);

/** Builtins that run source text. */
const SOURCE_RUNNERS: ReadonlySet<string> = new Set(["exec", "eval", "compile", "execfile"]);

/**
 * A dotted name followed by `(`, starting where no identifier, attribute access or path separator
 * precedes it (`/usr/lib/python3.11/threading.py(975)` in a traceback names a file). Eight segments: the
 * deepest denied entry has six, plus the member called.
 */
const CALL = /(?<![\w./\\])([A-Za-z_]\w*(?:[ \t]*\.[ \t]*[A-Za-z_]\w*){0,7})[ \t]*\(/g;
const IMPORT =
  /(?:^|[\n;])[ \t]*(?:from[ \t]+([A-Za-z_][\w.]*)[ \t]+import[ \t]+([^\n;#]{1,2000})|import[ \t]+([^\n;#]{1,2000}))/g;
const ASSIGNMENT = /(?:^|[\n;])[ \t]*[A-Za-z_][\w.]*(?:\[[^\]\n]{0,200}\])?[ \t]*=(?!=)/;
/** An argument that is itself code: a string literal (any prefix) or a call. */
const CODE_ARGUMENT = /^\s*(?:[rRbBuUfF]{0,2}['"]|[A-Za-z_][\w.]*\s*\()/;
/** compile()'s mode argument: what makes `compile(src, name, "exec")` code even when `src` is a plain name. */
const COMPILE_MODE = /,\s*(?:mode\s*=\s*)?(['"])(?:exec|eval|single)\1/;
const MODE_ARGUMENT = /,\s*(?:mode\s*=\s*)?[rRbBuU]?(['"])[rwabxtU+]*[wax+][rwabxtU+]*\1/;
const GETATTR_ARGUMENTS =
  /^\s*(?:([A-Za-z_][\w.]*)|__import__\s*\(\s*(['"])([\w.]+)\2\s*\))\s*,\s*(['"])([A-Za-z_]\w*)\4\s*(?:,|$)/;
const IMPORT_THEN_ATTRIBUTE = /__import__\s*\(\s*(['"])([\w.]+)\1\s*\)\s*\.\s*([A-Za-z_]\w*)\s*\(/g;
const BUILTINS_SUBSCRIPT = /__builtins__\s*(?:\.\s*__dict__\s*)?\[\s*(['"])([A-Za-z_]\w*)\1\s*\]\s*\(/g;

/**
 * For every `(` outside string literals and comments, the index just past the
 * `)` that closes it, or -1. One pass over the text, so matching stays linear
 * however calls nest. Single-quoted strings end at a newline, as in Python.
 */
function closingParens(text: string): Int32Array {
  const close = new Int32Array(text.length).fill(-1);
  const open: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x28) open.push(i);
    else if (c === 0x29) {
      const at = open.pop();
      if (at !== undefined) close[at] = i + 1;
    } else if (c === 0x23) {
      const eol = text.indexOf("\n", i);
      if (eol < 0) break;
      i = eol;
    } else if (c === 0x22 || c === 0x27) {
      const quote = text[i];
      if (text.startsWith(quote + quote, i + 1)) {
        const end = text.indexOf(quote.repeat(3), i + 3);
        if (end < 0) break;
        i = end + 2;
        continue;
      }
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c) i++;
        else if (d === c || d === 0x0a) break;
      }
    }
  }
  return close;
}

/** Whether anything but whitespace sits between `from` and `to`. */
function hasArgument(text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (!/\s/.test(text[i])) return true;
  return false;
}

/** Names the source binds by importing: `sp` -> `subprocess`, `system` -> `os.system`, plus star imports. */
interface Imports {
  names: Map<string, string>;
  star: string[];
}

/** A module path with its first segment as the module it names (`posix.path` is `os.path`). */
function canonicalModule(path: string): string {
  const dot = path.indexOf(".");
  const head = dot < 0 ? path : path.slice(0, dot);
  return aliased(head).join(".") + (dot < 0 ? "" : path.slice(dot));
}

function readImports(text: string): Imports {
  const imports: Imports = { names: new Map(), star: [] };
  for (const m of text.matchAll(IMPORT)) {
    const from = m[1];
    const list = (m[2] ?? m[3]).replace(/[()]/g, "");
    for (const item of list.split(",")) {
      const parts = item.trim().split(/\s+as\s+/);
      const target = parts[0].trim();
      if (!/^[A-Za-z_][\w.]*$|^\*$/.test(target)) continue;
      if (from !== undefined) {
        if (target === "*") imports.star.push(canonicalModule(from));
        else imports.names.set((parts[1] ?? target).trim(), `${canonicalModule(from)}.${target}`);
      } else if (parts[1] !== undefined) {
        imports.names.set(parts[1].trim(), canonicalModule(target));
      } else {
        const head = target.split(".")[0];
        imports.names.set(head, canonicalModule(head));
      }
    }
  }
  return imports;
}

/** The canonical name of the denied callable a dotted name resolves to, if any. */
function dangerousCallee(dotted: string, imports: Imports, policy: CallablePolicy): string | undefined {
  const segs = dotted.split(".");
  const bound = imports.names.get(segs[0]);
  if (segs.length === 1 && bound === undefined) {
    // A bare name is only a module's function when a star import brought it in.
    for (const module of imports.star) {
      const verdict = policy.judge(module, segs[0]);
      if (verdict.tier === "denied") return verdict.name;
    }
    return undefined;
  }
  const verdict = policy.judge([bound ?? canonicalModule(segs[0]), ...segs.slice(1)].join("."));
  return verdict.tier === "denied" ? verdict.name : undefined;
}

/** The source inside a string literal that opens `args`, unescaped: what exec/eval will run. */
function literalSource(args: string): string | undefined {
  const m = /^\s*[rRbBuUfF]{0,2}("""|'''|"|')/.exec(args);
  if (!m) return undefined;
  const body = args.slice(m[0].length);
  const end = body.lastIndexOf(m[1]);
  return (end < 0 ? body : body.slice(0, end)).replace(/\\(['"\\])/g, "$1");
}

/** The dangerous callables that Python source in `text` calls, in order of appearance. */
function findCalls(
  source: string,
  policy: CallablePolicy,
  maxChars: number,
  nesting = 0,
  budget = { chars: maxChars },
): string[] {
  const text = source.length > maxChars ? source.slice(0, maxChars) : source;
  if (!text.includes("(")) return [];
  const imports = readImports(text);
  let statements: boolean | undefined;
  const isStatements = () =>
    statements ??= imports.names.size > 0 || imports.star.length > 0 || ASSIGNMENT.test(text);
  const calls = new Set<string>();
  const add = (name: string) => {
    if (calls.size < MAX_REPORTED_CALLS) calls.add(name);
  };

  let closers: Int32Array | undefined;
  let modeSearches = 0;
  const hasMode = (pattern: RegExp, args: string) =>
    ++modeSearches <= MAX_MODE_SEARCHES && pattern.test(args.slice(0, MAX_MODE_SEARCH_CHARS));
  for (const m of text.matchAll(CALL)) {
    const open = m.index + m[0].length - 1;
    closers ??= closingParens(text);
    const close = closers[open];
    if (close < 0) continue;
    const args = text.slice(open + 1, close - 1);
    const dotted = m[1].replace(/[ \t]/g, "");
    if (dotted.endsWith(".py") && TRACE_LINE.test(args)) continue;
    if (!dotted.includes(".") && !imports.names.has(dotted)) {
      if (SOURCE_RUNNERS.has(dotted)) {
        if (!hasArgument(text, open + 1, close - 1)) continue;
        const code = CODE_ARGUMENT.test(args) || (dotted === "compile" && hasMode(COMPILE_MODE, args));
        if (!code && !isStatements()) continue;
        add(dotted);
        if (nesting < MAX_SOURCE_NESTING && budget.chars >= args.length) {
          budget.chars -= args.length;
          const inner = literalSource(args);
          if (inner !== undefined) {
            for (const call of findCalls(inner, policy, maxChars, nesting + 1, budget)) add(call);
          }
        }
        continue;
      }
      if (dotted === "__import__") {
        if (hasArgument(text, open + 1, close - 1)) add(dotted);
        continue;
      }
      if (dotted === "getattr") {
        const target = getattrTarget(args, imports, policy);
        if (target !== undefined) add(target);
        continue;
      }
      if (dotted === "open") {
        if (hasMode(MODE_ARGUMENT, args)) add("open");
        continue;
      }
    }
    const callee = dangerousCallee(dotted, imports, policy);
    if (callee === undefined) continue;
    if (OPENERS.has(callee) && !hasMode(MODE_ARGUMENT, args)) continue;
    add(callee);
  }
  for (const m of text.matchAll(IMPORT_THEN_ATTRIBUTE)) {
    const verdict = policy.judge(canonicalModule(m[2]), m[3]);
    if (verdict.tier === "denied") add(verdict.name);
  }
  for (const m of text.matchAll(BUILTINS_SUBSCRIPT)) {
    const verdict = policy.judge("builtins", m[2]);
    if (verdict.tier === "denied") add(verdict.name);
  }
  return [...calls];
}

/** `getattr(os, "system")` as `os.system`, when the target is dangerous. */
function getattrTarget(args: string, imports: Imports, policy: CallablePolicy): string | undefined {
  const m = GETATTR_ARGUMENTS.exec(args);
  if (!m) return undefined;
  const attribute = m[5];
  const base = m[1] !== undefined ? m[1] : canonicalModule(m[3]);
  return dangerousCallee(`${base}.${attribute}`, imports, policy);
}

// ---------------------------------------------------------------------------
// Entry point.
// ---------------------------------------------------------------------------

function inspectText(
  text: string,
  encoding: EmbeddedFinding["encoding"],
  depth: number,
  policy: CallablePolicy,
  limits: EmbeddedLimits,
): EmbeddedFinding[] {
  const found: EmbeddedFinding[] = [];
  const calls = findCalls(text, policy, limits.maxCodeScanChars);
  if (calls.length > 0) found.push({ encoding, kind: "code", calls });
  if (depth >= limits.maxDecodeDepth) return found;
  for (const candidate of candidates(text)) {
    const whole = candidate.body.length <= DETECT_WINDOW_CHARS;
    const head = decode(candidate, whole);
    if (head === undefined) continue;
    const pickle = looksLikePickle(head, false);
    if (!pickle && !isText(head)) continue;
    const bytes = whole ? head : decode(candidate, true);
    if (bytes === undefined) continue;
    const layer = encoding === "plain" ? candidate.encoding : encoding;
    if (pickle) {
      if (looksLikePickle(bytes, true)) {
        return [...found, { encoding: layer, kind: "pickle", decoded: bytes }];
      }
      continue;
    }
    const inner = inspectText(utf8.decode(bytes), layer, depth + 1, policy, limits);
    if (inner.length > 0) return [...found, ...inner];
  }
  return found;
}

/**
 * Inspects a string or bytes constant for encoded pickles and dangerous Python
 * source, whose calls `policy` judges (the standard one by default). Bounded work per call. Raw pickles (bytes starting with `\x80`) are
 * not reported here: the machine scans those itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { inspectEmbedded } from "./embedded.ts";
 * assert.deepEqual(inspectEmbedded('import os\nos.system("id")'), [{ encoding: "plain", kind: "code", calls: ["os.system"] }]);
 * assert.equal(inspectEmbedded(btoa("\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01."))[0].kind, "pickle");
 * assert.deepEqual(inspectEmbedded("eval_metric"), []);
 * ```
 */
export function inspectEmbedded(
  value: string | Uint8Array,
  policy: CallablePolicy = CallablePolicy.standard(),
  limits: EmbeddedLimits = DEFAULT_PICKLE_OPTIONS,
): EmbeddedFinding[] {
  if (value.length === 0 || value.length > limits.maxEmbeddedChars) return [];
  if (typeof value !== "string" && !isText(value)) return [];
  const text = typeof value === "string" ? value : utf8.decode(value);
  return inspectText(text, "plain", 0, sourcePolicy(policy), limits);
}
