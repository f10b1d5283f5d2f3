/**
 * Python source analysis: which dangerous callables a module calls, and
 * whether they run when it is imported. Model repositories ship Python that
 * runs on load (`trust_remote_code=True` imports `modeling_*.py`, TorchServe
 * imports its handler); this reads it without running it.
 *
 * The source is parsed by `@lezer/python` (error-tolerant: a file with syntax
 * errors is still analysed, and the errors are counted). Every call's callee is
 * resolved to a dotted path through the module's own names: imports and their
 * aliases (`import os as o`, `from subprocess import Popen as P`), assignments
 * (`run = os.system`), attribute chains, `getattr(x, "literal")`,
 * `__import__("os")`, `importlib.import_module("os")`, `__builtins__` and
 * `builtins.__dict__["eval"]`; names bound nowhere are builtins. Names are
 * resolved flow-insensitively within their scope: whatever a name is ever bound
 * to counts, so rebinding it later does not hide a call.
 *
 * Each resolved path is judged by the one policy of Python callables, with the
 * source scanner's own safe names ({@linkcode PYTHON_SOURCE_SAFE}). Calls of the
 * `reflection` category (`getattr(config, name)`, `inspect.signature`) are
 * ordinary Python and not reported; they are followed instead, so
 * `getattr(os, "system")(...)` is `os.system`. `open` reading a file is not
 * reported either; writing one is.
 *
 * A call runs at import time when it sits at module level, in a class body, a
 * decorator or a default argument, or in a function the module calls at import
 * time (`def _init(): ...` then `_init()`); a call in a function body (or a
 * lambda, or the `if __name__ == "__main__":` block) runs only when called.
 *
 * @module
 */

// Before the parser: it reads an environment variable as it loads (see node_env.ts).
import "../node_env.ts";
import { parser } from "@lezer/python";
import type { CallableCategory, CallablePolicy, CallableVerdict } from "../../policy/callables.ts";
import { stringValue } from "./literals.ts";
import { DEFAULT_PYTHON_OPTIONS, type PythonOptions } from "../option_catalog.ts";
import { sourcePolicy } from "./safe_source.ts";
import { LineIndex } from "../strings/line_index.ts";

/** The limits {@linkcode analyzePythonSource} needs. */
export type PythonAnalysisLimits = Pick<PythonOptions, "maxSyntaxNodes" | "maxReportedCalls">;

/** A syntax node of the parse tree. */
type SyntaxNode = ReturnType<typeof parser.parse>["topNode"];

/** Characters of a callee kept as written in a finding. */
export const MAX_WRITTEN_CHARS = 120;
/** Steps of one resolution (aliases of aliases, arguments of calls): bounds `a = b; b = a` and deep chains. */
const MAX_RESOLVE_DEPTH = 24;
/** Paths one expression may resolve to: a name bound to a few things in turn. */
const MAX_PATHS = 8;
/** Segments of a resolved path: the deepest denied entry has six. */
const MAX_PATH_SEGMENTS = 32;
/** Imports listed per file: a real module has tens. */
export const MAX_LISTED_IMPORTS = 10_000;
/** String constants listed per file, for the shared string checks. */
export const MAX_LISTED_STRINGS = 100_000;
/** Characters of one string constant listed: the string checks read at most `strings.maxCheckedChars` (1 Mi). */
export const MAX_LISTED_STRING_CHARS = 1024 * 1024;

/** One import statement's binding. */
export interface PythonImport {
  /** The module as written, dotted; a relative import keeps its leading dots (`..utils`). */
  module: string;
  /** For `from module import name`: the name imported (`*` for a star import). */
  name?: string;
  /** The name the statement binds in its scope (`o` for `import os as o`; `*` for a star import). */
  alias: string;
  /** Line of the statement, from 1. */
  line: number;
  /** Column of the statement, from 1. */
  column: number;
  /** Whether the import runs when the module is imported (module level, not inside a function). */
  importTime: boolean;
}

/** One call of a dangerous callable. */
export interface PythonCall {
  /** The callable the call resolves to, dotted as the policy names it, e.g. `os.system`. */
  callable: string;
  /** The callee as written (cut to {@linkcode MAX_WRITTEN_CHARS}), e.g. `o.system` or `getattr(os, "system")`. */
  written: string;
  /** What kind of harm the callable does, from the policy. */
  category: CallableCategory | "configured";
  /** Why the policy denies it. */
  reason: string;
  /** Line of the call, from 1. */
  line: number;
  /** Column of the call, from 1. */
  column: number;
  /** Whether the call runs when the module is imported. */
  importTime: boolean;
  /** The policy's verdict on {@linkcode PythonCall.callable}. */
  verdict: CallableVerdict;
  /**
   * When the callable is not called here but handed to a call that will (`map(os.system, cmds)`,
   * `Thread(target=os.system)`, `partial(eval, s)`): that call's callee as written; `written` is the argument.
   */
  passedTo?: string;
}

/** A string constant of the source, as the program sees it (escapes decoded, adjacent literals joined). */
export interface PythonString {
  /** The value. */
  value: string;
  /** Line of its first literal, from 1. */
  line: number;
  /** Column of its first literal, from 1. */
  column: number;
}

/** What {@linkcode analyzePythonSource} found in one module. */
export interface PythonSourceAnalysis {
  /** Calls of callables the policy denies (reflection excepted), in source order, at most `maxReportedCalls`. */
  calls: PythonCall[];
  /** Dangerous calls found past `maxReportedCalls`, not listed. */
  omittedCalls: number;
  /** Every import binding, in source order (at most {@linkcode MAX_LISTED_IMPORTS}). */
  imports: PythonImport[];
  /**
   * The string constants the code uses, in source order (at most {@linkcode MAX_LISTED_STRINGS}, each up to
   * {@linkcode MAX_LISTED_STRING_CHARS}): not f-strings, and not strings standing alone as statements
   * (docstrings), which the program never uses.
   */
  strings: PythonString[];
  /** Lines of the source. */
  lines: number;
  /** Syntax errors the parser recovered from; 0 when the source parses. */
  syntaxErrors: number;
  /** Where the first syntax error is. */
  firstSyntaxError?: { line: number; column: number };
  /** Syntax nodes visited. */
  nodes: number;
  /** Whether `maxSyntaxNodes` stopped the analysis before the end of the source. */
  truncated: boolean;
}

/** What a name is bound to in a scope. */
type Binding =
  | { readonly path: string }
  | { readonly expr: SyntaxNode; readonly scope: Scope }
  | { readonly opaque: true; readonly at: number };

interface Scope {
  readonly parent?: Scope;
  readonly names: Map<string, Binding[]>;
  /** The paths each name resolves to, once resolved; `null` while being resolved (a cycle resolves to none). */
  readonly resolved: Map<string, string[] | null>;
}

/** A call site: a call expression, or a decorator without arguments (called with what it decorates). */
interface Site {
  readonly node: SyntaxNode;
  readonly callee: SyntaxNode;
  readonly scope: Scope;
  readonly importTime: boolean;
  /** The module-level function the site's code belongs to, when it does. */
  readonly inFunction?: Scope;
}

/** A character past ASCII: only then is a name NFKC-normalized, as Python does. */
const NON_ASCII = /[^\p{ASCII}]/u;

/** Distinct paths whose verdicts one analysis remembers. */
const MAX_REMEMBERED_VERDICTS = 16_384;
/** Nested function, lambda and class scopes tracked: CPython's parser refuses nesting much deeper (200 levels). */
export const MAX_SCOPE_DEPTH = 256;

/** Bindings recorded per name and scope: a name rebound thousands of times keeps its first few. */
const MAX_BINDINGS_PER_NAME = 8;

/**
 * Parses `text` as Python and lists its imports and the calls of dangerous callables, each with its
 * line, column and whether it runs at import time. Never runs, imports or evaluates the source.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "../../policy/callables.ts";
 * import { analyzePythonSource } from "./analyze.ts";
 * const source = [
 *   "import os as o",
 *   "o.system('echo pwned')",
 *   "def f():",
 *   "    return o.path.join('a', 'b')",
 * ].join("\n");
 * const analysis = analyzePythonSource(source, CallablePolicy.standard());
 * assert.deepEqual(
 *   analysis.calls.map(({ callable, category, line, column, importTime }) => ({ callable, category, line, column, importTime })),
 *   [{ callable: "os.system", category: "process", line: 2, column: 1, importTime: true }],
 * );
 * assert.deepEqual(analysis.imports.map((i) => [i.module, i.alias]), [["os", "o"]]);
 * ```
 */
export function analyzePythonSource(
  text: string,
  policy: CallablePolicy,
  limits: PythonAnalysisLimits = DEFAULT_PYTHON_OPTIONS,
): PythonSourceAnalysis {
  return new _Analysis(text, sourcePolicy(policy), limits).run();
}

class _Analysis {
  readonly #text: string;
  readonly #policy: CallablePolicy;
  readonly #limits: PythonAnalysisLimits;
  readonly #lines: LineIndex;
  readonly #module: Scope = { names: new Map(), resolved: new Map() };
  readonly #stars: string[] = [];
  readonly #sites: Site[] = [];
  readonly #imports: PythonImport[] = [];
  readonly #strings: PythonString[] = [];
  readonly #verdicts = new Map<string, CallableVerdict>();
  /** The modules `import` statements name, and the paths `from ... import` binds, built when first needed. */
  #modulePaths?: ReadonlySet<string>;
  #fromPaths?: ReadonlySet<string>;
  /** Module-level functions by name, to follow the ones called at import time. */
  readonly #functions = new Map<string, Scope>();
  readonly #functionScopes = new Set<Scope>();
  #nodes = 0;
  #truncated = false;
  #syntaxErrors = 0;
  #firstError?: number;

  constructor(text: string, policy: CallablePolicy, limits: PythonAnalysisLimits) {
    this.#text = text;
    this.#policy = policy;
    this.#limits = limits;
    this.#lines = new LineIndex(text);
  }

  run(): PythonSourceAnalysis {
    this.#walk();
    const calls: PythonCall[] = [];
    let omitted = 0;
    const runAtImport = this.#functionsRunAtImport();
    for (const site of this.#sites) {
      const importTime = site.importTime ||
        (site.inFunction !== undefined && runAtImport.has(site.inFunction));
      for (const call of this.#judge(site, importTime)) {
        if (calls.length < this.#limits.maxReportedCalls) calls.push(call);
        else omitted++;
      }
    }
    const first = this.#firstError === undefined ? undefined : this.#lines.place(this.#firstError);
    return {
      calls,
      omittedCalls: omitted,
      imports: this.#imports,
      strings: this.#strings,
      lines: this.#lines.count,
      syntaxErrors: this.#syntaxErrors,
      ...(first ? { firstSyntaxError: first } : {}),
      nodes: this.#nodes,
      truncated: this.#truncated,
    };
  }

  /** The policy's verdict on `path`, remembered: code calls the same few names (`torch.cat`) many times. */
  #verdict(path: string): CallableVerdict {
    let verdict = this.#verdicts.get(path);
    if (!verdict) {
      verdict = this.#policy.judge(path);
      if (this.#verdicts.size < MAX_REMEMBERED_VERDICTS) this.#verdicts.set(path, verdict);
    }
    return verdict;
  }

  /**
   * The node's text (cut to {@linkcode MAX_WRITTEN_CHARS}), NFKC-normalized as Python normalizes identifiers:
   * `ｏｓ.ｓｙｓｔｅｍ` is `os.system` to the interpreter.
   */
  #slice(node: SyntaxNode): string {
    const text = this.#text.slice(node.from, Math.min(node.to, node.from + MAX_WRITTEN_CHARS));
    return NON_ASCII.test(text) ? text.normalize("NFKC") : text;
  }

  /**
   * One pass over the tree (iterative: nesting depth costs no stack), within the node budget:
   * records scopes, bindings, imports and call sites, with whether each runs at import time.
   */
  #walk(): void {
    const tree = parser.parse(this.#text);
    const scopes: Scope[] = [this.#module];
    /** Nodes that opened a scope or a run-later region, by their start and type, to close on leave. */
    const scopeNodes: SyntaxNode[] = [];
    const deferredNodes: SyntaxNode[] = [];
    let deferred = 0;
    // Per scope: the module-level function whose own code it is, if any (not a function nested in it).
    const owners: (Scope | undefined)[] = [undefined];
    const functionOf = () => owners[owners.length - 1];
    tree.iterate({
      enter: (ref) => {
        if (this.#nodes >= this.#limits.maxSyntaxNodes) {
          this.#truncated = true;
          return false;
        }
        this.#nodes++;
        if (ref.type.isError) {
          this.#syntaxErrors++;
          this.#firstError ??= ref.from;
          return;
        }
        const node = ref.node;
        const scope = scopes[scopes.length - 1];
        switch (ref.name) {
          case "ImportStatement":
            this.#recordImport(node, scope, deferred === 0);
            break;
          case "AssignStatement":
          case "NamedExpression":
            this.#recordAssignment(node, scope);
            break;
          case "ForStatement":
          case "WithStatement":
          case "TryStatement":
            this.#recordTargets(node, scope);
            break;
          case "CallExpression": {
            const callee = node.firstChild;
            if (callee) {
              this.#sites.push({ node, callee, scope, importTime: deferred === 0, inFunction: functionOf() });
            }
            break;
          }
          case "Decorator": {
            // `@name` and `@a.b` call what they name with the function; `@name(...)` is a call expression.
            const expression = node.firstChild?.nextSibling;
            if (expression && expression.name !== "CallExpression") {
              this.#sites.push({
                node,
                callee: expression,
                scope,
                importTime: deferred === 0,
                inFunction: functionOf(),
              });
            }
            break;
          }
          case "FunctionDefinition":
          case "ClassDefinition":
          case "LambdaExpression": {
            const name = node.getChild("VariableName");
            if (name && ref.name !== "LambdaExpression") {
              this.#bind(scope, this.#slice(name), { opaque: true, at: node.from });
            }
            // Deeper scopes than CPython's parser accepts share the innermost one: their names can only
            // stop shadowing, which adds findings, and lookups stay within the cap.
            if (scopes.length < MAX_SCOPE_DEPTH) {
              const isFunction = ref.name !== "ClassDefinition";
              const inner: Scope = { parent: scope, names: new Map(), resolved: new Map() };
              if (ref.name === "FunctionDefinition" && scope === this.#module && name) {
                this.#functions.set(this.#slice(name), inner);
                this.#functionScopes.add(inner);
              }
              // A class body runs with the code around it; a nested function's code only when called.
              owners.push(this.#functionScopes.has(inner) ? inner : isFunction ? undefined : owners.at(-1));
              scopes.push(inner);
              scopeNodes.push(node);
              const params = node.getChild("ParamList");
              if (params) this.#recordParameters(params, inner);
            }
            if (ref.name === "LambdaExpression") {
              deferred++;
              deferredNodes.push(node);
            }
            break;
          }
          case "String":
          case "ContinuedString":
            this.#recordString(node);
            break;
          case "Body":
            if (node.parent?.name === "FunctionDefinition" || this.#isMainGuardBody(node)) {
              deferred++;
              deferredNodes.push(node);
            }
            break;
        }
      },
      leave: (ref) => {
        const lastDeferred = deferredNodes[deferredNodes.length - 1];
        if (
          lastDeferred && lastDeferred.from === ref.from && lastDeferred.to === ref.to &&
          lastDeferred.name === ref.name
        ) {
          deferredNodes.pop();
          deferred--;
        }
        const lastScope = scopeNodes[scopeNodes.length - 1];
        if (
          lastScope && lastScope.from === ref.from && lastScope.to === ref.to && lastScope.name === ref.name
        ) {
          scopeNodes.pop();
          scopes.pop();
          owners.pop();
        }
      },
    });
  }

  /** Whether `body` is the first body of a module-level `if __name__ == "__main__":`, which runs only as a script. */
  #isMainGuardBody(body: SyntaxNode): boolean {
    const statement = body.parent;
    if (statement?.name !== "IfStatement" || statement.parent?.name !== "Script") return false;
    const condition = body.prevSibling;
    if (!condition || condition.prevSibling?.name !== "if") return false;
    const text = this.#text.slice(condition.from, condition.to).replace(/\s+/g, "");
    return /^__name__==(['"])__main__\1$/.test(text) || /^(['"])__main__\1==__name__$/.test(text);
  }

  /** Lists a string constant, unless it is part of a longer one or a statement of its own (a docstring). */
  #recordString(node: SyntaxNode): void {
    const parent = node.parent?.name;
    if (parent === "ContinuedString" || parent === "ExpressionStatement") return;
    if (this.#strings.length >= MAX_LISTED_STRINGS) return;
    const value = this.#literal(node, 0, MAX_LISTED_STRING_CHARS);
    if (value !== undefined) this.#strings.push({ value, ...this.#lines.place(node.from) });
  }

  #bind(scope: Scope, name: string, binding: Binding): void {
    const bindings = scope.names.get(name);
    if (!bindings) scope.names.set(name, [binding]);
    else if (bindings.length < MAX_BINDINGS_PER_NAME) bindings.push(binding);
  }

  #recordImport(node: SyntaxNode, scope: Scope, importTime: boolean): void {
    const where = this.#lines.place(node.from);
    const list = (module: string, alias: string, name?: string) => {
      if (this.#imports.length < MAX_LISTED_IMPORTS) {
        this.#imports.push({ module, ...(name === undefined ? {} : { name }), alias, ...where, importTime });
      }
    };
    let child = node.firstChild;
    if (child?.name === "from") {
      // from [dots]module import name [as alias], ... | *
      let module = "";
      for (child = child.nextSibling; child && child.name !== "import"; child = child.nextSibling) {
        module += this.#slice(child);
      }
      const relative = module.startsWith(".");
      for (child = child?.nextSibling ?? null; child; child = child.nextSibling) {
        if (child.name === "*") {
          list(module, "*", "*");
          if (!relative) this.#stars.push(module);
        } else if (child.name === "VariableName") {
          const name = this.#slice(child);
          let alias = name;
          if (child.nextSibling?.name === "as" && child.nextSibling.nextSibling) {
            child = child.nextSibling.nextSibling;
            alias = this.#slice(child);
          }
          list(module, alias, name);
          // The package's own modules are its code, judged where they are scanned.
          this.#bind(
            scope,
            alias,
            relative ? { opaque: true, at: child.from } : { path: `${module}.${name}` },
          );
        }
      }
      return;
    }
    // import a.b.c [as x], ...
    for (child = child?.nextSibling ?? null; child;) {
      if (child.name !== "VariableName") {
        child = child.nextSibling;
        continue;
      }
      const segments = [this.#slice(child)];
      for (
        child = child.nextSibling;
        child?.name === "." && child.nextSibling;
        child = child.nextSibling.nextSibling
      ) {
        segments.push(this.#slice(child.nextSibling));
      }
      const module = segments.join(".");
      if (child?.name === "as" && child.nextSibling) {
        const alias = this.#slice(child.nextSibling);
        list(module, alias);
        this.#bind(scope, alias, { path: module });
        child = child.nextSibling.nextSibling;
      } else {
        // `import a.b` binds `a`; `a.b` is then reached as an attribute chain.
        list(module, segments[0]);
        this.#bind(scope, segments[0], { path: segments[0] });
      }
    }
  }

  /** `a = b = value` and `a := value`: each plain name target is bound to the value; tuple targets are opaque. */
  #recordAssignment(node: SyntaxNode, scope: Scope): void {
    const value = node.lastChild;
    if (!value) return;
    const simple = node.getChildren("AssignOp").length > 0 && !node.getChild(",");
    for (
      let child = node.firstChild;
      child && child !== value && child.from < value.from;
      child = child.nextSibling
    ) {
      if (child.name !== "VariableName") continue;
      const name = this.#slice(child);
      this.#bind(scope, name, simple ? { expr: value, scope } : { opaque: true, at: child.from });
    }
  }

  /** The names `for`, `with ... as` and `except ... as` bind: opaque values that shadow outer names. */
  #recordTargets(node: SyntaxNode, scope: Scope): void {
    let binding = node.name === "ForStatement";
    for (let child = node.firstChild; child; child = child.nextSibling) {
      if (child.name === "in" || child.name === "Body") binding = false;
      else if (child.name === "as") binding = true;
      else if (child.name === "VariableName" && binding) {
        this.#bind(scope, this.#slice(child), { opaque: true, at: child.from });
        if (node.name !== "ForStatement") binding = false;
      }
    }
  }

  /** Parameters are opaque names of the function's scope; a default value (after `=`) is not a parameter. */
  #recordParameters(params: SyntaxNode, scope: Scope): void {
    for (let child = params.firstChild; child; child = child.nextSibling) {
      if (child.name === "VariableName" && child.prevSibling?.name !== "AssignOp") {
        this.#bind(scope, this.#slice(child), { opaque: true, at: child.from });
      }
    }
  }

  /** Module-level functions that run at import time: called there, or by one that is, transitively. */
  #functionsRunAtImport(): Set<Scope> {
    // Calls of module-level functions by bare name, by the function whose code makes them (null: import time).
    const calls = new Map<Scope | null, Scope[]>();
    for (const site of this.#sites) {
      if (site.callee.name !== "VariableName") continue;
      const caller = site.importTime ? null : site.inFunction;
      const callee = this.#functions.get(this.#slice(site.callee));
      if (caller === undefined || !callee || !this.#isModuleFunction(this.#slice(site.callee), site.scope)) {
        continue;
      }
      const callees = calls.get(caller);
      if (callees) callees.push(callee);
      else calls.set(caller, [callee]);
    }
    const running = new Set<Scope>();
    // Each function enters the queue once: the walk is linear in the calls listed.
    const queue: (Scope | null)[] = [null];
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const callee of calls.get(next) ?? []) {
        if (running.has(callee)) continue;
        running.add(callee);
        queue.push(callee);
      }
    }
    return running;
  }

  /** Whether `name` in `scope` is the module-level function of that name (not a local shadowing it). */
  #isModuleFunction(name: string, scope: Scope): boolean {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (s.names.has(name)) return s === this.#module && this.#functions.has(name);
    }
    return false;
  }

  /** The calls of denied callables a site makes. */
  #judge(site: Site, importTime: boolean): PythonCall[] {
    const paths = this.#resolve(site.callee, site.scope, 0, importTime ? site.node.from : undefined);
    const calls: PythonCall[] = [];
    const seen = new Set<string>();
    for (const path of [...paths, ...this.#dynamicAttributeTargets(site, paths)]) {
      const verdict = this.#verdict(path);
      if (verdict.tier !== "denied" || verdict.category === "reflection" || seen.has(verdict.name)) continue;
      if (verdict.category === "file" && this.#readsOnly(site, verdict.name)) continue;
      seen.add(verdict.name);
      calls.push(this.#call(verdict, site.callee, site.node, importTime));
    }
    // A call already reported needs no word on its arguments (`Popen(cmd, stdout=subprocess.PIPE)`).
    return calls.length > 0 ? calls : this.#passedCallables(site, importTime);
  }

  #call(verdict: CallableVerdict, written: SyntaxNode, at: SyntaxNode, importTime: boolean): PythonCall {
    return {
      callable: verdict.name,
      written: this.#slice(written),
      category: verdict.category ?? "configured",
      reason: verdict.reason ?? "the policy denies it",
      ...this.#lines.place(at.from),
      importTime,
      verdict,
    };
  }

  /**
   * Dangerous callables a call is handed as arguments, to call them itself: `map(os.system, cmds)`,
   * `Thread(target=os.system, ...)`, `functools.partial(eval, s)`. Modules (`f(os)`) and constants
   * (`socket.AF_INET`) are not callables handed over.
   */
  #passedCallables(site: Site, importTime: boolean): PythonCall[] {
    if (site.node.name !== "CallExpression") return [];
    const { positional, keywords } = this.#arguments(site.node);
    const calls: PythonCall[] = [];
    for (const argument of [...positional, ...keywords.values()]) {
      if (argument.name !== "VariableName" && argument.name !== "MemberExpression") continue;
      for (const path of this.#resolve(argument, site.scope, 0)) {
        if (this.#isModule(path) || /^[A-Z0-9_]+$/.test(path.slice(path.lastIndexOf(".") + 1))) continue;
        const verdict = this.#verdict(path);
        if (verdict.tier !== "denied" || verdict.category === "reflection" || verdict.category === "file") {
          continue;
        }
        calls.push({
          ...this.#call(verdict, argument, argument, importTime),
          passedTo: this.#slice(site.callee),
        });
        break;
      }
    }
    return calls;
  }

  /**
   * For `getattr(module, name)` with a name computed at run time, the module: what it hands out is any of the
   * module's attributes (`getattr(os, cmd)`), judged as the module. Objects are left alone: `getattr(config,
   * name)` is everywhere.
   */
  #dynamicAttributeTargets(site: Site, callees: readonly string[]): string[] {
    if (site.node.name !== "CallExpression") return [];
    if (!callees.some((path) => this.#verdict(path).name === "builtins.getattr")) return [];
    const [object, attribute] = this.#arguments(site.node).positional;
    if (!object || !attribute || this.#literal(attribute, 0) !== undefined) return [];
    return this.#resolve(object, site.scope, 0).filter((path) => this.#isModule(path, true));
  }

  /**
   * Whether `path` is a module: one an `import` statement names, or one `__import__("os")` returned (a
   * single segment); with `fromImports`, also what `from a import b` binds, which may be a module.
   */
  #isModule(path: string, fromImports = false): boolean {
    if (!path.includes(".")) return true;
    this.#modulePaths ??= new Set(this.#imports.filter((i) => i.name === undefined).map((i) => i.module));
    this.#fromPaths ??= new Set(
      this.#imports.filter((i) => i.name !== undefined).map((i) => `${i.module}.${i.name}`),
    );
    return this.#modulePaths.has(path) || (fromImports && this.#fromPaths.has(path));
  }

  /** Whether the site is `open(...)` (or `io.open`) with no mode or a mode that only reads. */
  #readsOnly(site: Site, callable: string): boolean {
    if (callable !== "builtins.open" && callable !== "io.open") return false;
    if (site.node.name !== "CallExpression") return false;
    const args = this.#arguments(site.node);
    const mode = args.keywords.get("mode") ?? args.positional[1];
    if (!mode) return true;
    const value = this.#literal(mode, 0);
    return value !== undefined && !/[wax+]/.test(value);
  }

  /** A call's positional arguments and keyword arguments by name. */
  #arguments(call: SyntaxNode): { positional: SyntaxNode[]; keywords: Map<string, SyntaxNode> } {
    const positional: SyntaxNode[] = [];
    const keywords = new Map<string, SyntaxNode>();
    const list = call.getChild("ArgList");
    let unpacked = false;
    for (let child = list?.firstChild ?? null; child; child = child.nextSibling) {
      const name = child.name;
      if (name === "(" || name === ")" || name === ",") continue;
      if (name === "*" || name === "**") {
        // What follows is unpacked: positions after it are unknown.
        unpacked = true;
      } else if (name === "VariableName" && child.nextSibling?.name === "AssignOp") {
        const value = child.nextSibling.nextSibling;
        if (value) keywords.set(this.#slice(child), value);
        child = value ?? child.nextSibling;
      } else if (!unpacked) {
        positional.push(child);
      }
    }
    return { positional, keywords };
  }

  /** The value of a constant string expression: a literal, implicit or `+` concatenation, parentheses. */
  #literal(node: SyntaxNode, depth: number, maxChars?: number): string | undefined {
    if (depth > MAX_RESOLVE_DEPTH) return undefined;
    switch (node.name) {
      case "String":
      case "ContinuedString":
        // Adjacent literals are one constant; an f-string among them makes it none.
        return stringValue(this.#text.slice(node.from, node.to), maxChars);
      case "ParenthesizedExpression": {
        const inner = node.firstChild?.nextSibling;
        return inner ? this.#literal(inner, depth + 1) : undefined;
      }
      case "BinaryExpression": {
        const left = node.firstChild;
        const op = left?.nextSibling;
        const right = op?.nextSibling;
        if (!left || !right || this.#slice(op) !== "+") return undefined;
        const a = this.#literal(left, depth + 1);
        const b = a === undefined ? undefined : this.#literal(right, depth + 1);
        return a === undefined || b === undefined ? undefined : a + b;
      }
    }
    return undefined;
  }

  /**
   * The dotted paths an expression may evaluate to (modules, their attributes, builtins); none if unknown.
   * `at`: the offset of an import-time use, before which a module-level definition does not shadow a builtin.
   */
  #resolve(node: SyntaxNode, scope: Scope, depth: number, at?: number): string[] {
    if (depth > MAX_RESOLVE_DEPTH) return [];
    switch (node.name) {
      case "VariableName":
        return this.#resolveName(this.#slice(node), scope, depth, at);
      case "MemberExpression":
        return this.#resolveMember(node, scope, depth, at);
      case "CallExpression":
        return this.#resolveCallResult(node, scope, depth, at);
      case "ParenthesizedExpression": {
        const inner = node.firstChild?.nextSibling;
        return inner && inner.name !== ")" ? this.#resolve(inner, scope, depth + 1) : [];
      }
      case "NamedExpression":
        return node.lastChild ? this.#resolve(node.lastChild, scope, depth + 1) : [];
    }
    return [];
  }

  #resolveName(name: string, scope: Scope, depth: number, at?: number): string[] {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const bindings = s.names.get(name);
      if (!bindings) continue;
      // `eval("...")` at the top of a module still runs the builtin when `def eval` comes later.
      if (at !== undefined && s === this.#module && bindings.every((b) => "opaque" in b && b.at > at)) {
        continue;
      }
      // Each name is resolved once per scope, so aliases of aliases cost no more than their bindings.
      const known = s.resolved.get(name);
      if (known !== undefined) return known ?? [];
      s.resolved.set(name, null);
      const paths: string[] = [];
      for (const binding of bindings) {
        if ("path" in binding) paths.push(binding.path);
        else if ("expr" in binding) paths.push(...this.#resolve(binding.expr, binding.scope, depth + 1));
      }
      const resolved = _capped(paths);
      s.resolved.set(name, resolved);
      return resolved;
    }
    if (name === "__builtins__" || name === "__builtin__") return ["builtins"];
    return _capped([`builtins.${name}`, ...this.#stars.map((module) => `${module}.${name}`)]);
  }

  #resolveMember(node: SyntaxNode, scope: Scope, depth: number, at?: number): string[] {
    const object = node.firstChild;
    const accessor = object?.nextSibling;
    if (!object || !accessor) return [];
    const bases = this.#resolve(object, scope, depth + 1, at);
    if (bases.length === 0) return [];
    let member: string | undefined;
    if (accessor.name === ".") {
      const property = accessor.nextSibling;
      member = property?.name === "PropertyName" ? this.#slice(property) : undefined;
      return member === undefined ? [] : _extended(bases, member);
    }
    // A subscript names an attribute only on a namespace: `__builtins__["eval"]`, `os.__dict__["system"]`,
    // `vars(os)["system"]`; `sys.modules["os"]` is a module, `globals()["os"]` a module-level name.
    const key = accessor.nextSibling;
    member = key ? this.#literal(key, depth + 1) : undefined;
    if (member === undefined) return [];
    const paths: string[] = [];
    for (const base of bases) {
      if (base === "builtins") paths.push(..._extended([base], member));
      else if (base.endsWith(".__dict__")) {
        paths.push(..._extended([base.slice(0, -".__dict__".length)], member));
      } else if (base === "sys.modules" && /^[A-Za-z_][\w.]*$/.test(member)) paths.push(member);
      else if (base === GLOBALS) paths.push(...this.#resolveName(member, this.#module, depth + 1));
    }
    return _capped(paths);
  }

  /** What a call evaluates to, when it is a module or attribute: `__import__("os")`, `getattr(os, "system")`. */
  #resolveCallResult(node: SyntaxNode, scope: Scope, depth: number, at?: number): string[] {
    const callee = node.firstChild;
    if (!callee) return [];
    const callees = this.#resolve(callee, scope, depth + 1, at);
    if (callees.length === 0) return [];
    const args = this.#arguments(node);
    const first = args.positional[0];
    const results: string[] = [];
    for (const path of callees) {
      const name = this.#verdict(path).name;
      if (name === "builtins.__import__" || name === "importlib.__import__") {
        const module = first && this.#literal(first, depth + 1);
        const fromList = args.positional[3] ?? args.keywords.get("fromlist");
        if (module && /^[A-Za-z_][\w.]*$/.test(module)) {
          results.push(fromList ? module : module.split(".")[0]);
        }
      } else if (name === "importlib.import_module") {
        const module = first && this.#literal(first, depth + 1);
        if (module && /^[A-Za-z_][\w.]*$/.test(module)) results.push(module);
      } else if (name === "builtins.globals") {
        results.push(GLOBALS);
      } else if (name === "builtins.vars" && first) {
        results.push(...this.#resolve(first, scope, depth + 1, at).map((path) => `${path}.__dict__`));
      } else if (name === "builtins.getattr") {
        const attribute = args.positional[1] && this.#literal(args.positional[1], depth + 1);
        if (first && attribute !== undefined) {
          results.push(..._extended(this.#resolve(first, scope, depth + 1, at), attribute));
        }
      }
    }
    return _capped(results);
  }
}

/** What `globals()` evaluates to: the module's namespace, subscripted by name (no dotted path starts with `<`). */
const GLOBALS = "<globals>";

/** `paths`, each with `.member` added, within the segment cap. */
function _extended(paths: readonly string[], member: string): string[] {
  return paths.filter((path) => path.split(".").length < MAX_PATH_SEGMENTS).map((path) =>
    `${path}.${member}`
  );
}

/** At most {@linkcode MAX_PATHS} distinct paths. */
function _capped(paths: string[]): string[] {
  return [...new Set(paths)].slice(0, MAX_PATHS);
}
