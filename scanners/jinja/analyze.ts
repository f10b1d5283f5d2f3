/**
 * Analysis of one Jinja chat template as code: parsed with `@huggingface/jinja`
 * (the parser transformers.js uses), its syntax tree walked for what a sandbox
 * escape needs (Python internals, names that run commands, globals that lead to
 * Python's module globals), with constant string expressions folded first so that
 * an obfuscated name is found as surely as a plain one. Nothing is rendered.
 *
 * Every place that holds a template calls {@linkcode analyzeTemplate}: the
 * `.jinja` and JSON scanners here, and GGUF's `tokenizer.chat_template` metadata.
 *
 * @module
 */

import { parse, tokenize } from "@huggingface/jinja";
import type { FindingReport } from "../../core/scanner.ts";
import {
  type CallNode,
  childrenOf,
  type FilterNode,
  type ForNode,
  isIdentifier,
  type JinjaNode,
  type KeywordNode,
  type MemberNode,
  type SetNode,
} from "./ast.ts";
import { type Constant, type ConstantScope, foldConstant } from "./fold.ts";
import { LineIndex } from "../strings/line_index.ts";
import { parserFriendly, type Word, wordsOf } from "./locate.ts";
import { escapeDunderIn, isDangerousName, isGlobalsObject, privacyOf } from "./names.ts";

/**
 * Where a template sits when it is a value inside a larger file, e.g. `$.chat_template`
 * in `tokenizer_config.json` or `tokenizer.chat_template` in a GGUF file's metadata.
 */
export interface TemplateLocation {
  /**
   * Key path of the template in its file. When set, findings are located by it (and
   * `position`), and the line and column inside the template go to their details
   * (`templateLine`, `templateColumn`), since they are not the file's.
   */
  keyPath?: string;
  /** Byte offset of the template's value in its file, if known. */
  position?: number;
}

/**
 * Filters that take attribute names (dotted paths): `attribute=` for all of them, and the
 * first positional argument for those listed `true` (`selectattr('role', 'equalto', 'system')`
 * names the attribute `role`; `'system'` is a value).
 */
const ATTRIBUTE_FILTERS = new Map([
  ["selectattr", true],
  ["rejectattr", true],
  ["groupby", true],
  ["map", false],
  ["sort", false],
  ["sum", false],
  ["unique", false],
  ["min", false],
  ["max", false],
  ["dictsort", false],
]);

/**
 * Analyses the Jinja template `text`, reporting MA500–MA504 findings to `report`.
 * A template that does not parse is reported (MA503), and its identifiers and strings
 * are still checked as text. Findings are located by line and column in `text`, or by
 * `where.keyPath` when the template is a value inside a larger file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FindingReport } from "../../core/scanner.ts";
 * import { analyzeTemplate } from "./analyze.ts";
 * const findings: FindingReport[] = [];
 * analyzeTemplate("{{ lipsum|attr('__glo' ~ 'bals__') }}", (f) => findings.push(f), { keyPath: "$.chat_template" });
 * assert.deepEqual(findings.map((f) => [f.rule, f.details?.name, f.keyPath]), [
 *   ["MA502", "lipsum", "$.chat_template"],
 *   ["MA500", "__globals__", "$.chat_template"],
 * ]);
 * const clean: FindingReport[] = [];
 * analyzeTemplate("{% for m in messages %}{{ m['role'] + ': ' + m['content'] | trim }}{% endfor %}", (f) => clean.push(f));
 * assert.equal(clean.length, 0);
 * ```
 */
export function analyzeTemplate(
  text: string,
  report: (finding: FindingReport) => void,
  where: TemplateLocation = {},
): void {
  const words = wordsOf(text);
  const reporter = new _Reporter(text, where);
  // Raw blocks are text to both Jinjas; only the parser here lacks them.
  const parsed = _parse(parserFriendly(text, "raw"));
  if (parsed.program) {
    _walkOrSearch(parsed.program, words, "value", reporter);
  } else {
    // Python's Jinja accepts more than @huggingface/jinja: retry with that syntax rewritten.
    const recovered = _parse(parserFriendly(text, "python")).program;
    reporter.unparsed(parsed.error, recovered !== undefined);
    if (recovered) _walkOrSearch(recovered, words, "pythonValue", reporter);
    else _checkWords(words, reporter);
  }
  reporter.flush(report);
}

/** The syntax tree of `text`, or why `@huggingface/jinja` rejects it. */
function _parse(text: string): { program?: JinjaNode; error: string } {
  try {
    return { program: parse(tokenize(text)) as unknown as JinjaNode, error: "" };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

/** Walks `program`; a tree too deep for the stack is searched as text instead. */
function _walkOrSearch(
  program: JinjaNode,
  words: Word[],
  decoded: "value" | "pythonValue",
  reporter: _Reporter,
): void {
  try {
    new _Walk(program, words, decoded, reporter).run();
  } catch (error) {
    // A tree deep enough to exhaust the stack here was also near the parser's limit.
    if (!(error instanceof RangeError)) throw error;
    reporter.unparsed(`nested too deeply to analyse (${error.message})`, false);
    _checkWords(words, reporter);
  }
}

/** Turns what the analysis found into located, de-duplicated findings, in template order. */
class _Reporter {
  readonly #seen = new Set<string>();
  readonly #found: { finding: FindingReport; offset: number }[] = [];
  /** The template's line starts, indexed at the first finding that needs a line. */
  #lines?: LineIndex;

  constructor(readonly text: string, readonly where: TemplateLocation) {}

  /** Hands the findings to `report`, ordered by where they are in the template (unlocated ones first). */
  flush(report: (finding: FindingReport) => void): void {
    this.#found.sort((a, b) => a.offset - b.offset);
    for (const { finding } of this.#found) report(finding);
  }

  unparsed(reason: string, recovered: boolean): void {
    this.#emit({
      rule: "MA503",
      message: recovered
        ? `Chat template does not parse with @huggingface/jinja (${reason}); it was analysed with its Python-only syntax (escapes, empty tuples) rewritten`
        : `Chat template does not parse (${reason}): it was searched as text only`,
      details: { error: reason, recovered },
    }, undefined);
  }

  internal(name: string, offset: number | undefined, spelled: boolean): void {
    const privacy = privacyOf(name);
    const how = spelled ? "" : ", spelled in pieces or escapes that fold to it";
    this.#emit({
      rule: "MA500",
      message: privacy === "private"
        ? `Chat template reaches the private attribute ${name}${how}, which Jinja's sandbox forbids`
        : `Chat template reaches the Python internal ${name}${how}: a step of a sandbox escape`,
      severity: privacy === "private" ? "warning" : undefined,
      details: { name, obfuscated: !spelled },
    }, offset);
  }

  dangerous(name: string, offset: number | undefined, spelled: boolean): void {
    const how = spelled ? "" : ", spelled in pieces or escapes that fold to it";
    this.#emit({
      rule: "MA501",
      message:
        `Chat template names ${name}${how}, which runs commands or code once a template escapes its sandbox`,
      details: { name, obfuscated: !spelled },
    }, offset);
  }

  globalsObject(name: string, offset: number | undefined): void {
    this.#emit({
      rule: "MA502",
      message: `Chat template reaches into ${name}, a Jinja global whose attributes lead to Python's globals`,
      details: { name },
    }, offset);
  }

  dynamicAttribute(offset: number | undefined): void {
    this.#emit({
      rule: "MA504",
      message: "Chat template looks up an attribute (|attr) whose name it computes at render time",
      details: {},
    }, offset);
  }

  #emit(finding: FindingReport, offset: number | undefined): void {
    const key = `${finding.rule}:${finding.details?.name ?? ""}:${offset ?? ""}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    const place = offset === undefined ? undefined : (this.#lines ??= new LineIndex(this.text)).place(offset);
    let located: FindingReport;
    if (this.where.keyPath !== undefined) {
      located = {
        ...finding,
        keyPath: this.where.keyPath,
        position: this.where.position,
        details: { ...finding.details, templateLine: place?.line, templateColumn: place?.column },
      };
    } else {
      located = { ...finding, line: place?.line, column: place?.column };
    }
    this.#found.push({ finding: located, offset: offset ?? -1 });
  }
}

/**
 * Checks a template that did not parse word by word: internal names and strings, names split
 * over a tag's strings, and dangerous attributes (`.popen`) in a tag that reaches an internal.
 */
function _checkWords(words: Word[], reporter: _Reporter): void {
  const byTag = new Map<number, Word[]>();
  for (const word of words) {
    const tag = byTag.get(word.tag);
    if (tag) tag.push(word);
    else byTag.set(word.tag, [word]);
  }
  for (const tag of byTag.values()) {
    let escapes = false;
    for (const word of tag) {
      if (!(word.kind === "id" ? _isInternal(word.value) : _isEscapeString(word.pythonValue))) continue;
      escapes = true;
      reporter.internal(word.pythonValue, word.offset, word.value === word.pythonValue);
    }
    // A name split over the tag's strings ('__glo' ~ 'bals__', reversed or not); one string that
    // merely mentions it ("see __init__.py") is prose.
    const strings = tag.filter((word) => word.kind === "str");
    const joined = strings.map((word) => word.pythonValue).join("");
    const dunder = escapeDunderIn(joined) ?? escapeDunderIn([...joined].reverse().join(""));
    if (dunder && !strings.some((word) => word.pythonValue.includes(dunder))) {
      escapes = true;
      reporter.internal(dunder, strings[0].offset, false);
    }
    for (const word of tag) {
      if (
        escapes && word.kind === "id" && _afterDot(reporter.text, word.offset) && isDangerousName(word.value)
      ) {
        reporter.dangerous(word.value, word.offset, true);
      }
    }
  }
}

/** Whether the word at `offset` follows a `.` (white space between allowed): an attribute. */
function _afterDot(text: string, offset: number): boolean {
  let i = offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ".";
}

/**
 * Whether a string, wherever it stands, is a name only escapes use: one of their dunders or a
 * name-mangled attribute. Other dunder-shaped strings (`'__slabolg__'`) count only where they name an attribute.
 */
function _isEscapeString(value: string): boolean {
  return escapeDunderIn(value) === value || privacyOf(value) === "mangled";
}

/** Whether `name` is a dunder or a name-mangled private attribute. */
function _isInternal(name: string): boolean {
  const privacy = privacyOf(name);
  return privacy === "dunder" || privacy === "mangled";
}

/** One walk of a parsed template, in source order, with the constants its variables may hold. */
class _Walk {
  /** Offset of each identifier and string literal node in the template. */
  readonly #offsets = new Map<JinjaNode, number>();
  /** Names the template assigns itself (set, for, macro parameters): not Jinja's globals there. */
  readonly #assigned = new Set<string>();
  /** Names the template assigns (set, for) to a value reached through an escape: `{% set g = lipsum.__globals__ %}`. */
  readonly #escaped = new Set<string>();
  readonly #scope: ConstantScope = new Map();

  /** `decoded` says how the parsed text decoded its strings: as the template does, or as Python does (rewritten). */
  constructor(
    readonly program: JinjaNode,
    words: Word[],
    decoded: "value" | "pythonValue",
    readonly reporter: _Reporter,
  ) {
    const places = new Map<string, number[]>();
    for (const word of words) {
      const key = `${word.kind}:${word[decoded]}`;
      const offsets = places.get(key);
      if (offsets) offsets.push(word.offset);
      else places.set(key, [word.offset]);
    }
    const seen = new Map<string, number>();
    this.#prepare(program, places, seen);
  }

  run(): void {
    this.#visit(this.program);
  }

  /** Gives identifier and string nodes their offsets (the n-th node of a value is its n-th word), and collects assigned names. */
  #prepare(node: JinjaNode, places: Map<string, number[]>, seen: Map<string, number>): void {
    const kind = node.type === "Identifier" ? "id" : node.type === "StringLiteral" ? "str" : undefined;
    if (kind) {
      const key = `${kind}:${node.value}`;
      const index = seen.get(key) ?? 0;
      seen.set(key, index + 1);
      const offsets = places.get(key);
      if (offsets) this.#offsets.set(node, offsets[Math.min(index, offsets.length - 1)]);
    }
    if (node.type === "Set") this.#assign((node as SetNode).assignee);
    if (node.type === "For") this.#assign((node as ForNode).loopvar);
    if (node.type === "Macro") {
      this.#assign(node.name as JinjaNode);
      for (const arg of node.args as JinjaNode[]) {
        this.#assign(arg.type === "KeywordArgumentExpression" ? (arg as KeywordNode).key : arg);
      }
    }
    for (const child of childrenOf(node)) this.#prepare(child, places, seen);
  }

  #assign(target: JinjaNode): void {
    if (isIdentifier(target)) this.#assigned.add(target.value);
    else if (target.type === "TupleLiteral") {
      for (const item of target.value as JinjaNode[]) this.#assign(item);
    }
  }

  /** Where a node is: its own offset, else its first located descendant's. */
  #offsetOf(node: JinjaNode): number | undefined {
    const own = this.#offsets.get(node);
    if (own !== undefined) return own;
    for (const child of childrenOf(node)) {
      const offset = this.#offsetOf(child);
      if (offset !== undefined) return offset;
    }
    return undefined;
  }

  #visit(node: JinjaNode): void {
    if (node.type === "For") {
      const loop = node as ForNode;
      // The loop variable takes the items of a constant list, from the body on.
      this.#visit(loop.iterable);
      this.#visit(loop.loopvar);
      if (isIdentifier(loop.loopvar)) {
        if (this.#holdsEscape(loop.iterable)) this.#escaped.add(loop.loopvar.value);
        const items = foldConstant(loop.iterable, this.#scope).flatMap((value) =>
          Array.isArray(value) ? value : []
        );
        this.#bind(loop.loopvar.value, items);
      }
      for (const child of childrenOf(node)) {
        if (child !== loop.iterable && child !== loop.loopvar) this.#visit(child);
      }
      return;
    }
    this.#check(node);
    for (const child of childrenOf(node)) this.#visit(child);
    if (node.type === "Set") {
      const { assignee, value } = node as SetNode;
      if (isIdentifier(assignee) && value) {
        if (this.#holdsEscape(value)) this.#escaped.add(assignee.value);
        this.#bind(assignee.value, foldConstant(value, this.#scope));
      }
    }
  }

  #bind(name: string, values: Constant[]): void {
    if (values.length === 0) return;
    this.#scope.set(name, [...(this.#scope.get(name) ?? []), ...values].slice(0, 16));
  }

  #check(node: JinjaNode): void {
    if (isIdentifier(node) && _isInternal(node.value)) {
      this.reporter.internal(node.value, this.#offsets.get(node), true);
    }
    // A string that is an escape's dunder, however it is built, wherever it goes (a variable later used as a key).
    for (const value of foldConstant(node, this.#scope)) {
      if (typeof value === "string" && _isEscapeString(value)) {
        this.reporter.internal(value, this.#offsetOf(node), this.#spelled(node, value));
      }
    }
    if (node.type === "MemberExpression") this.#checkMember(node as MemberNode);
    else if (node.type === "FilterExpression") this.#checkFilter(node as FilterNode);
    else if (node.type === "CallExpression") this.#checkCall(node as CallNode);
  }

  /** `object.name`, `object[key]`: the name reached, and the object it is reached on. */
  #checkMember(node: MemberNode): void {
    const { object, property, computed } = node;
    const onEscape = this.#onEscape(object);
    for (const name of this.#stepNames(property, computed)) {
      this.#checkName(name, property, onEscape);
    }
    this.#checkObject(object);
  }

  /** `|attr(name)` and the filters that take attribute names. */
  #checkFilter(node: FilterNode): void {
    const call = node.filter.type === "CallExpression" ? node.filter as CallNode : undefined;
    const name = call ? call.callee : node.filter;
    if (!isIdentifier(name) || !call) return;
    if (name.value === "attr") {
      const [argument] = call.args;
      const values = argument ? foldConstant(argument, this.#scope) : [];
      if (argument && values.length === 0) this.reporter.dynamicAttribute(this.#offsetOf(argument));
      const onEscape = this.#onEscape(node.operand);
      for (const value of values) {
        if (typeof value === "string") {
          this.#checkName(value, argument, onEscape);
        }
      }
      this.#checkObject(node.operand);
    } else if (ATTRIBUTE_FILTERS.has(name.value)) {
      const named = call.args.filter((arg, index) =>
        arg.type === "KeywordArgumentExpression"
          ? isIdentifier((arg as KeywordNode).key, "attribute")
          : index === 0 && ATTRIBUTE_FILTERS.get(name.value)
      );
      for (const arg of named) {
        const value = arg.type === "KeywordArgumentExpression" ? (arg as KeywordNode).value : arg;
        for (const folded of foldConstant(value, this.#scope)) {
          if (typeof folded !== "string") continue;
          // A path of attributes: a dangerous name after an internal one is the escape's next step.
          const parts = folded.split(".");
          parts.forEach((part, index) =>
            this.#checkName(part, value, parts.slice(0, index).some(_isEscapeStep))
          );
        }
      }
    }
  }

  /**
   * `eval(...)`, `getattr(...)`, `open(...)`: a call of a dangerous builtin by name; and dangerous
   * names handed to a callable reached through an escape.
   */
  #checkCall(node: CallNode): void {
    if (
      isIdentifier(node.callee) && !this.#assigned.has(node.callee.value) &&
      isDangerousName(node.callee.value)
    ) {
      this.reporter.dangerous(node.callee.value, this.#offsets.get(node.callee), true);
    }
    // `__builtins__['__import__']('os')`: a module named to a callable reached through an escape.
    if (!this.#onEscape(node.callee)) return;
    for (const arg of node.args) {
      for (const value of foldConstant(arg, this.#scope)) {
        if (typeof value === "string" && isDangerousName(value)) {
          this.reporter.dangerous(value, this.#offsetOf(arg), this.#spelled(arg, value));
        }
      }
    }
  }

  /**
   * A name reached as an attribute or key: an internal or private one always; a dangerous
   * one (`popen`) only on an object reached through an escape (`ns.system` is a variable).
   */
  #checkName(name: string, where: JinjaNode, onEscape: boolean): void {
    const offset = this.#offsetOf(where);
    const spelled = this.#spelled(where, name);
    const privacy = privacyOf(name);
    // Identifiers that are dunders or mangled are reported where they stand; strings here.
    if (privacy === "private" || (privacy && !isIdentifier(where))) {
      this.reporter.internal(name, offset, spelled);
    }
    if (onEscape && isDangerousName(name)) this.reporter.dangerous(name, offset, spelled);
  }

  /** Whether `node` spells `name` as is: the identifier, or a string literal without escapes. */
  #spelled(node: JinjaNode, name: string): boolean {
    if (isIdentifier(node)) return node.value === name;
    const offset = this.#offsets.get(node);
    if (node.type !== "StringLiteral" || node.value !== name || offset === undefined) return false;
    return this.reporter.text.slice(offset + 1, offset + 1 + name.length) === name;
  }

  /**
   * Whether `node` is reached through a step of a sandbox escape: an internal or dangerous
   * attribute or key, or a Jinja global, a dangerous module or a variable holding an escape's
   * value at its root.
   */
  #onEscape(node: JinjaNode, depth = 0): boolean {
    if (depth > 64) return false;
    switch (node.type) {
      case "Identifier":
        return this.#escaped.has(node.value as string) || !this.#assigned.has(node.value as string) &&
            (isGlobalsObject(node.value as string) || isDangerousName(node.value as string));
      case "MemberExpression": {
        const { object, property, computed } = node as MemberNode;
        return this.#stepNames(property, computed).some(_isEscapeStep) || this.#onEscape(object, depth + 1);
      }
      case "CallExpression":
        return this.#onEscape((node as CallNode).callee, depth + 1);
      case "FilterExpression": {
        const { operand, filter } = node as FilterNode;
        const call = filter.type === "CallExpression" ? filter as CallNode : undefined;
        const attribute = call && isIdentifier(call.callee, "attr") ? call.args[0] : undefined;
        const names = attribute ? foldConstant(attribute, this.#scope) : [];
        return names.some((name) => typeof name === "string" && _isEscapeStep(name)) ||
          this.#onEscape(operand, depth + 1);
      }
      default:
        return false;
    }
  }

  /**
   * Whether a variable assigned `value` holds what an escape reached; calling a global by name
   * (`namespace(...)`, `cycler(...)`) makes an ordinary object, whose attributes are the template's own.
   */
  #holdsEscape(value: JinjaNode): boolean {
    const callOfName = value.type === "CallExpression" && isIdentifier((value as CallNode).callee);
    return !callOfName && this.#onEscape(value);
  }

  /** The names a member access may reach: its attribute, or the constant values of its key. */
  #stepNames(property: JinjaNode, computed: boolean): string[] {
    if (!computed) return isIdentifier(property) ? [property.value] : [];
    if (property.type === "SliceExpression") return [];
    return foldConstant(property, this.#scope).filter((value): value is string => typeof value === "string");
  }

  /** The object of an access: a Jinja global reached into, or a dangerous module used by name. */
  #checkObject(object: JinjaNode): void {
    if (!isIdentifier(object) || this.#assigned.has(object.value)) return;
    if (isGlobalsObject(object.value)) this.reporter.globalsObject(object.value, this.#offsets.get(object));
    if (isDangerousName(object.value)) this.reporter.dangerous(object.value, this.#offsets.get(object), true);
  }
}

/** Whether reaching `name` is a step of a sandbox escape: an internal, a private attribute or a dangerous name. */
function _isEscapeStep(name: string): boolean {
  return privacyOf(name) !== undefined || isDangerousName(name);
}
