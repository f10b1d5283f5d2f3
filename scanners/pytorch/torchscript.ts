/**
 * The TorchScript code scanner: the `code/` sources of a `torch.jit.save`
 * archive, which `torch.jit.load` compiles and runs. `torch.jit.save` writes
 * them from the compiled graph, so they only ever name `torch`, `ops`,
 * `__torch__`, `CONSTANTS`, types and TorchScript builtins; an attacker edits
 * them after saving. TorchScript itself can reach the system through a few
 * builtins (`torch.save` writes a file, `torch.from_file` maps one, creating it
 * when shared); anything else (`os.system`, `eval`, `open`, `subprocess`) does
 * not compile as TorchScript but runs if the source is ever executed as Python,
 * and has no business in a model either. All of it is MA302.
 *
 * Source is tokenized ({@linkcode PythonTokenizer}), so names inside strings
 * and comments do not count, and names are resolved the way Python resolves
 * them: a function's parameters and assignments make a name local to it (an
 * `os` tensor is not the `os` module), in two passes over the tokens (bindings,
 * then uses). Bindings the analysis cannot place (comprehension and lambda
 * variables) are not counted, so they can only add findings, never hide one.
 *
 * @module
 */

import { type ByteSource, readAll, subSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { type PythonToken, PythonTokenizer } from "./python_tokens.ts";
import { CallablePolicy } from "../../policy/callables.ts";
import { TorchScriptNames } from "./torchscript_calls.ts";
import { scannerOptions } from "../options.ts";
import { DEFAULT_PYTORCH_OPTIONS } from "../option_catalog.ts";

/** References reported per file: a handful is enough to reject it, thousands would drown the report. */
export const MAX_REFERENCES_PER_SOURCE = 100;
/** Nested function and class scopes tracked: Python's tokenizer refuses more than 100 indentation levels. */
export const MAX_SCOPE_DEPTH = 100;
/** Names of one statement waiting for its `=` to be targets: `a, b, c = ...` lists a few; past it they bind nothing. */
const MAX_PENDING_TARGETS = 1_024;
/** Attribute segments of a dotted name read after its head: the longest dangerous path has four. */
const MAX_CHAIN_SEGMENTS = 8;
/** Tokens between checks of the abort signal. */
const ABORT_CHECK_TOKENS = 1 << 16;

/** One dangerous reference found in source. */
export interface DangerousReference {
  /** What is referred to, as written (dotted), e.g. `os.system`, `eval`, `import subprocess`. */
  call: string;
  /** Why it is dangerous. */
  reason: string;
  /** Byte offset of the reference's first token. */
  position: number;
  /** 1-based line of that token. */
  line: number;
}

/** Attribute access by name on these reaches any of their functions (`getattr(torch, "save")`). */
const ATTRIBUTE_FUNCTIONS = new Set(["getattr", "setattr", "delattr"]);
const ATTRIBUTE_TARGETS = new Set(["torch", "ops", "sys"]);

/** Special attributes that lead to interpreter internals; TorchScript's own (`__parameters__`) are not among them. */
const INTERNAL_ATTRIBUTES = new Set([
  "__globals__",
  "__subclasses__",
  "__builtins__",
  "__code__",
  "__import__",
  "__loader__",
  "__bases__",
  "__base__",
  "__mro__",
]);

/** Python keywords: never a reference to anything. */
const KEYWORDS = new Set(
  ("False None True and as assert async await break class continue def del elif else except finally for " +
    "from global if import in is lambda nonlocal not or pass raise return try while with yield").split(" "),
);

const AUGMENTED_ASSIGNMENTS = new Set([
  "+=",
  "-=",
  "*=",
  "/=",
  "//=",
  "%=",
  "**=",
  ">>=",
  "<<=",
  "&=",
  "|=",
  "^=",
  "@=",
]);

/** A function, class or module body, for name resolution. */
interface Scope {
  id: number;
  kind: "module" | "def" | "class";
  indent: number;
  parent: Scope | undefined;
}

/** Names bound and names declared `global`/`nonlocal`, per scope id, at most `max` in all. */
class Bindings {
  readonly #bound = new Map<number, Set<string>>();
  readonly #declared = new Map<number, Set<string>>();
  #count = 0;

  constructor(readonly max: number) {}

  bind(scope: Scope, name: string): void {
    if (this.#count >= this.max || this.#declared.get(scope.id)?.has(name)) return;
    this.#count++;
    let names = this.#bound.get(scope.id);
    if (!names) this.#bound.set(scope.id, names = new Set());
    names.add(name);
  }

  /** `global os`: assignments in this scope no longer make `os` local to it. */
  declare(scope: Scope, name: string): void {
    if (this.#count >= this.max) return;
    this.#count++;
    let names = this.#declared.get(scope.id);
    if (!names) this.#declared.set(scope.id, names = new Set());
    names.add(name);
    this.#bound.get(scope.id)?.delete(name);
  }

  /** Whether `name` used in `scope` is bound to something of the source's own (methods do not see their class). */
  isLocal(name: string, scope: Scope): boolean {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (s !== scope && s.kind === "class") continue;
      if (this.#declared.get(s.id)?.has(name)) continue;
      if (this.#bound.get(s.id)?.has(name)) return true;
    }
    return false;
  }
}

/** The tokenizer with a little lookahead. */
class TokenStream {
  readonly #tokens: PythonTokenizer;
  readonly #ahead: PythonToken[] = [];

  constructor(source: Uint8Array) {
    this.#tokens = new PythonTokenizer(source);
  }

  /** The token `k` places after the current one (0: the next), if any. */
  peek(k: number): PythonToken | undefined {
    while (this.#ahead.length <= k) {
      const token = this.#tokens.next();
      if (!token) return undefined;
      this.#ahead.push(token);
    }
    return this.#ahead[k];
  }

  shift(): PythonToken | undefined {
    return this.#ahead.length > 0 ? this.#ahead.shift() : this.#tokens.next();
  }
}

const isOp = (token: PythonToken | undefined, text: string) => token?.kind === "op" && token.text === text;
const isName = (token: PythonToken | undefined) => token?.kind === "name" && !KEYWORDS.has(token.text);

/** Where a `def` or `class` header is: its parameters bind in the new scope, its defaults run in the old one. */
interface Header {
  scope: Scope | undefined;
  kind: "def" | "class";
  /**
   * At the def's parenthesis level: a parameter name comes next (`name`), a default or an
   * annotation is being read (`other`), or a lambda's parameters (`lambda`).
   */
  param: "name" | "other" | "lambda";
}

/** The statement being read: what the two passes need to know about the tokens so far. */
interface Statement {
  /** Its first keyword or name (`for` for `async for`). */
  first: string;
  /** Brackets open within it. */
  depth: number;
  header: Header | undefined;
  /** Names before a `,` that an assignment's `=` may still make targets; for `from`, the module. */
  pending: string[];
  /** A lambda was seen: no assignment target comes after one. */
  lambda: boolean;
  /** Inside a `for` statement's targets. */
  forTargets: boolean;
  /** Reading a lambda's parameters: at which bracket depth, and whether a parameter name comes next. */
  lambdaParams: { depth: number; name: boolean } | undefined;
  /** Reading a comprehension's targets (`for x in` inside brackets): at which bracket depth. */
  comprehensionTargets: number | undefined;
}

const newStatement = (): Statement => ({
  first: "",
  depth: 0,
  header: undefined,
  pending: [],
  lambda: false,
  forTargets: false,
  lambdaParams: undefined,
  comprehensionTargets: undefined,
});

/**
 * One pass over the tokens. Both passes track scopes and statements the same way, so
 * scopes get the same ids; the first records bindings, the second checks references.
 */
class Pass {
  readonly #stream: TokenStream;
  readonly #bindings: Bindings;
  readonly #found: DangerousReference[] | undefined;
  readonly #names: TorchScriptNames | undefined;
  readonly #signal: AbortSignal | undefined;
  readonly #stack: Scope[] = [{ id: 0, kind: "module", indent: -1, parent: undefined }];
  #nextScope = 1;
  #statement = newStatement();
  #previous: PythonToken | undefined;

  constructor(
    source: Uint8Array,
    bindings: Bindings,
    check: { found: DangerousReference[]; names: TorchScriptNames } | undefined,
    signal?: AbortSignal,
  ) {
    this.#stream = new TokenStream(source);
    this.#bindings = bindings;
    this.#found = check?.found;
    this.#names = check?.names;
    this.#signal = signal;
  }

  run(): void {
    let untilCheck = ABORT_CHECK_TOKENS;
    for (let token = this.#stream.shift(); token; token = this.#stream.shift()) {
      if (--untilCheck === 0) {
        untilCheck = ABORT_CHECK_TOKENS;
        this.#signal?.throwIfAborted();
      }
      if (this.#found && this.#found.length >= MAX_REFERENCES_PER_SOURCE) return;
      this.#step(token);
    }
  }

  get #scope(): Scope {
    return this.#stack[this.#stack.length - 1];
  }

  #step(token: PythonToken): void {
    const statement = this.#statement;
    if (token.kind === "newline" || (isOp(token, ";") && statement.depth === 0 && !statement.header)) {
      this.#statement = newStatement();
      this.#previous = undefined;
      return;
    }
    if (token.indent >= 0) this.#startLine(token);
    if (statement.first === "") {
      statement.first = token.text === "async" ? this.#stream.peek(0)?.text ?? "" : token.text;
    }
    const header = statement.header;
    const useScope = header ? header.scope?.parent ?? this.#scope : this.#scope;
    // A lambda's parameters and a comprehension's targets bind in it alone: neither uses nor bindings
    // of the scope around it.
    let binding = this.#lambdaToken(token) || this.#comprehensionToken(token);
    if (header) binding = this.#headerToken(header, token) || binding;
    else if (statement.first !== "import" && statement.first !== "from" && !binding) {
      binding = this.#statementToken(token);
    }
    if (this.#found) {
      if (statement.first === "import" || statement.first === "from") this.#checkImport(token);
      else if (!binding) this.#checkReference(token, useScope);
    }
    if (token.kind === "op") {
      if (token.text === "(" || token.text === "[" || token.text === "{") statement.depth++;
      else if ((token.text === ")" || token.text === "]" || token.text === "}") && statement.depth > 0) {
        statement.depth--;
      }
    }
    this.#previous = token;
  }

  /** A logical line begins: leave the scopes it is not indented into, enter a `def` or `class`. */
  #startLine(token: PythonToken): void {
    while (this.#stack.length > 1 && this.#scope.indent >= token.indent) this.#stack.pop();
    const kind = token.text === "class"
      ? "class"
      : token.text === "def" || (token.text === "async" && this.#stream.peek(0)?.text === "def")
      ? "def"
      : undefined;
    if (kind === undefined) return;
    let scope: Scope | undefined;
    if (this.#stack.length < MAX_SCOPE_DEPTH) {
      scope = { id: this.#nextScope++, kind, indent: token.indent, parent: this.#scope };
      this.#stack.push(scope);
    }
    this.#statement.header = { scope, kind, param: "other" };
  }

  /** Follows a lambda's parameter list; returns whether the token is one of its parameter names. */
  #lambdaToken(token: PythonToken): boolean {
    const statement = this.#statement;
    if (token.kind === "name" && token.text === "lambda") {
      statement.lambdaParams = { depth: statement.depth, name: true };
      return false;
    }
    const params = statement.lambdaParams;
    if (!params || statement.depth !== params.depth) return false;
    if (isOp(token, ":")) statement.lambdaParams = undefined;
    else if (isOp(token, ",")) params.name = true;
    else if (isOp(token, "=")) params.name = false;
    else if (isName(token) && params.name) {
      params.name = false;
      return true;
    }
    return false;
  }

  /** Follows a comprehension's targets; returns whether the token is one of them. */
  #comprehensionToken(token: PythonToken): boolean {
    const statement = this.#statement;
    if (token.kind === "name" && token.text === "for" && statement.depth > 0) {
      statement.comprehensionTargets = statement.depth;
      return false;
    }
    if (statement.comprehensionTargets === undefined) return false;
    if (token.kind === "name" && token.text === "in" && statement.depth === statement.comprehensionTargets) {
      statement.comprehensionTargets = undefined;
      return false;
    }
    return isName(token);
  }

  /** A token of a def/class header; returns whether it is a parameter name (a binding, not a use). */
  #headerToken(header: Header, token: PythonToken): boolean {
    const depth = this.#statement.depth;
    if (isOp(token, ":") && depth === 0) {
      this.#statement.header = undefined;
      return false;
    }
    if (header.kind !== "def") return false;
    if (isOp(token, "(") && depth === 0) {
      header.param = "name";
      return false;
    }
    if (depth !== 1) return false;
    if (token.kind === "name" && token.text === "lambda") header.param = "lambda";
    else if (isOp(token, ",")) {
      if (header.param !== "lambda") header.param = "name";
    } else if (isOp(token, ":") && header.param === "lambda") header.param = "other";
    else if (isOp(token, "=") || isOp(token, ":")) {
      if (header.param !== "lambda") header.param = "other";
    } else if (isName(token) && header.param === "name") {
      header.param = "other";
      if (header.scope) this.#bind(header.scope, token.text);
      return true;
    }
    return false;
  }

  /** A token of a statement; records what it binds. Returns whether it is a binding rather than a use. */
  #statementToken(token: PythonToken): boolean {
    const statement = this.#statement;
    const previous = this.#previous;
    const scope = this.#scope;
    if (token.kind === "name" && token.text === "lambda") statement.lambda = true;
    if (statement.first === "for") {
      if (
        token.kind === "name" && token.text === "for" && (previous === undefined || previous.text === "async")
      ) {
        statement.forTargets = true;
        return false;
      }
      if (statement.forTargets) {
        if (token.kind === "name" && token.text === "in" && statement.depth === 0) {
          statement.forTargets = false;
        } else if (isName(token)) {
          this.#bind(scope, token.text);
          return true;
        }
        return false;
      }
    }
    if (statement.first === "global" || statement.first === "nonlocal") {
      if (isName(token)) {
        if (!this.#found) this.#bindings.declare(scope, token.text);
        return true;
      }
      return false;
    }
    if (isName(token) && previous?.kind === "name" && previous.text === "as") {
      this.#bind(scope, token.text);
      return true;
    }
    if (
      token.kind === "op" && statement.depth === 0 &&
      (token.text === "=" || AUGMENTED_ASSIGNMENTS.has(token.text))
    ) {
      for (const name of statement.pending) this.#bind(scope, name);
      statement.pending = [];
      return false;
    }
    if (!isName(token) || statement.depth !== 0 || statement.lambda) return false;
    if (previous !== undefined && !isOp(previous, ",") && !isOp(previous, "*") && !isOp(previous, "=")) {
      return false;
    }
    const next = this.#stream.peek(0);
    if (isOp(next, "=") || (next?.kind === "op" && AUGMENTED_ASSIGNMENTS.has(next.text))) {
      this.#bind(scope, token.text);
      return true;
    }
    if (isOp(next, ":") && previous === undefined) {
      this.#bind(scope, token.text);
      return true;
    }
    if (isOp(next, ",") && statement.pending.length < MAX_PENDING_TARGETS) statement.pending.push(token.text);
    return false;
  }

  #bind(scope: Scope, name: string): void {
    if (!this.#found) this.#bindings.bind(scope, name);
  }

  /** The dotted name starting at `head`: its segments as written, read ahead without consuming them. */
  #chain(head: PythonToken): string[] {
    const segments = [head.text];
    for (let k = 0; segments.length <= MAX_CHAIN_SEGMENTS; k += 2) {
      const dot = this.#stream.peek(k);
      const name = this.#stream.peek(k + 1);
      if (!isOp(dot, ".") || name?.kind !== "name") break;
      segments.push(name.text);
    }
    return segments;
  }

  #checkReference(token: PythonToken, scope: Scope): void {
    const previous = this.#previous;
    if (token.kind !== "name" || KEYWORDS.has(token.text)) return;
    // The name a def or class defines is a binding of the enclosing scope, not a use.
    if (previous?.kind === "name" && (previous.text === "def" || previous.text === "class")) return;
    if (isOp(previous, ".")) {
      if (INTERNAL_ATTRIBUTES.has(token.text)) {
        this.#report(token, token.text, "it reaches interpreter internals");
      }
      return;
    }
    const next = this.#stream.peek(0);
    // A keyword argument's name (`f(os=1)`) refers to nothing.
    if (isOp(next, "=") && this.#statement.depth > 0) return;
    if (this.#bindings.isLocal(token.text, scope)) return;
    const found = this.#names?.reference(this.#chain(token));
    if (found) return this.#report(token, found.call, found.reason);
    if (ATTRIBUTE_FUNCTIONS.has(token.text) && isOp(next, "(")) {
      const target = this.#stream.peek(1);
      if (
        target?.kind === "name" && ATTRIBUTE_TARGETS.has(target.text) &&
        !this.#bindings.isLocal(target.text, scope)
      ) {
        this.#report(
          token,
          `${token.text}(${target.text})`,
          `it reaches any function of ${target.text} by name`,
        );
      }
    }
  }

  /** `import os`, `from subprocess import run`: reported where the dangerous module is named. */
  #checkImport(token: PythonToken): void {
    const previous = this.#previous;
    const alias = previous?.kind === "name" && previous.text === "as";
    if (token.kind !== "name" || KEYWORDS.has(token.text) || isOp(previous, ".") || alias) return;
    const statement = this.#statement;
    if (statement.first === "import") {
      const module = this.#chain(token);
      const found = this.#names?.module(module);
      if (found) this.#report(token, `import ${module.join(".")}`, found);
      return;
    }
    if (previous?.kind === "name" && previous.text === "from") {
      const module = this.#chain(token);
      const found = this.#names?.module(module);
      statement.pending = found ? [] : [module.join(".")];
      if (found) this.#report(token, `from ${module.join(".")} import`, found);
      return;
    }
    const from = statement.pending[0];
    if (from === undefined) return;
    const found = this.#names?.reference([...from.split("."), token.text]);
    if (found) this.#report(token, `from ${from} import ${token.text}`, found.reason);
  }

  #report(token: PythonToken, call: string, reason: string): void {
    this.#found?.push({ call, reason, position: token.start, line: token.line });
  }
}

/**
 * Every dangerous reference in Python source (TorchScript `code/`), in source order, at most
 * {@linkcode MAX_REFERENCES_PER_SOURCE}, as `policy` (the standard one by default) judges names,
 * recording at most `maxBindings` local names (the `pytorch.maxTorchScriptBindings` option).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { findDangerousCode } from "./torchscript.ts";
 * const code = 'def forward(self, x):\n    os.system("id")  # "eval(x)"\n    return torch.relu(x)\n';
 * assert.deepEqual(findDangerousCode(new TextEncoder().encode(code)).map((r) => [r.call, r.line]), [["os.system", 2]]);
 * ```
 */
export function findDangerousCode(
  source: Uint8Array,
  signal?: AbortSignal,
  policy: CallablePolicy = CallablePolicy.standard(),
  maxBindings: number = DEFAULT_PYTORCH_OPTIONS.maxTorchScriptBindings,
): DangerousReference[] {
  const bindings = new Bindings(maxBindings);
  new Pass(source, bindings, undefined, signal).run();
  const found: DangerousReference[] = [];
  new Pass(source, bindings, { found, names: new TorchScriptNames(policy) }, signal).run();
  return found;
}

/**
 * Scans one TorchScript source file, reporting each dangerous reference as MA302 at its byte offset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { scanTorchScriptSource } from "./torchscript.ts";
 * const { ctx, findings } = recordingContext("model.pt:m/code/__torch__.py");
 * await scanTorchScriptSource(bytesSource(new TextEncoder().encode("torch.save(x, p)\n")), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.position, f.details?.call]), [["MA302", 0, "torch.save"]]);
 * ```
 */
export async function scanTorchScriptSource(source: ByteSource, ctx: ScanContext): Promise<void> {
  const { maxTorchScriptSourceBytes, maxTorchScriptBindings } = scannerOptions(ctx).pytorch;
  const inspected = Math.min(source.size, maxTorchScriptSourceBytes);
  const bytes = await readAll(subSource(source, 0, inspected));
  for (const reference of findDangerousCode(bytes, ctx.signal, ctx.policy, maxTorchScriptBindings)) {
    ctx.report({
      rule: "MA302",
      message: `TorchScript code uses ${reference.call} (line ${reference.line}): ${reference.reason}`,
      position: reference.position,
      details: { call: reference.call, line: reference.line },
    });
  }
  if (source.size > inspected) {
    ctx.report({
      rule: "MA006",
      severity: "warning",
      message: `TorchScript source of ${source.size} bytes: only its first ${inspected} bytes were inspected`,
      details: {
        format: "torchscript",
        size: source.size,
        limit: "MAX_TORCHSCRIPT_SOURCE_BYTES",
        option: "pytorch.maxTorchScriptSourceBytes",
        max: inspected,
      },
    });
  }
}

/**
 * The TorchScript code scanner: reached only through archives, which name it for their `code/`
 * members (`loadAs`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { torchscriptScanner } from "./torchscript.ts";
 * const code = "def forward(self, x):\n    return torch.relu(x)\n";
 * const { ctx, findings } = recordingContext("model.pt:m/code/__torch__.py");
 * await torchscriptScanner.scan(bytesSource(new TextEncoder().encode(code)), ctx);
 * assert.equal(findings.length, 0);
 * ```
 */
export const torchscriptScanner: Scanner = { scan: scanTorchScriptSource };
