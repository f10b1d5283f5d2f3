/**
 * XML configuration files and PMML models (`<PMML>` root: a model's pipeline as
 * XML, which JPMML and PyPMML evaluate). The document type declaration is read
 * first (`xml_doctype.ts`): external and parameter entities and a DTD fetched by
 * URL are MA528 (XXE), internal entities that would expand past
 * `config.maxExpansion` characters MA529. The declaration is then blanked out,
 * so `fast-xml-parser` neither resolves nor expands anything, and the document
 * is checked (MA520 where it is not well-formed) and read into a tree: an
 * element's attributes as `@name`, its text as `#text`, repeated child elements
 * as a list (`$.PMML.DataDictionary.DataField[2]["@name"]`), each at its line.
 *
 * @module
 */

import { XMLParser, XMLValidator } from "fast-xml-parser";
import type { ScanContext } from "../../core/scanner.ts";
import type { ConfigOptions } from "../option_catalog.ts";
import type { LineIndex, Place } from "../strings/line_index.ts";
import type { ConfigEntry, ConfigNode } from "./tree.ts";
import { type Doctype, expandedSizes, readDoctype } from "./xml_doctype.ts";

/** A DTD named by a URL or an absolute path is fetched or read by a parser that loads DTDs. */
const REMOTE_OR_ABSOLUTE = /^(?:[a-z][a-z0-9+.-]*:|\/|\\\\)/i;

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  preserveOrder: true,
  captureMetaData: true,
  parseTagValue: false,
  parseAttributeValue: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  // The declaration is blanked out before parsing: only the five predefined entities remain to decode.
  processEntities: true,
  htmlEntities: false,
} as const;
// The package types its metadata key as the `Symbol` wrapper object; it is a symbol.
const META = XMLParser.getMetaDataSymbol() as unknown as symbol;

type Ordered = Record<string, unknown>;

/**
 * The XML of `text` as a tree (a map of its root element), its problems reported to `ctx`;
 * `undefined` when it is not well-formed. A PMML document is identified as `pmml`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { DEFAULT_CONFIG_OPTIONS } from "../option_catalog.ts";
 * import { LineIndex } from "../strings/line_index.ts";
 * import { parseXmlConfig } from "./xml.ts";
 * const { ctx, findings } = recordingContext("model.pmml");
 * const text = '<!DOCTYPE PMML [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n<PMML version="4.4"><Header>&x;</Header></PMML>';
 * const tree = parseXmlConfig(ctx, text, new LineIndex(text), DEFAULT_CONFIG_OPTIONS);
 * assert.equal(tree?.kind, "map");
 * assert.deepEqual(findings.map((f) => [f.rule, f.severity, f.line]), [["MA528", undefined, 1]]);
 * ```
 */
export function parseXmlConfig(
  ctx: ScanContext,
  text: string,
  lines: LineIndex,
  options: Readonly<ConfigOptions>,
): ConfigNode | undefined {
  const doctype = readDoctype(text);
  if (doctype) {
    _checkDoctype(ctx, doctype, lines, options);
    // Spaces for the declaration, its line breaks kept: later lines and columns stay right.
    text = text.slice(0, doctype.start) + text.slice(doctype.start, doctype.end).replace(/[^\n]/g, " ") +
      text.slice(doctype.end);
  }
  const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
  if (valid !== true) {
    ctx.report({
      rule: "MA520",
      message: `The XML is not well-formed: ${valid.err.msg}`,
      line: valid.err.line,
      column: valid.err.col,
      details: { format: "xml", code: valid.err.code },
    });
    return undefined;
  }
  let document: Ordered[];
  try {
    document = new XMLParser({ ...PARSER_OPTIONS, maxNestedTags: options.maxDepth }).parse(text);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    const deep = error.message.includes("nested tags");
    ctx.report({
      rule: deep ? "MA521" : "MA520",
      message: deep
        ? `The XML nests elements deeper than ${options.maxDepth}: not inspected`
        : `The XML does not parse: ${error.message}`,
      details: deep ? { option: "config.maxDepth", max: options.maxDepth } : { format: "xml" },
    });
    return undefined;
  }
  const root = document.find((node) => !Object.hasOwn(node, "#text"));
  if (root && _tagOf(root) === "PMML") ctx.identify("pmml");
  return _convert(document, lines, options.maxDepth);
}

/** Reports the external and parameter entities, a DTD fetched by URL, and entity expansion bombs. */
function _checkDoctype(
  ctx: ScanContext,
  doctype: Doctype,
  lines: LineIndex,
  options: Readonly<ConfigOptions>,
): void {
  if (doctype.system !== undefined && REMOTE_OR_ABSOLUTE.test(doctype.system)) {
    ctx.report({
      rule: "MA528",
      // Every XHTML page, Jetty and catalog file names its DTD so; parsers fetch it only when told to.
      severity: "info",
      message:
        `The document type declaration loads its DTD from ${doctype.system}: a parser that loads DTDs fetches it`,
      ...lines.place(doctype.start),
      details: { system: doctype.system },
    });
  }
  for (const entity of doctype.entities) {
    if (!entity.parameter && entity.system === undefined) continue;
    const what = entity.parameter ? "parameter entity" : "external entity";
    ctx.report({
      rule: "MA528",
      message: `The XML declares the ${what} ${entity.name}${
        entity.system === undefined ? "" : ` reading ${entity.system}`
      }: a parser that resolves entities reads it into the document (XXE)`,
      ...lines.place(entity.offset),
      details: {
        entity: entity.name,
        parameter: entity.parameter,
        ...(entity.system === undefined ? {} : { system: entity.system }),
      },
    });
  }
  const sizes = expandedSizes(doctype.entities, options.maxExpansion);
  const bomb = doctype.entities.find((entity) => (sizes.get(entity.name) ?? 0) > options.maxExpansion);
  if (bomb) {
    ctx.report({
      rule: "MA529",
      message:
        `The XML entity ${bomb.name} would expand to more than ${options.maxExpansion} characters: an entity expansion bomb (not expanded)`,
      ...lines.place(bomb.offset),
      details: { entity: bomb.name, limit: options.maxExpansion, option: "config.maxExpansion" },
    });
  }
}

/** The element name of one ordered node (its one key besides the attributes `:@`). */
function _tagOf(node: Ordered): string {
  return Object.keys(node).find((key) => key !== ":@")!;
}

/** The tree of the parser's ordered output, built without recursion; elements deeper than `maxDepth` are `unread`. */
function _convert(document: Ordered[], lines: LineIndex, maxDepth: number): ConfigNode {
  const root: Extract<ConfigNode, { kind: "map" }> = { kind: "map", entries: [] };
  const work: { children: Ordered[]; into: ConfigEntry[]; depth: number; place?: Place }[] = [
    { children: document, into: root.entries, depth: 0 },
  ];
  while (work.length > 0) {
    const { children, into, depth, place: parent } = work.pop()!;
    const text: string[] = [];
    const byTag = new Map<string, ConfigEntry>();
    for (const child of children) {
      const tag = _tagOf(child);
      if (tag === "#text") {
        text.push(String(child["#text"]));
        continue;
      }
      const meta = (child as Record<symbol, { startIndex?: number } | undefined>)[META];
      const place = meta?.startIndex === undefined ? undefined : lines.place(meta.startIndex);
      let element: ConfigNode;
      if (depth >= maxDepth) element = { kind: "unread", place };
      else {
        const entries: ConfigEntry[] = [];
        for (const [name, value] of Object.entries((child[":@"] ?? {}) as Record<string, unknown>)) {
          entries.push({ key: name, value: { kind: "string", value: String(value), place } });
        }
        element = { kind: "map", entries, place };
        work.push({ children: child[tag] as Ordered[], into: entries, depth: depth + 1, place });
      }
      const same = byTag.get(tag);
      if (same === undefined) {
        const entry = { key: tag, value: element };
        byTag.set(tag, entry);
        into.push(entry);
      } else if (same.value.kind === "list") same.value.items.push(element);
      else same.value = { kind: "list", items: [same.value, element] };
    }
    const joined = text.join("").trim();
    if (joined !== "") into.push({ key: "#text", value: { kind: "string", value: joined, place: parent } });
  }
  return root;
}
