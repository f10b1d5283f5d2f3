/**
 * The checks of a TensorFlow graph: every node of the main graph and of every library function;
 * graphs serialized in string constants and attrs (a `DatasetFromGraph`'s input) are handed to the
 * engine as members, and checked the same way within its depth limit. Each node is judged once, by
 * its op and by the functions or ops its attrs name:
 * - Python execution (`PyFunc`, `EagerPyFunc`, `PyFuncStateless`): MA430;
 * - file and network access: MA431, with the path constants that reach the op;
 * - the loader's own checkpoint and asset ops (`SaveV2`, `RestoreV2`, ...) with a path fixed in
 *   the graph instead of the one the loader feeds: MA432;
 * - ops TensorFlow does not register (a custom op library): MA433.
 *
 * @module
 */

import { bytesSource } from "../../core/byte_source.ts";
import type { FindingReport, ScanContext } from "../../core/scanner.ts";
import { checkString, type StringCheckContext } from "../strings/checks.ts";
import { nestedGraphReader } from "./descriptor.ts";
import { type GraphModel, type GraphNode, type GraphScope, mayBeGraphDef, quote } from "./graph.ts";
import {
  type Access,
  ATTR_PATH_OPS,
  FILE_OPS,
  LOADER_PATH_OPS,
  type PathOp,
  PYTHON_OPS,
  REGISTERED_OPS,
} from "./ops.ts";

/** Nodes visited when tracing where one input comes from. */
const MAX_TRACE_NODES = 512;

/** Ops whose value a loader or caller supplies: a path through them is not fixed in the graph. */
const FED_OPS: ReadonlySet<string> = new Set(["Placeholder", "PlaceholderV2", "PlaceholderWithDefault"]);

/** Ops that create a variable: its value is what the graph assigns to it, or else what the loader restores. */
const VARIABLE_OPS: ReadonlySet<string> = new Set(["VarHandleOp", "VariableV2", "Variable"]);

/** Ops that assign their second input to the variable their first input names. */
const ASSIGN_OPS: ReadonlySet<string> = new Set(["AssignVariableOp", "Assign"]);

/** Call ops whose data inputs are the called function's arguments, shifted by this many (`If`'s condition). */
const CALL_ARGUMENT_OFFSET: ReadonlyMap<string, number> = new Map([
  ["PartitionedCall", 0],
  ["StatefulPartitionedCall", 0],
  ["While", 0],
  ["StatelessWhile", 0],
  ["If", 1],
  ["StatelessIf", 1],
  ["Case", 1],
  ["StatelessCase", 1],
]);

/**
 * What the checks of one file share: where to report, the tensors the loader feeds (a saver's
 * filename tensor, asset tensors), and how a graph serialized in a string is scanned: as a member
 * of this one (`ScanContext.scanMember`, read as a GraphDef), within the engine's depth and member limits.
 *
 * @example
 * ```ts
 * import type { GraphChecks } from "./analyze.ts";
 * const checks: GraphChecks = {
 *   report: () => {},
 *   matchBlacklist: () => undefined,
 *   scanNested: () => Promise.resolve(),
 *   scanMember: () => Promise.resolve(true),
 *   loaderFed: new Set(["save/Const"]),
 * };
 * ```
 */
export interface GraphChecks extends StringCheckContext, Pick<ScanContext, "scanMember"> {
  /** Names of the nodes whose value the loader supplies. */
  loaderFed: ReadonlySet<string>;
}

interface Trace {
  /** String constants that reach the input. */
  constants: string[];
  /** Whether some of it comes from the loader or a caller. */
  fed: boolean;
}

const utf8 = new TextDecoder();

/**
 * Why a path or address constant points somewhere a model has no business going, if it does.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { pathConcern } from "./analyze.ts";
 * assert.equal(pathConcern("/etc/passwd"), "an absolute path");
 * assert.equal(pathConcern("variables/variables"), undefined);
 * ```
 */
export function pathConcern(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return "a URL";
  if (/^[a-z]:[\\/]/i.test(value) || value.startsWith("\\\\")) return "a Windows absolute path";
  if (value.startsWith("/")) return "an absolute path";
  if (value.startsWith("~")) return "a home-directory path";
  if (/(^|[\\/])\.\.([\\/]|$)/.test(value)) return "a parent-directory escape";
  return undefined;
}

/**
 * Checks every node of `model`, and hands the graphs serialized in its strings to the engine.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { FindingReport } from "../../core/scanner.ts";
 * import { checkGraph } from "./analyze.ts";
 * const findings: FindingReport[] = [];
 * await checkGraph({ scopes: [], functions: new Set() }, {
 *   report: (finding) => void findings.push(finding),
 *   matchBlacklist: () => undefined,
 *   scanNested: () => Promise.resolve(),
 *   scanMember: () => Promise.resolve(true),
 *   loaderFed: new Set(),
 * });
 * assert.deepEqual(findings, []); // an empty graph: nothing runs, nothing is read
 * ```
 */
export async function checkGraph(model: GraphModel, checks: GraphChecks): Promise<void> {
  const graph = new GraphIndex(model);
  for (const scope of model.scopes) {
    for (const node of scope.nodes) {
      checkNode(graph, scope, node, checks);
      await checkNodeStrings(scope, node, checks);
    }
  }
}

/**
 * The strings a node's attrs hold: a serialized graph is read and checked as one; text goes
 * through the shared string checks (the blacklist, second-stage downloads, hidden code).
 */
async function checkNodeStrings(scope: GraphScope, node: GraphNode, checks: GraphChecks): Promise<void> {
  // The path attr of a file op is judged, and quoted, by the op's own finding.
  const judged = FILE_OPS.get(node.op)?.attr ?? ATTR_PATH_OPS.get(node.op)?.attr;
  for (const [attr, strings] of node.strings) {
    if (attr === judged) continue;
    for (const [index, bytes] of strings.entries()) {
      const keyPath = `${scope.keyPath}[${quote(node.name)}].attr[${quote(attr)}].s[${index}]`;
      if (await mayBeGraphDef(bytes)) {
        // DatasetFromGraph and its kin import it: a member of this graph, located by its key path.
        await checks.scanMember({
          name: keyPath,
          content: { kind: "stored", source: bytesSource(bytes) },
          loadAs: nestedGraphReader.id,
        });
        continue;
      }
      const text = textOf(bytes);
      if (text === undefined) continue;
      await checkString(checks, text, {
        what: `The string ${attr} of ${node.op} node '${node.name}' in ${where(scope)}`,
        position: node.position,
        keyPath,
      });
    }
  }
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** `bytes` as text, if they are UTF-8 (tensor contents and serialized protos are not). */
function textOf(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** Where names lead in one graph: nodes by scope and name, and the calls to each function. */
class GraphIndex {
  readonly functions: ReadonlySet<string>;
  #byName = new Map<GraphScope, Map<string, GraphNode>>();
  #callers = new Map<string, { scope: GraphScope; node: GraphNode; offset: number }[]>();
  #assigned = new Map<GraphScope, Map<string, string[]>>();

  constructor(model: GraphModel) {
    this.functions = model.functions;
    for (const scope of model.scopes) {
      this.#byName.set(scope, new Map(scope.nodes.map((node) => [node.name, node])));
      const assigned = new Map<string, string[]>();
      for (const node of scope.nodes.filter((node) => ASSIGN_OPS.has(node.op))) {
        const [variable, value] = dataInputs(node);
        if (variable === undefined || value === undefined) continue;
        const name = variable.split(":")[0];
        assigned.set(name, [...assigned.get(name) ?? [], value]);
      }
      this.#assigned.set(scope, assigned);
      for (const node of scope.nodes) {
        if (model.functions.has(node.op)) this.#addCaller(node.op, scope, node, 0);
        const offset = CALL_ARGUMENT_OFFSET.get(node.op);
        if (offset === undefined) continue;
        for (const call of node.calls) this.#addCaller(call.name, scope, node, offset);
      }
    }
  }

  #addCaller(name: string, scope: GraphScope, node: GraphNode, offset: number): void {
    const list = this.#callers.get(name) ?? [];
    list.push({ scope, node, offset });
    this.#callers.set(name, list);
  }

  node(scope: GraphScope, name: string): GraphNode | undefined {
    return this.#byName.get(scope)?.get(name);
  }

  /** The values the graph assigns to the variable `name` of `scope` (`Assign`, `AssignVariableOp`). */
  assignments(scope: GraphScope, name: string): readonly string[] {
    return this.#assigned.get(scope)?.get(name) ?? [];
  }

  callers(name: string): readonly { scope: GraphScope; node: GraphNode; offset: number }[] {
    return this.#callers.get(name) ?? [];
  }
}

function dataInputs(node: GraphNode): string[] {
  return node.inputs.filter((input) => !input.startsWith("^"));
}

/**
 * Where input `index` of `node` comes from: the string constants that reach it and whether the
 * loader or a caller supplies part of it. A function argument is followed to every call of the
 * function; a function nobody in the file calls is called by the loader (a signature).
 */
function trace(
  graph: GraphIndex,
  scope: GraphScope,
  node: GraphNode,
  index: number,
  checks: GraphChecks,
): Trace {
  const result: Trace = { constants: [], fed: false };
  const visited = new Set<string>();
  const queue: { scope: GraphScope; ref: string }[] = [];
  const input = dataInputs(node)[index];
  if (input !== undefined) queue.push({ scope, ref: input });
  while (queue.length > 0 && visited.size < MAX_TRACE_NODES) {
    const { scope: where, ref } = queue.shift()!;
    const name = ref.split(":")[0];
    const key = `${where.keyPath}\u0000${name}`;
    if (visited.has(key)) continue;
    visited.add(key);
    const source = graph.node(where, name);
    if (!source) {
      const argument = [...where.args].indexOf(name);
      if (argument < 0 || where.function === undefined) continue;
      const callers = graph.callers(where.function);
      if (callers.length === 0) result.fed = true;
      for (const caller of callers) {
        const passed = dataInputs(caller.node)[argument + caller.offset];
        if (passed !== undefined) queue.push({ scope: caller.scope, ref: passed });
      }
    } else if (
      FED_OPS.has(source.op) || (where.function === undefined && checks.loaderFed.has(source.name))
    ) {
      result.fed = true;
    } else if (source.op === "Const") {
      for (const value of source.strings.get("value") ?? []) result.constants.push(utf8.decode(value));
    } else if (VARIABLE_OPS.has(source.op)) {
      // TF2 keeps an asset's path in a variable fed by its asset_path_initializer placeholder.
      const values = graph.assignments(where, source.name);
      if (values.length === 0) result.fed = true; // restored from the checkpoint by the loader
      for (const value of values) queue.push({ scope: where, ref: value });
    } else {
      for (const next of dataInputs(source)) queue.push({ scope: where, ref: next });
    }
  }
  return result;
}

function where(scope: GraphScope): string {
  return scope.function === undefined ? "the main graph" : `function ${scope.function}`;
}

function located(scope: GraphScope, node: GraphNode): Pick<FindingReport, "position" | "keyPath"> {
  return { position: node.position, keyPath: `${scope.keyPath}[${quote(node.name)}]` };
}

const VERBS: Record<Access, string> = {
  read: "reads",
  write: "writes",
  list: "lists",
  connect: "connects to",
};

function checkNode(graph: GraphIndex, scope: GraphScope, node: GraphNode, checks: GraphChecks): void {
  // A func attr may name a primitive op as well as a function: StatefulPartitionedCall(f=PyFunc) runs PyFunc.
  const ownToken = node.strings.get("token")?.[0];
  const ops = [
    { op: node.op, via: undefined as string | undefined, token: ownToken && utf8.decode(ownToken) },
    ...node.calls.filter((call) => !graph.functions.has(call.name)).map((call) => ({
      op: call.name,
      via: call.attr,
      token: call.token,
    })),
  ];
  for (const { op, via, token } of ops) {
    if (graph.functions.has(op)) continue;
    const base = {
      ...located(scope, node),
      details: { op, node: node.name, function: scope.function ?? null, ...(via ? { attr: via } : {}) },
    };
    const label = `${op} node '${node.name}' in ${where(scope)}${via ? ` (through its ${via} attr)` : ""}`;
    if (PYTHON_OPS.has(op)) {
      checks.report({
        rule: "MA430",
        message: `${label} runs the Python function registered as '${token ?? ""}' when the graph runs`,
        ...base,
        details: { ...base.details, token: token ?? "" },
      });
      continue;
    }
    const fileOp = FILE_OPS.get(op);
    if (fileOp) {
      reportAccess(graph, scope, node, checks, fileOp, label, base);
      continue;
    }
    const attrOp = ATTR_PATH_OPS.get(op);
    if (attrOp) {
      for (const value of node.strings.get(attrOp.attr) ?? []) {
        const text = utf8.decode(value);
        const access = attrOp.access(text);
        if (access) reportAccess(graph, scope, node, checks, { access, attr: attrOp.attr }, label, base);
      }
      continue;
    }
    const loaderOp = LOADER_PATH_OPS.get(op);
    if (loaderOp) {
      const traces = (loaderOp.inputs ?? []).map((index) => trace(graph, scope, node, index, checks));
      const constants = traces.flatMap((t) => t.constants);
      const concerns = constants.filter((c) => pathConcern(c) !== undefined);
      if (traces.every((t) => t.fed) && concerns.length === 0) continue;
      checks.report({
        rule: "MA432",
        severity: concerns.length > 0 ? "critical" : undefined,
        message: `${label} ${VERBS[loaderOp.access]} ${
          constants.length > 0 ? constants.map((c) => `'${c}'`).join(", ") : "a path"
        }, fixed in the graph instead of the one the loader gives${
          concerns.length > 0 ? ` (${pathConcern(concerns[0])})` : ""
        }`,
        ...base,
        details: { ...base.details, access: loaderOp.access, paths: constants },
      });
      continue;
    }
    // Names starting with `_` are TensorFlow's internal ops (`_Retval`, `_Arg`, fused kernels), which its
    // published registry leaves out; op_def.proto reserves them for TensorFlow.
    // An empty op is a node TensorFlow refuses to import: nothing of it runs.
    if (!REGISTERED_OPS.has(op) && !op.startsWith("_") && op !== "") {
      checks.report({
        rule: "MA433",
        message:
          `${label}: TensorFlow registers no op '${op}', so loading needs a custom op library (native code)`,
        ...base,
      });
    }
  }
}

function reportAccess(
  graph: GraphIndex,
  scope: GraphScope,
  node: GraphNode,
  checks: GraphChecks,
  spec: PathOp,
  label: string,
  base: Pick<FindingReport, "position" | "keyPath"> & { details: Record<string, unknown> },
): void {
  const constants = [
    ...(spec.inputs ?? []).flatMap((index) => trace(graph, scope, node, index, checks).constants),
    ...(spec.attr ? (node.strings.get(spec.attr) ?? []).map((value) => utf8.decode(value)) : []),
  ];
  const concern = constants.map(pathConcern).find((c) => c !== undefined);
  const critical = spec.access === "write" || concern !== undefined ||
    (spec.access === "connect" && constants.length > 0);
  const what = constants.length > 0
    ? constants.map((c) => `'${c}'`).join(", ")
    : spec.access === "connect"
    ? "an address given at run time"
    : "files named at run time";
  checks.report({
    rule: "MA431",
    severity: critical ? "critical" : undefined,
    message: `${label} ${VERBS[spec.access]} ${what}${concern ? ` (${concern})` : ""}`,
    ...base,
    details: { ...base.details, access: spec.access, paths: constants },
  });
}
