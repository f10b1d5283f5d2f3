/**
 * What a marshalled code object refers to, read from its instructions: each global (or name)
 * it loads and the attributes it then loads from it (`LOAD_GLOBAL os`, `LOAD_ATTR system` is
 * `os.system`), and each module it imports. Attribute loads on anything else (a local, a call's
 * result: `x.eval()`) are no references to a module, and are left out.
 *
 * CPython numbers its opcodes differently across versions (the tables below follow each
 * version's `Lib/opcode.py`; 3.13's renumbering as in `Include/opcode_ids.h`), and the code object
 * does not say which version wrote it: the marshal layout separates 3.8-3.10 from 3.11+, the
 * opcode `RESUME` that starts every 3.11+ code object separates 3.13 (149) from 3.11 and 3.12
 * (151), and 3.11's `PRECALL` before every call separates 3.11 from 3.12. When 3.11 and 3.12
 * cannot be told apart, both readings are kept.
 *
 * @module
 */

import type { CodeObject } from "./marshal.ts";

/** What an opcode does with its argument, and by how many bits the name index is shifted in it. */
type Role = readonly ["global" | "attr" | "import" | "from", number];

interface Dialect {
  readonly python: string;
  readonly ops: ReadonlyMap<number, Role>;
  readonly extendedArg: number;
}

const PY38: Dialect = {
  python: "3.8-3.10",
  extendedArg: 144,
  ops: new Map<number, Role>([
    [116, ["global", 0]], // LOAD_GLOBAL
    [101, ["global", 0]], // LOAD_NAME
    [106, ["attr", 0]], // LOAD_ATTR
    [160, ["attr", 0]], // LOAD_METHOD
    [108, ["import", 0]], // IMPORT_NAME
    [109, ["from", 0]], // IMPORT_FROM
  ]),
};

const PY311: Dialect = {
  ...PY38,
  python: "3.11",
  ops: new Map<number, Role>([...PY38.ops, [116, ["global", 1]]]),
};

const PY312: Dialect = {
  python: "3.12",
  extendedArg: 144,
  ops: new Map<number, Role>([
    [116, ["global", 1]], // LOAD_GLOBAL
    [101, ["global", 0]], // LOAD_NAME
    [175, ["global", 0]], // LOAD_FROM_DICT_OR_GLOBALS
    [106, ["attr", 1]], // LOAD_ATTR (the low bit asks for a method)
    [141, ["attr", 2]], // LOAD_SUPER_ATTR
    [108, ["import", 0]], // IMPORT_NAME
    [109, ["from", 0]], // IMPORT_FROM
  ]),
};

const PY313: Dialect = {
  python: "3.13",
  extendedArg: 71,
  ops: new Map<number, Role>([
    [91, ["global", 1]], // LOAD_GLOBAL
    [92, ["global", 0]], // LOAD_NAME
    [90, ["global", 0]], // LOAD_FROM_DICT_OR_GLOBALS
    [82, ["attr", 1]], // LOAD_ATTR
    [93, ["attr", 2]], // LOAD_SUPER_ATTR
    [75, ["import", 0]], // IMPORT_NAME
    [74, ["from", 0]], // IMPORT_FROM
  ]),
};

/** 3.11+: inline cache entries (opcode 0) between instructions carry no meaning here. */
const CACHE = 0;
const RESUME_311 = 151;
const RESUME_313 = 149;
/** Only 3.11 has them: PRECALL before every call, LOAD_METHOD (3.12 folds it into LOAD_ATTR). */
const ONLY_311 = new Set([166, 160]);
/** Instructions before RESUME: COPY_FREE_VARS and MAKE_CELL of either numbering. */
const PROLOGUE = 4;

function* codeObjects(root: CodeObject): Generator<CodeObject> {
  const pending = [root];
  while (pending.length > 0) {
    const code = pending.pop()!;
    yield code;
    const values = [...code.consts];
    while (values.length > 0) {
      const value = values.pop()!;
      if (value.kind === "code") pending.push(value.code);
      else if (value.kind === "tuple") values.push(...value.items);
    }
  }
}

function opcodes(code: CodeObject): number[] {
  const out: number[] = [];
  for (let i = 0; i + 1 < code.bytecode.length; i += 2) out.push(code.bytecode[i]);
  return out;
}

/** The dialects the code may be written in: none when its opcodes fit no known version. */
function dialectsOf(root: CodeObject, modern: boolean): Dialect[] {
  if (!modern) return [PY38];
  const head = opcodes(root).filter((op) => op !== CACHE).slice(0, PROLOGUE + 1);
  if (head.includes(RESUME_311)) {
    const all = [...codeObjects(root)].flatMap(opcodes);
    return all.some((op) => ONLY_311.has(op)) ? [PY311] : [PY311, PY312];
  }
  return head.includes(RESUME_313) ? [PY313] : [];
}

/** The references of one code object in one dialect; `undefined` when an index falls outside `co_names`. */
function referencesIn(code: CodeObject, dialect: Dialect, out: string[][]): boolean {
  let chain: string[] | undefined;
  let imported: string | undefined;
  let extended = 0;
  for (let i = 0; i + 1 < code.bytecode.length; i += 2) {
    const op = code.bytecode[i];
    const arg = extended | code.bytecode[i + 1];
    if (op === dialect.extendedArg) {
      extended = arg << 8;
      continue;
    }
    extended = 0;
    if (op === CACHE && dialect !== PY38) continue;
    const role = dialect.ops.get(op);
    if (!role) {
      chain = undefined;
      continue;
    }
    const name = code.names[arg >> role[1]];
    if (name === undefined) return false;
    if (role[0] === "global" || role[0] === "import") {
      out.push(chain = [name]);
      imported = role[0] === "import" ? name : undefined;
    } else if (role[0] === "attr") {
      chain?.push(name);
    } else if (imported !== undefined) {
      out.push([imported, name]);
    }
  }
  return true;
}

/**
 * The references of a code object and every code object nested in it, with the versions they were read
 * as; `undefined` when the bytecode is not that of a known CPython version.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { disassemble } from "./bytecode.ts";
 * // 3.8-3.10: LOAD_GLOBAL 0 (os), LOAD_METHOD 1 (system)
 * const code = { name: "<lambda>", names: ["os", "system"], consts: [], bytecode: new Uint8Array([116, 0, 160, 1]) };
 * assert.deepEqual(disassemble(code, false)?.references, [["os", "system"]]);
 * ```
 */
export function disassemble(
  root: CodeObject,
  modern: boolean,
): { references: string[][]; python: string } | undefined {
  const dialects = dialectsOf(root, modern);
  const references: string[][] = [];
  const read: string[] = [];
  for (const dialect of dialects) {
    const found: string[][] = [];
    if (![...codeObjects(root)].every((code) => referencesIn(code, dialect, found))) continue;
    references.push(...found);
    read.push(dialect.python);
  }
  return read.length === 0 ? undefined : { references, python: read.join(" or ") };
}
