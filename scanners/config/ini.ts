/**
 * INI and CFG configuration files (`setup.cfg`, `.ini` training configs, Darknet
 * `.cfg` networks), read the way Python's `configparser` reads them: `[section]`
 * headers, `key = value` or `key: value` options, whole-line comments starting
 * with `#` or `;`, and indented continuation lines that extend the value above.
 * Written here because the INI packages on npm read files through Node's `fs` or
 * differ from configparser on continuations and comments.
 *
 * A section that appears again (Darknet's `[convolutional]` blocks) becomes a
 * list, `$.convolutional[2].filters`; an option repeated inside one section is
 * MA522 (configparser refuses it, other readers keep one of the values). A line
 * that is none of these, or an option before any section, is MA520.
 *
 * @module
 */

import type { ScanContext } from "../../core/scanner.ts";
import type { ConfigEntry, ConfigNode } from "./tree.ts";

const SECTION = /^\[([^\]]*)\]\s*(?:[#;].*)?$/;
const OPTION = /^([^=:\s][^=:]*?)\s*[=:]\s*(.*)$/;

/**
 * The INI of `text` as a tree (sections of options, a repeated section as a list), or `undefined`
 * (reported as MA520) when a line is none of configparser's.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { parseIniConfig } from "./ini.ts";
 * const { ctx } = recordingContext("setup.cfg");
 * const tree = parseIniConfig(ctx, "[metadata]\nname = demo\ndescription = a\n  longer text\n");
 * assert.deepEqual(tree, {
 *   kind: "map",
 *   entries: [{
 *     key: "metadata",
 *     value: {
 *       kind: "map",
 *       place: { line: 1, column: 1 },
 *       entries: [
 *         { key: "name", value: { kind: "string", value: "demo", place: { line: 2, column: 8 } } },
 *         { key: "description", value: { kind: "string", value: "a\nlonger text", place: { line: 3, column: 15 } } },
 *       ],
 *     },
 *   }],
 * });
 * ```
 */
export function parseIniConfig(ctx: ScanContext, text: string): ConfigNode | undefined {
  const sections: ConfigEntry[] = [];
  const byName = new Map<string, ConfigEntry>();
  let current: Extract<ConfigNode, { kind: "map" }> | undefined;
  let seen = new Map<string, number>();
  let last: Extract<ConfigNode, { kind: "string" }> | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    const line = raw.trim();
    if (line === "") {
      last = undefined;
      continue;
    }
    if (line.startsWith("#") || line.startsWith(";")) continue;
    if (/^\s/.test(raw) && last) {
      last.value += `\n${line}`;
      continue;
    }
    const section = SECTION.exec(line);
    if (section) {
      current = { kind: "map", entries: [], place: { line: i + 1, column: 1 } };
      seen = new Map();
      last = undefined;
      const name = section[1];
      const entry = byName.get(name);
      if (entry === undefined) {
        const created: ConfigEntry = { key: name, value: current };
        byName.set(name, created);
        sections.push(created);
      } else if (entry.value.kind === "list") entry.value.items.push(current);
      else entry.value = { kind: "list", items: [entry.value, current] };
      continue;
    }
    const option = OPTION.exec(line);
    if (!option || !current) {
      ctx.report({
        rule: "MA520",
        message: current
          ? `The INI does not parse: line ${i + 1} is neither a section, an option nor a comment`
          : `The INI does not parse: an option on line ${i + 1} comes before any [section]`,
        line: i + 1,
        column: 1,
        details: { format: "ini" },
      });
      return undefined;
    }
    const key = option[1];
    const first = seen.get(key.toLowerCase());
    if (first !== undefined) {
      ctx.report({
        rule: "MA522",
        message:
          `The option "${key}" appears twice in one INI section (first on line ${first}): configparser refuses it, other readers keep one`,
        line: i + 1,
        column: 1,
        details: { key, firstLine: first },
      });
    }
    seen.set(key.toLowerCase(), i + 1);
    last = {
      kind: "string",
      value: option[2],
      place: { line: i + 1, column: raw.indexOf(option[2], raw.indexOf(key) + key.length) + 1 },
    };
    current.entries.push({ key, value: last });
  }
  return { kind: "map", entries: sections };
}
