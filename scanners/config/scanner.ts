/**
 * The configuration scanners: YAML, JSON, TOML, INI and XML (PMML included),
 * each read by its parser module into one tree (`tree.ts`), which is then walked
 * once: every map is asked for the callables it makes its loader import
 * (`targets.ts`), every string value goes through the per-string hook
 * (`values.ts`). A file larger than `config.maxBytes` is MA521, one that is not
 * UTF-8 text or does not parse MA520: never a crash, never a silent pass.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { parseIniConfig } from "./ini.ts";
import { parseJsonConfig } from "./json.ts";
import { checkTargets } from "./targets.ts";
import { headIsText, utf8Text } from "../strings/utf8_text.ts";
import { LineIndex } from "../strings/line_index.ts";
import { parseTomlConfig } from "./toml.ts";
import { type ConfigNode, walkConfig } from "./tree.ts";
import { checkConfigValue } from "./values.ts";
import { parseXmlConfig } from "./xml.ts";
import { parseYamlConfig } from "./yaml.ts";

/**
 * The configuration formats, by the ids their descriptors register.
 *
 * @example
 * ```ts
 * import type { ConfigFormat } from "./scanner.ts";
 * const format: ConfigFormat = "yaml";
 * ```
 */
export type ConfigFormat = "yaml" | "json" | "toml" | "ini" | "xml";

const BOM = [0xef, 0xbb, 0xbf];

/**
 * The scanner of one configuration format. It confirms a file its descriptor claimed by name when the
 * file's head is UTF-8 text; whether it parses is the scan's to report.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { configScanner } from "./scanner.ts";
 * const bytes = new TextEncoder().encode("model:\n  _target_: subprocess.Popen\n  args: [echo, pwned]\n");
 * const { ctx, findings } = recordingContext("model_config.yaml");
 * await configScanner("yaml").scan(bytesSource(bytes), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.keyPath, f.line, f.column]), [["MA525", "$.model._target_", 2, 13]]);
 * ```
 */
export function configScanner(format: ConfigFormat): Scanner {
  return {
    confirm: headIsText,
    scan: (source, ctx) => _scan(format, source, ctx),
  };
}

async function _scan(format: ConfigFormat, source: ByteSource, ctx: ScanContext): Promise<void> {
  const options = scannerOptions(ctx).config;
  if (source.size > options.maxBytes) {
    ctx.report({
      rule: "MA521",
      message:
        `Configuration file of ${source.size} bytes is larger than ${options.maxBytes} bytes: not inspected`,
      details: { size: source.size, max: options.maxBytes, option: "config.maxBytes" },
    });
    return;
  }
  const bytes = await source.read(0, source.size);
  const text = utf8Text(bytes);
  if (text === undefined) {
    ctx.report({
      rule: "MA520",
      message: `Named like a ${format.toUpperCase()} file, but it is not UTF-8 text: not inspected`,
      details: { format },
    });
    return;
  }
  let root: ConfigNode | undefined;
  try {
    root = _parse(format, ctx, bytes, text);
  } catch (error) {
    // The YAML and XML parsers recurse on nesting: a hostile `[[[[...` overflows their stack.
    if (!(error instanceof RangeError)) throw error;
    ctx.report({
      rule: "MA521",
      message: `The ${format.toUpperCase()} nests too deeply for its parser: not inspected`,
      details: { format, option: "config.maxDepth", max: options.maxDepth },
    });
    return;
  }
  if (root === undefined) return;
  const stopped = await walkConfig(root, options, async (node, keyPath, key) => {
    if (node.kind === "map") checkTargets(ctx, node, keyPath);
    else if (node.kind === "string") {
      await checkConfigValue(ctx, {
        value: node.value,
        keyPath,
        key: typeof key === "string" ? _optionName(keyPath, key) : undefined,
        ...node.place,
      });
    }
  });
  if (stopped) {
    ctx.report({
      rule: "MA521",
      message: `Content past ${stopped.option} (${stopped.max}) was not inspected`,
      keyPath: stopped.keyPath,
      ...stopped.place,
      details: { option: stopped.option, max: stopped.max },
    });
  }
}

/**
 * The name a value is given, for the checks that read it (a `token` key, a `download_url`): an XML
 * attribute's name without its `@`, and for an element's text (`#text`) the element's name, so that
 * `<Extension>`'s text is judged as the Extension's value, not as prose.
 */
function _optionName(keyPath: string, key: string): string | undefined {
  if (key.startsWith("@")) return key.slice(1);
  if (key !== "#text") return key;
  const element = /(?:\.([^.[\]]+)|\["((?:[^"\\]|\\.)*)"\])(?:\[\d+\])?\["#text"\]$/.exec(keyPath);
  return element ? element[1] ?? element[2] : undefined;
}

/** The tree of the file in `format`, its parse problems reported; `undefined` when nothing parsed. */
function _parse(
  format: ConfigFormat,
  ctx: ScanContext,
  bytes: Uint8Array,
  text: string,
): ConfigNode | undefined {
  const options = scannerOptions(ctx).config;
  switch (format) {
    case "json": {
      const bom = BOM.every((b, i) => bytes[i] === b) ? BOM.length : 0;
      return parseJsonConfig(ctx, bytes.subarray(bom), options, bom);
    }
    case "yaml":
      return parseYamlConfig(ctx, text, new LineIndex(text), options);
    case "toml":
      return parseTomlConfig(ctx, text, options);
    case "ini":
      return parseIniConfig(ctx, text);
    case "xml":
      return parseXmlConfig(ctx, text, new LineIndex(text), options);
  }
}
