/**
 * Splits a command line into option and operand tokens exactly as Node's
 * `util.parseArgs({ strict: false, tokens: true })` does, without `node:util`:
 * the first `node:` import costs each process some 6 ms of Node compatibility
 * set-up, a tenth of what a one-file scan may take. `tests/cli/arg_tokens_test.ts`
 * holds this to Node's tokens on every shape of argument.
 *
 * @module
 */

/** How the tokenizer treats an option: whether it takes a value, and its one-letter form. */
export interface ArgTokenOption {
  /** `string` takes a value (the rest of the argument after `=`, or the next argument); `boolean` none. */
  type: "string" | "boolean";
  /** The one-letter form, without its dash: `f` for `-f`. */
  short?: string;
}

/** One token of a command line, as `util.parseArgs` returns it with `tokens: true`. */
export type ArgToken =
  | {
    kind: "option";
    /** The long name, or the letter of a short option no option claims. */
    name: string;
    /** The option as written: `--format`, `-f`. */
    rawName: string;
    /** Index in the arguments of the argument it came from. */
    index: number;
    /** Its value, for an option that takes one (`undefined` when none followed). */
    value: string | undefined;
    /** Whether the value was inside the argument (`--format=json`, `-fjson`), `undefined` without a value. */
    inlineValue: boolean | undefined;
  }
  | { kind: "positional"; index: number; value: string }
  | { kind: "option-terminator"; index: number };

/**
 * The tokens of `args` for the options `options` (keyed by long name). Unknown
 * options are booleans; an option that takes a value takes the next argument,
 * whatever it looks like; `-abc` is a group of short options unless `-a` takes a
 * value (`-fjson`); everything after `--` is an operand.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { tokenizeArgs } from "./arg_tokens.ts";
 * assert.deepEqual(tokenizeArgs(["-f", "json", "m.pkl"], { format: { type: "string", short: "f" } }), [
 *   { kind: "option", name: "format", rawName: "-f", index: 0, value: "json", inlineValue: false },
 *   { kind: "positional", index: 2, value: "m.pkl" },
 * ]);
 * ```
 */
export function tokenizeArgs(
  args: readonly string[],
  options: Readonly<Record<string, ArgTokenOption>>,
): ArgToken[] {
  const longOf = (short: string) =>
    Object.keys(options).find((name) => options[name].short === short) ?? short;
  const takesValue = (name: string) => Object.hasOwn(options, name) && options[name].type === "string";
  const tokens: ArgToken[] = [];
  const remaining = [...args];
  let index = -1;
  // Arguments a short group expanded into still to come: they share the group's index.
  let groupCount = 0;
  while (remaining.length > 0) {
    const arg = remaining.shift()!;
    const next = remaining[0];
    if (groupCount > 0) groupCount--;
    else index++;
    if (arg === "--") {
      tokens.push({ kind: "option-terminator", index });
      for (const value of remaining) tokens.push({ kind: "positional", index: ++index, value });
      break;
    }
    const short = arg.length >= 2 && arg[0] === "-" && arg[1] !== "-";
    const long = arg.length > 2 && arg.startsWith("--");
    if (short && arg.length === 2) {
      const name = longOf(arg[1]);
      const value = takesValue(name) && next !== undefined ? remaining.shift() : undefined;
      tokens.push(optionToken(name, arg, index, value, false));
      if (value !== undefined) index++;
    } else if (short && !takesValue(longOf(arg[1]))) {
      // `-abc` is `-a -b -c`, up to a letter that takes a value: it takes the rest (`-vfjson`).
      const expanded: string[] = [];
      for (let at = 1; at < arg.length; at++) {
        if (!takesValue(longOf(arg[at])) || at === arg.length - 1) {
          expanded.push(`-${arg[at]}`);
        } else {
          expanded.push(`-${arg.slice(at)}`);
          break;
        }
      }
      remaining.unshift(...expanded);
      groupCount = expanded.length;
    } else if (short) {
      tokens.push(optionToken(longOf(arg[1]), `-${arg[1]}`, index, arg.slice(2), true));
    } else if (long && !arg.includes("=", 3)) {
      const name = arg.slice(2);
      const value = takesValue(name) && next !== undefined ? remaining.shift() : undefined;
      tokens.push(optionToken(name, arg, index, value, false));
      if (value !== undefined) index++;
    } else if (long) {
      const equals = arg.indexOf("=");
      const name = arg.slice(2, equals);
      tokens.push(optionToken(name, `--${name}`, index, arg.slice(equals + 1), true));
    } else {
      tokens.push({ kind: "positional", index, value: arg });
    }
  }
  return tokens;
}

function optionToken(
  name: string,
  rawName: string,
  index: number,
  value: string | undefined,
  inline: boolean,
): ArgToken {
  return {
    kind: "option",
    name,
    rawName,
    index,
    value,
    inlineValue: value === undefined ? undefined : inline,
  };
}
