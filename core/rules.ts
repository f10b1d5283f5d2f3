/**
 * The rule catalog: every finding modelaudit can produce has one entry here, with
 * its stable id, default severity and the explanation that `modelaudit rules`,
 * the README and report metadata all read.
 *
 * @module
 */

import type { Severity } from "./types.ts";

/** One rule: what it detects, why that matters, and what to do about it. */
export interface Rule {
  /** Stable id users suppress by, e.g. `MA100`. Never reused. */
  id: string;
  /** Short kebab-case name, e.g. `pickle-dangerous-import`. */
  name: string;
  /** Default severity of its findings. */
  severity: Severity;
  /** One line: what was found. */
  title: string;
  /** Why it matters. */
  why: string;
  /** What to do. */
  fix: string;
}

function rule(id: string, name: string, severity: Severity, title: string, why: string, fix: string): Rule {
  return { id, name, severity, title, why, fix };
}

const LOAD_FIX =
  "Do not load the file. Obtain the model from a trusted source, or in a format that holds no code.";

/**
 * Every rule, keyed by id.
 *
 * @example
 * ```ts
 * import { RULES } from "./rules.ts";
 * console.log(RULES.MA100.title);
 * ```
 */
export const RULES: Readonly<Record<string, Rule>> = Object.fromEntries(
  [
    rule(
      "MA001",
      "extension-mismatch",
      "warning",
      "File name claims a different format than its content",
      "Loaders pick a parser by content, people and tools by name: a pickle named .safetensors or .txt slips past reviews and scanners that trust the extension.",
      "Rename the file after its real format, or find out why it was disguised.",
    ),
    rule(
      "MA002",
      "symlink-outside-root",
      "warning",
      "Symbolic link points outside the scanned directory",
      "A link that leaves the scanned tree can make a loader read a file nobody scanned.",
      "Replace the link with the file it points to, and scan that.",
    ),
    rule(
      "MA003",
      "file-too-large",
      "info",
      "File skipped: larger than --max-file-size",
      "A skipped file was not inspected at all.",
      "Raise --max-file-size to scan it.",
    ),
    rule(
      "MA004",
      "blacklisted-name",
      "critical",
      "File name matches a --blacklist pattern",
      "You asked to flag files with this name.",
      "Remove the file, or drop the pattern.",
    ),
    rule(
      "MA005",
      "blacklisted-string",
      "critical",
      "Model content contains a --blacklist pattern",
      "You asked to flag models that mention this string.",
      "Inspect where the string is used; remove the model if it is unwanted.",
    ),
    rule(
      "MA006",
      "nested-content-not-inspected",
      "info",
      "A file or nested payload in a format this version cannot inspect yet",
      "Content that is not inspected may hide code (an archive of pickles, a Keras file, a NumPy object array); loaders still read it.",
      "Inspect the nested content by other means, or wait for a scanner for its format.",
    ),
    rule(
      "MA007",
      "unrecognised-content",
      "info",
      "Named like a model file, but the content matches no known format",
      "A loader may still accept it; a scanner that does not recognise it cannot vouch for it.",
      "Check what the file really is.",
    ),
    rule(
      "MA008",
      "findings-truncated",
      "info",
      "Too many findings in one file; the rest were not listed",
      "A file with thousands of findings is hostile or badly broken; listing them all would drown the report.",
      "Treat the file as untrusted; the findings shown are enough to reject it.",
    ),
    rule(
      "MA100",
      "pickle-dangerous-import",
      "critical",
      "Pickle imports a callable that can run code or touch the system",
      "Unpickling resolves every GLOBAL/STACK_GLOBAL/INST import; calling what it imports is how pickle payloads run commands.",
      LOAD_FIX,
    ),
    rule(
      "MA101",
      "pickle-dangerous-call",
      "critical",
      "Pickle calls a dangerous callable when loaded",
      "REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX and BUILD call what was imported; with a denied callable that runs attacker-chosen code on load.",
      LOAD_FIX,
    ),
    rule(
      "MA102",
      "pickle-unknown-import",
      "warning",
      "Pickle imports a callable that is neither known-safe nor known-dangerous",
      "Any importable callable runs on load; an unknown one needs a human look before the file is trusted.",
      "Check the named module and function; if they are yours and safe, suppress this finding for them.",
    ),
    rule(
      "MA103",
      "pickle-unknown-call",
      "warning",
      "Pickle calls a callable that is not known to be safe",
      "The call happens while loading, with arguments chosen by whoever made the file.",
      "Check the named callable and its arguments before loading the file.",
    ),
    rule(
      "MA104",
      "pickle-unresolved-import",
      "critical",
      "Pickle imports something whose name is not a constant string",
      "A module or name computed at load time (or taken from the copyreg extension registry) hides what is imported; benign serializers never do this.",
      LOAD_FIX,
    ),
    rule(
      "MA105",
      "pickle-malformed",
      "warning",
      "Pickle stream is truncated or malformed",
      "Loaders act on every opcode before the break; a broken stream can hide data that another parser reads differently.",
      "Re-create the file from its source; do not trust a file that does not parse.",
    ),
    rule(
      "MA106",
      "pickle-frame-mismatch",
      "critical",
      "A pickle FRAME's declared length disagrees with its opcodes",
      "Frames that lie about their length make scanners and loaders see different opcodes: a known scanner bypass.",
      LOAD_FIX,
    ),
    rule(
      "MA107",
      "pickle-encoded-pickle",
      "warning",
      "A string in the pickle decodes to another pickle",
      "A pickle hidden in base64 or hex text is a way to smuggle a second payload past scanners.",
      "Inspect the decoded pickle's findings; do not load the file until they are explained.",
    ),
    rule(
      "MA108",
      "pickle-embedded-code",
      "critical",
      "A string in the pickle is Python source that calls dangerous functions",
      "Source text handed to exec, eval or compile runs when the pickle is loaded.",
      LOAD_FIX,
    ),
    rule(
      "MA109",
      "pickle-expansion-bomb",
      "critical",
      "Pickle expands to far more objects than it has opcodes",
      "Repeated GET/DUP references build objects that grow exponentially (a billion-laughs attack) and exhaust memory when used.",
      "Do not load the file.",
    ),
    rule(
      "MA110",
      "pickle-resource-limit",
      "warning",
      "Pickle exceeds a scanner limit; past it only imports were checked",
      "Opcode count, memo size, stack depth or nesting beyond any real model is a denial-of-service attempt or an attempt to pad a payload past a scanner's limits. Imports past the limit are still reported, but calls and memo references are no longer tracked.",
      "Treat the file as suspect until the reason for its size is known.",
    ),
  ].map((r) => [r.id, r]),
);

/**
 * Looks up a rule by id; throws on an unknown id, which is a bug in the caller.
 *
 * @example
 * ```ts
 * import { getRule } from "./rules.ts";
 * getRule("MA101").severity; // "critical"
 * ```
 */
export function getRule(id: string): Rule {
  const found = RULES[id];
  if (!found) throw new Error(`Unknown rule id: ${id}`);
  return found;
}
