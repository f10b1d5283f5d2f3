/**
 * The document type declaration of an XML document, read before any XML parser
 * sees the text: its external DTD (`SYSTEM`/`PUBLIC`), its entity declarations
 * (external, parameter, internal) and the size the internal entities would expand
 * to, computed from their declarations and never by expanding them. The caller
 * then blanks the declaration out, so that no parser can resolve or expand it.
 *
 * @module
 */

/** One `<!ENTITY>` declaration. */
export interface EntityDeclaration {
  /** Its name. */
  name: string;
  /** A parameter entity (`<!ENTITY % name ...>`), used inside the DTD itself. */
  parameter: boolean;
  /** The system identifier of an external entity (`SYSTEM "file:///etc/passwd"`). */
  system?: string;
  /** Its replacement text, for an internal entity. */
  value?: string;
  /** Character offset of the declaration in the document. */
  offset: number;
}

/** What a document type declaration holds. */
export interface Doctype {
  /** Character offsets of the declaration, `<!DOCTYPE` to its closing `>`. */
  start: number;
  /** The first character after it. */
  end: number;
  /** The system identifier of the external DTD, if one is named. */
  system?: string;
  /** Every entity declared in the internal subset, in order. */
  entities: EntityDeclaration[];
}

const ENTITY =
  /<!ENTITY\s+(%\s+)?([^\s%"'>]+)\s+(?:(SYSTEM|PUBLIC)\s+(?:"([^"]*)"|'([^']*)')(?:\s+(?:"([^"]*)"|'([^']*)'))?|"([^"]*)"|'([^']*)')/g;
const EXTERNAL_ID =
  /^<!DOCTYPE\s+[^\s\[>]+\s+(SYSTEM|PUBLIC)\s+(?:"([^"]*)"|'([^']*)')(?:\s+(?:"([^"]*)"|'([^']*)'))?/;

/**
 * The document type declaration of `text`, if it has one; read in one pass over it (quotes,
 * the internal subset's brackets and its comments respected).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readDoctype } from "./xml_doctype.ts";
 * const doctype = readDoctype('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>');
 * assert.deepEqual(doctype?.entities.map((e) => [e.name, e.system]), [["x", "file:///etc/passwd"]]);
 * assert.equal(readDoctype("<r/>"), undefined);
 * ```
 */
export function readDoctype(text: string): Doctype | undefined {
  const start = text.indexOf("<!DOCTYPE");
  if (start < 0) return undefined;
  let quote = "";
  let depth = 0;
  let end = text.length;
  for (let i = start + 9; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") quote = c;
    else if (c === "[") depth++;
    else if (c === "]") depth--;
    else if (depth > 0 && text.startsWith("<!--", i)) {
      const close = text.indexOf("-->", i + 4);
      i = close < 0 ? text.length : close + 2;
    } else if (c === ">" && depth <= 0) {
      end = i + 1;
      break;
    }
  }
  const declaration = text.slice(start, end);
  const external = EXTERNAL_ID.exec(declaration);
  const system = external
    ? (external[1] === "SYSTEM" ? external[2] ?? external[3] : external[4] ?? external[5])
    : undefined;
  const entities: EntityDeclaration[] = [];
  for (const match of declaration.matchAll(ENTITY)) {
    const [, percent, name, kind, first, firstSingle, second, secondSingle, value, valueSingle] = match;
    const entity: EntityDeclaration = { name, parameter: percent !== undefined, offset: start + match.index };
    if (kind === "SYSTEM") entity.system = first ?? firstSingle;
    else if (kind === "PUBLIC") entity.system = second ?? secondSingle ?? "";
    else entity.value = value ?? valueSingle;
    entities.push(entity);
  }
  return { start, end, system, entities };
}

/** The entity references of a replacement text: `&name;` (character references are not entities). */
const REFERENCE = /&([A-Za-z_:][\w.:-]*);/g;

/**
 * The number of characters each internal entity would expand to, at most `limit + 1` (the sums
 * saturate), computed once per entity in declaration order; a reference to an entity not yet
 * declared (or to itself) counts as its own text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { expandedSizes } from "./xml_doctype.ts";
 * const sizes = expandedSizes([
 *   { name: "a", parameter: false, value: "lol", offset: 0 },
 *   { name: "b", parameter: false, value: "&a;&a;&a;", offset: 20 },
 * ], 1000);
 * assert.deepEqual([...sizes], [["a", 3], ["b", 9]]);
 * ```
 */
export function expandedSizes(entities: readonly EntityDeclaration[], limit: number): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const entity of entities) {
    if (entity.parameter || entity.value === undefined || sizes.has(entity.name)) continue;
    let size = entity.value.length;
    for (const match of entity.value.matchAll(REFERENCE)) {
      const referenced = sizes.get(match[1]);
      if (referenced !== undefined) size = Math.min(limit + 1, size - match[0].length + referenced);
    }
    sizes.set(entity.name, size);
  }
  return sizes;
}
