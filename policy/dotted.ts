/**
 * Dotted Python names as a loader resolves them: module and name segments
 * after Python's own renaming (`__builtin__` is `builtins`, `posix` is `os`,
 * `__builtin__.reduce` is `functools.reduce`), and whether a segment can be a
 * Python identifier at all.
 *
 * @module
 */

import { MODULE_ALIASES, NAME_ALIASES } from "./tables/aliases.ts";

const split = (table: Readonly<Record<string, string>>) =>
  new Map(Object.entries(table).map(([from, to]) => [from, to.split(".")]));

const MODULES = split(MODULE_ALIASES);
const NAMES = split(NAME_ALIASES);

/**
 * A segment as the module it names when it is an alias (`posix` -> `os`), else itself.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { aliased } from "./dotted.ts";
 * assert.deepEqual(aliased("cPickle"), ["pickle"]);
 * assert.deepEqual(aliased("torch"), ["torch"]);
 * ```
 */
export function aliased(segment: string): readonly string[] {
  return MODULES.get(segment) ?? [segment];
}

/**
 * A module and a (possibly dotted) name, each split into segments.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalize, type DottedName } from "./dotted.ts";
 * const name: DottedName = { module: ["torch", "nn"], name: ["Linear"] };
 * assert.deepEqual(canonicalize("torch.nn", "Linear"), name);
 * ```
 */
export interface DottedName {
  /** The module's segments. */
  module: string[];
  /** The name's segments: more than one when the name reaches an attribute (`Class.method`). */
  name: string[];
}

/**
 * Module and name segments after the unpickler's own renaming: the module's
 * first segment through the module aliases, then a Python 2 builtin through
 * the name aliases.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { canonicalize } from "./dotted.ts";
 * assert.deepEqual(canonicalize("__builtin__", "reduce"), { module: ["functools"], name: ["reduce"] });
 * assert.deepEqual(canonicalize("posix", "system"), { module: ["os"], name: ["system"] });
 * ```
 */
export function canonicalize(module: string, name: string): DottedName {
  const raw = module.split(".");
  const mod = [...aliased(raw[0]), ...raw.slice(1)];
  const nameSegs = name.split(".");
  if (mod.length === 1) {
    const renamed = NAMES.get(`${mod[0]}.${nameSegs[0]}`);
    if (renamed) {
      return { module: renamed.slice(0, -1), name: [renamed[renamed.length - 1], ...nameSegs.slice(1)] };
    }
  }
  return { module: mod, name: nameSegs };
}

/**
 * Whether `segment` is a Python identifier (fast path for ASCII).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isIdentifier } from "./dotted.ts";
 * assert.equal(isIdentifier("_rebuild_tensor_v2"), true);
 * assert.equal(isIdentifier("os system"), false);
 * assert.equal(isIdentifier("fun\u00e7\u00e3o"), true); // Python 3 identifiers are Unicode (XID): a c-cedilla, an a-tilde
 * ```
 */
export function isIdentifier(segment: string): boolean {
  if (segment.length === 0) return false;
  for (let i = 0; i < segment.length; i++) {
    const c = segment.charCodeAt(i);
    // Written where it is used: a Unicode property class costs about 0.3 ms to build in each
    // worker, at its module's start, and only non-ASCII names need it.
    if (c >= 128) return /^[\p{XID_Start}_]\p{XID_Continue}*$/u.test(segment);
    const letter = (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
    if (!letter && !(i > 0 && c >= 48 && c <= 57)) return false;
  }
  return true;
}

/**
 * Whether `path` is a dotted path of identifiers (`torch._utils._rebuild_tensor_v2`),
 * as a name a loader imports or a policy entry must be.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDottedIdentifier } from "./dotted.ts";
 * assert.equal(isDottedIdentifier("torch._utils._rebuild_tensor_v2"), true);
 * assert.equal(isDottedIdentifier("os..system"), false);
 * assert.equal(isDottedIdentifier("no such"), false);
 * ```
 */
export function isDottedIdentifier(path: string): boolean {
  return path.length > 0 && path.split(".").every(isIdentifier);
}

/**
 * Whether `segment` is a special name (`__globals__`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isDunder } from "./dotted.ts";
 * assert.equal(isDunder("__class__"), true);
 * assert.equal(isDunder("_private"), false);
 * ```
 */
export function isDunder(segment: string): boolean {
  return segment.length >= 4 && segment.startsWith("__") && segment.endsWith("__");
}
