/**
 * The one policy of Python callables: what a name that a model makes its
 * loader import or call resolves to, in three tiers. Pickle globals, Python
 * source embedded in a pickle, TorchScript code, and every format that names a
 * callable (Keras `module`/`class_name`, Hydra `_target_`, YAML python tags)
 * ask it the same question.
 *
 * - **denied**: the callable (or anything reached through it) can run code,
 *   spawn processes, touch files or the network, load another payload, or
 *   reach interpreter internals. Each entry carries its reason and category.
 * - **safe**: names that real model files reference and that only rebuild
 *   data (tensors, arrays, containers, config objects).
 * - **unknown**: everything else; consumers warn and name it.
 *
 * The tables are data (`tables/`); this module only matches. Matching works
 * on dotted segments, never on raw substrings. The module path and every
 * prefix of `module + name` are checked, and so is every suffix of the name,
 * because Python resolves a dotted name by attribute access: `pathlib` +
 * `os.system` reaches `os.system` through the `os` that `pathlib` imported.
 * Segments deep inside a module path are not matched (a package may well have
 * a submodule called `code` or `profile`); the few re-export trampolines that
 * are dangerous anywhere in a module path (`six.moves`, vendored
 * `cloudpickle`) are matched wherever they appear. Lookups walk a trie of
 * Maps, one step per segment.
 *
 * A policy is a value: {@linkcode CallablePolicy.standard} reads the tables,
 * and {@linkcode CallablePolicy.extend} returns a new policy with more denied
 * or allowed names (from a scan's options) or a format's own safe namespaces.
 *
 * @module
 */

import { aliased, canonicalize, isDottedIdentifier, isDunder, isIdentifier } from "./dotted.ts";
import { ATTRIBUTE_ALIASES } from "./tables/aliases.ts";
import { type CallableCategory, DENIED } from "./tables/denied.ts";
import {
  ALLOWED_DUNDER_PATHS,
  ALLOWED_DUNDER_ROOTS,
  DANGEROUS_ANYWHERE,
  DANGEROUS_MODULE_OBJECTS,
  DANGEROUS_PAIRS_ANYWHERE,
  DUNDER_REASONS,
  FAMILY_EXCLUDED_NAMES,
  INTERNAL_ATTRIBUTES,
  LOADER_ATTRIBUTES,
  NESTED_LOADERS,
} from "./tables/internals.ts";
import { SAFE_TABLES, type SafeFamily, type SafeTable } from "./tables/safe.ts";

export type { CallableCategory } from "./tables/denied.ts";
export type { SafeFamily, SafeTable } from "./tables/safe.ts";

/**
 * The three policy tiers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy, type CallableTier } from "./callables.ts";
 * const tier: CallableTier = CallablePolicy.standard().judge("mypkg.models", "Net").tier;
 * assert.equal(tier, "unknown");
 * ```
 */
export type CallableTier = "denied" | "safe" | "unknown";

/**
 * The policy's answer for one name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy, type CallableVerdict } from "./callables.ts";
 * const verdict: CallableVerdict = CallablePolicy.standard().judge("posix", "system");
 * assert.deepEqual(
 *   [verdict.tier, verdict.name, verdict.entry, verdict.category],
 *   ["denied", "os.system", "os", "process"],
 * );
 * ```
 */
export interface CallableVerdict {
  /** denied (critical), safe (silent) or unknown (warning). */
  tier: CallableTier;
  /** The name after Python's renaming (`posix.system` is `os.system`), dotted. */
  name: string;
  /** For denied: why the entry is dangerous. For unknown: why it could not be judged further, when there is a reason. */
  reason?: string;
  /** For denied: what kind of harm the entry does. */
  category?: CallableCategory | "configured";
  /** The table entry that decided the verdict, e.g. `os` for `posix.system` or `torch.nn.modules.*`. */
  entry?: string;
}

/**
 * Names a scan adds to the standard tables, e.g. from `--deny-callable` and
 * `--allow-callable` or a config file. Plain data, so it crosses to workers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy, type PolicyExtras } from "./callables.ts";
 * const extras: PolicyExtras = { denied: ["mypkg.run_shell"], allowed: ["mypkg.models.*"] };
 * const policy = CallablePolicy.from(extras);
 * assert.equal(policy.judge("mypkg", "run_shell").tier, "denied");
 * assert.equal(policy.judge("mypkg.models", "Net").tier, "safe");
 * ```
 */
export interface PolicyExtras {
  /** Dotted paths to deny, with everything under them (`mypkg.tools`); reported as configured. */
  readonly denied?: readonly string[];
  /**
   * Dotted names to treat as safe (`mypkg.Net`), or namespaces ending in `.*` (`mypkg.models.*`). They turn
   * unknown names safe, never denied ones: options cannot re-enable `os.system`.
   */
  readonly allowed?: readonly string[];
}

/**
 * Why a name the scan's options deny is denied.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy, CONFIGURED_DENIAL_REASON } from "./callables.ts";
 * assert.equal(CallablePolicy.from({ denied: ["mycorp.shell"] }).judge("mycorp.shell.run").reason, CONFIGURED_DENIAL_REASON);
 * ```
 */
export const CONFIGURED_DENIAL_REASON = "the scan's options deny it";

interface DenyRule {
  readonly path: string;
  readonly reason: string;
  readonly category: CallableCategory | "configured";
  /** Denies only what lies strictly under `path`. */
  readonly membersOnly: boolean;
}

interface TrieNode {
  rule?: DenyRule;
  children?: Map<string, TrieNode>;
}

function addRule(root: TrieNode, written: string, reason: string, category: DenyRule["category"]): void {
  const membersOnly = written.endsWith(".*");
  const path = membersOnly ? written.slice(0, -2) : written;
  let node = root;
  for (const seg of path.split(".")) {
    node.children ??= new Map();
    let next = node.children.get(seg);
    if (!next) node.children.set(seg, next = {});
    node = next;
  }
  if (node.rule) {
    if (category === "configured") return; // listed twice
    throw new Error(`Duplicate denylist entry: ${path}`);
  }
  node.rule = { path, reason, category, membersOnly };
}

function buildTrie(): TrieNode {
  const root: TrieNode = {};
  for (const [category, reason, paths] of DENIED) {
    for (const path of paths) addRule(root, path, reason, category);
  }
  return root;
}

let denyTrieBuilt: TrieNode | undefined;

/**
 * The standard denylist's trie, built on the first judgement and kept: the tables never change, and a
 * scan that judges no name (a pickle of plain data) never pays for it.
 */
function denyTrie(): TrieNode {
  return denyTrieBuilt ??= buildTrie();
}

interface TrieHit {
  rule: DenyRule;
  /** The match is a single-segment module name at the very end of an attribute chain. */
  bare: boolean;
}

/**
 * Walks the denylist along `head` then `segs[from..]` and returns the first
 * (shortest) entry that applies. With `viaAttribute` the walk starts at an
 * attribute of another object, where a lone segment such as `trace` may just
 * be a function of that name (`numpy.trace`): such a hit is marked `bare`
 * instead of denied.
 */
function walkDenied(
  trie: TrieNode,
  head: readonly string[],
  segs: readonly string[],
  from: number,
  viaAttribute: boolean,
): TrieHit | undefined {
  const total = head.length + segs.length - from;
  let node: TrieNode | undefined = trie;
  for (let i = 0; i < total; i++) {
    const seg = i < head.length ? head[i] : segs[from + i - head.length];
    node = node.children?.get(seg);
    if (!node) return undefined;
    const rule = node.rule;
    if (!rule) continue;
    const more = i + 1 < total;
    if (rule.membersOnly) {
      if (more) return { rule, bare: false };
      continue;
    }
    return { rule, bare: viaAttribute && !more && i === 0 };
  }
  return undefined;
}

/** The lookup structures of a policy's safe tables. */
interface SafeIndex {
  readonly exact: ReadonlySet<string>;
  readonly exceptions: ReadonlySet<string>;
  /** `os.path.` for an exception `os.path.*`. */
  readonly exceptionPrefixes: readonly string[];
  readonly families: ReadonlyMap<string, readonly SafeFamily[]>;
  readonly maxFamilyRootSegments: number;
}

/** The lookup structures of a scan's extra names: small, so cheap to build for every file. */
interface ExtrasIndex {
  /** The configured denials, or undefined when there are none. */
  readonly trie?: TrieNode;
  readonly exact: ReadonlySet<string>;
  /** `mypkg.models.` for an allowed `mypkg.models.*`. */
  readonly prefixes: readonly string[];
}

const ATTRIBUTES = new Map(Object.entries(ATTRIBUTE_ALIASES).map(([from, to]) => [from, to.split(".")]));
const INTERNALS: ReadonlySet<string> = new Set(INTERNAL_ATTRIBUTES);
const LOADER_METHODS: ReadonlySet<string> = new Set(LOADER_ATTRIBUTES);
const DUNDER_ROOTS: ReadonlySet<string> = new Set(ALLOWED_DUNDER_ROOTS);
const DUNDER_PATHS: ReadonlySet<string> = new Set(ALLOWED_DUNDER_PATHS);
const LOADERS: ReadonlySet<string> = new Set(NESTED_LOADERS);
/** The longest path in {@linkcode NESTED_LOADERS}, in segments: longer suffixes cannot match. */
const MAX_LOADER_SEGMENTS = Math.max(...NESTED_LOADERS.map((path) => path.split(".").length));

/**
 * Names a family never accepts: the ones listed, and the last segment of every
 * denied entry (`reduce`, `attrgetter`, `os`), which a family module may have
 * imported from a dangerous place.
 */
let excludedNamesBuilt: ReadonlySet<string> | undefined;

function excludedNames(): ReadonlySet<string> {
  return excludedNamesBuilt ??= new Set([
    ...DENIED.flatMap(([, , paths]) => paths.map((p) => p.replace(/\.\*$/, "").split(".").pop()!)),
    ...FAMILY_EXCLUDED_NAMES,
  ]);
}

function indexSafe(safe: readonly SafeTable[]): SafeIndex {
  const families = new Map<string, SafeFamily[]>();
  for (const family of safe.flatMap((table) => table.families ?? [])) {
    families.set(family.root, [...families.get(family.root) ?? [], family]);
  }
  return {
    exact: new Set(safe.flatMap((table) => table.exact ?? [])),
    exceptions: new Set(safe.flatMap((table) => table.exceptions ?? []).filter((n) => !n.endsWith(".*"))),
    exceptionPrefixes: safe.flatMap((table) => table.exceptions ?? []).filter((n) => n.endsWith(".*"))
      .map((n) => n.slice(0, -1)),
    families,
    maxFamilyRootSegments: Math.max(0, ...[...families.keys()].map((root) => root.split(".").length)),
  };
}

function indexExtras(extras: Required<PolicyExtras>): ExtrasIndex {
  let trie: TrieNode | undefined;
  for (const path of extras.denied) {
    // A path the standard denylist already denies (or lies under) keeps the standard reason.
    if (walkDenied(denyTrie(), [], path.split("."), 0, false)) continue;
    addRule(trie ??= {}, path, CONFIGURED_DENIAL_REASON, "configured");
  }
  return {
    trie,
    exact: new Set(extras.allowed.filter((n) => !n.endsWith(".*"))),
    prefixes: extras.allowed.filter((n) => n.endsWith(".*")).map((n) => n.slice(0, -1)),
  };
}

const startsUpper = (name: string) => name.charCodeAt(0) >= 65 && name.charCodeAt(0) <= 90;

function familyAccepts(family: SafeFamily, mod: readonly string[], name: readonly string[]): boolean {
  if (name.length > (family.members ? 2 : 1) || name.some((seg) => excludedNames().has(seg))) return false;
  if (family.depth !== undefined && mod.length !== family.depth) return false;
  if (family.lastModule && !family.lastModule.test(mod[mod.length - 1])) return false;
  if (family.excludedSegments?.some((seg) => mod.includes(seg))) return false;
  const first = name[0];
  if (family.alsoNames?.includes(first)) return true;
  const shape = family.names;
  if (shape === "classes") return startsUpper(first);
  if (shape === "not-private") return !/^_[a-z]/.test(first);
  return first.endsWith(shape.suffix);
}

function denied(
  name: string,
  entry: string,
  reason: string,
  category: CallableVerdict["category"],
): CallableVerdict {
  return { tier: "denied", name, reason, category, entry };
}

/** The first dunder or internal-attribute segment that reaches interpreter internals, as a verdict. */
function internalsVerdict(
  full: readonly string[],
  moduleLength: number,
  path: string,
): CallableVerdict | undefined {
  if (DUNDER_PATHS.has(path)) return undefined;
  for (let i = 0; i < full.length; i++) {
    const seg = full[i];
    if (isDunder(seg)) {
      if (i === 0 && DUNDER_ROOTS.has(seg)) continue;
      const why = DUNDER_REASONS[seg] ??
        `${seg} is a Python special attribute; serializers never import one, payloads use them to reach internals`;
      return denied(path, seg, why, "internals");
    }
    if (i >= moduleLength && INTERNALS.has(seg)) {
      return denied(
        path,
        seg,
        `${seg} reaches frames, code objects or closures and through them every global`,
        "internals",
      );
    }
    if (i >= moduleLength && LOADER_METHODS.has(seg)) {
      return denied(
        path,
        seg,
        `${seg} loads a model from disk or the network, which may run its code`,
        "deserialization",
      );
    }
  }
  return undefined;
}

/** The verdict of the module path's vendored or re-exported dangerous segments, wherever they sit. */
function anywhereVerdict(mod: readonly string[], path: string): CallableVerdict | undefined {
  for (let i = 0; i < mod.length; i++) {
    const reason = DANGEROUS_ANYWHERE[mod[i]];
    if (reason) return denied(path, mod[i], reason, "deserialization");
    if (i + 1 < mod.length) {
      const pair = `${mod[i]}.${mod[i + 1]}`;
      const pairReason = DANGEROUS_PAIRS_ANYWHERE[pair];
      if (pairReason) return denied(path, pair, pairReason, "import");
    }
  }
  return undefined;
}

/**
 * One policy of Python callables: the standard tables, plus whatever a scan or
 * a format adds. Immutable; {@linkcode CallablePolicy.extend} makes a new one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { CallablePolicy } from "./callables.ts";
 * const policy = CallablePolicy.standard();
 * assert.equal(policy.judge("posix", "system").entry, "os");
 * assert.equal(policy.judge("pathlib", "os.system").tier, "denied");
 * assert.equal(policy.judge("torch._utils._rebuild_tensor_v2").tier, "safe");
 * assert.equal(policy.extend({ denied: ["mypkg.shell"] }).judge("mypkg.shell.run").category, "configured");
 * ```
 */
export class CallablePolicy {
  static #standard: CallablePolicy | undefined;
  readonly #safe: readonly SafeTable[];
  #safeIndexBuilt: SafeIndex | undefined;
  readonly #extras: Required<PolicyExtras>;
  readonly #extrasIndex: ExtrasIndex;

  private constructor(safe: readonly SafeTable[], safeIndex: SafeIndex | undefined, extras: PolicyExtras) {
    this.#safe = safe;
    this.#safeIndexBuilt = safeIndex;
    this.#extras = {
      denied: [...extras.denied ?? []].filter(isDottedIdentifier),
      allowed: [...extras.allowed ?? []].filter((n) =>
        isDottedIdentifier(n.endsWith(".*") ? n.slice(0, -2) : n)
      ),
    };
    this.#extrasIndex = indexExtras(this.#extras);
  }

  /** The index of the safe tables, built on the first judgement that needs it. */
  #safeIndex(): SafeIndex {
    return this.#safeIndexBuilt ??= indexSafe(this.#safe);
  }

  /**
   * The policy of the standard tables alone. Built on first use and shared: it never changes.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CallablePolicy } from "./callables.ts";
   * assert.equal(CallablePolicy.standard().judge("os.system").tier, "denied");
   * assert.equal(CallablePolicy.standard(), CallablePolicy.standard()); // built once
   * ```
   */
  static standard(): CallablePolicy {
    return CallablePolicy.#standard ??= new CallablePolicy(SAFE_TABLES, undefined, {});
  }

  /**
   * The standard policy with a scan's extra names; the standard policy itself when there are none.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CallablePolicy } from "./callables.ts";
   * assert.equal(CallablePolicy.from({ allowed: ["mypkg.Net"] }).judge("mypkg", "Net").tier, "safe");
   * assert.equal(CallablePolicy.from(undefined), CallablePolicy.standard());
   * ```
   */
  static from(extras: PolicyExtras | undefined): CallablePolicy {
    const standard = CallablePolicy.standard();
    return extras && (extras.denied?.length || extras.allowed?.length) ? standard.extend(extras) : standard;
  }

  /** The names this policy adds to the standard tables. */
  get extras(): Required<PolicyExtras> {
    return this.#extras;
  }

  /**
   * A new policy with more denied or allowed names, or a format's own safe tables.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CallablePolicy } from "./callables.ts";
   * const keras = CallablePolicy.standard().extend({}, [{ library: "keras", exact: ["keras.layers.Dense"] }]);
   * assert.equal(keras.judge("keras.layers.Dense").tier, "safe");
   * assert.equal(CallablePolicy.standard().judge("keras.layers.Dense").tier, "unknown"); // the standard one is unchanged
   * ```
   */
  extend(extras: PolicyExtras, safe: readonly SafeTable[] = []): CallablePolicy {
    const tables = safe.length === 0 ? this.#safe : [...this.#safe, ...safe];
    return new CallablePolicy(tables, safe.length === 0 ? this.#safeIndexBuilt : undefined, {
      denied: [...this.#extras.denied, ...extras.denied ?? []],
      allowed: [...this.#extras.allowed, ...extras.allowed ?? []],
    });
  }

  /**
   * Judges a callable named by a module and a (possibly dotted) name, as a loader
   * resolves it: the module is imported, then the name is looked up on it
   * attribute by attribute (a pickle global, Hydra's `_target_` split at its
   * module, a Keras `module` and `class_name`). So an attribute chain is judged
   * wherever it leads (`pathlib` + `os.system` is `os.system`), and so are the
   * special attributes and model loaders on the way (`Model.__globals__`,
   * `AutoModel.from_pretrained`).
   *
   * With one argument, judges a dotted path as source code spells a reference
   * (`os.path.join`, `posix.system`, `import subprocess`): by its prefixes
   * only, from its first segment, which is where the reference starts. The
   * attributes after it are not re-rooted, because in source the head may be
   * any value (`self.os.system`, `model.eval`); what source reaches through
   * special attributes is the source scanner's to judge.
   *
   * Denied wins over safe; strings that cannot be a Python import path are at
   * best unknown.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CallablePolicy } from "./callables.ts";
   * const policy = CallablePolicy.standard();
   * assert.equal(policy.judge("__builtin__", "eval").name, "builtins.eval");
   * assert.equal(policy.judge("pathlib", "os.system").tier, "denied");
   * assert.equal(policy.judge("mypkg.models", "Net").tier, "unknown");
   * assert.equal(policy.judge("_posixsubprocess.fork_exec").category, "process");
   * assert.equal(policy.judge("model.eval").tier, "unknown");
   * ```
   */
  judge(module: string, name?: string): CallableVerdict {
    if (name !== undefined) return this.#judge(module, name, true);
    const dot = module.indexOf(".");
    return dot < 0
      ? this.#judge(module, undefined, false)
      : this.#judge(module.slice(0, dot), module.slice(dot + 1), false);
  }

  /**
   * `name` undefined: the module itself (`import os`, a bare `builtins`). `attributes`: the name is
   * looked up on the module attribute by attribute, so chains and special attributes are judged.
   */
  #judge(module: string, name: string | undefined, attributes: boolean): CallableVerdict {
    const canonical = canonicalize(module, name ?? "");
    const mod = canonical.module;
    const nameSegs = name === undefined ? [] : canonical.name;
    const full = [...mod, ...nameSegs];
    const path = full.join(".");
    const valid = full.every(isIdentifier);
    const exception = valid ? this.#exception(path) : undefined;
    if (exception !== undefined) return { tier: "safe", name: path, entry: exception };

    // Attribute chains first: `pathlib` + `os.system` is about os, not pathlib.
    let bareModule: string | undefined;
    for (let s = mod.length; attributes && s < full.length; s++) {
      const hit = this.#walk(aliased(full[s]), full, s + 1, true);
      if (!hit) continue;
      if (!hit.bare) return denied(path, hit.rule.path, hit.rule.reason, hit.rule.category);
      bareModule ??= hit.rule.path;
    }
    const hit = this.#walk([], full, 0, false);
    if (hit) return denied(path, hit.rule.path, hit.rule.reason, hit.rule.category);
    const moduleObject = nameSegs.length === 0 ? DANGEROUS_MODULE_OBJECTS[path] : undefined;
    if (moduleObject) return denied(path, path, moduleObject, "code");
    // A reference spelled in source is a module path up to its last segment.
    const structural = anywhereVerdict(attributes ? mod : full.slice(0, -1), path) ??
      (attributes ? internalsVerdict(full, mod.length, path) : undefined);
    if (structural) return structural;
    // Only then the names libraries keep dangerous things under, so that `io.open` stays its own entry.
    for (let s = mod.length; attributes && s < full.length; s++) {
      const alias = ATTRIBUTES.get(full[s]);
      const aliasHit = alias && this.#walk(alias, full, s + 1, true);
      if (!aliasHit) continue;
      if (!aliasHit.bare) {
        return denied(path, aliasHit.rule.path, aliasHit.rule.reason, aliasHit.rule.category);
      }
      bareModule ??= aliasHit.rule.path;
    }

    if (!valid) {
      return {
        tier: "unknown",
        name: path,
        reason: "the module or name is not a dotted Python identifier path",
      };
    }
    if (bareModule !== undefined) {
      return {
        tier: "unknown",
        name: path,
        reason:
          `"${bareModule}" is also a dangerous module's name: check this is not that module reached by attribute`,
      };
    }
    return this.#safeVerdict(mod, nameSegs, path) ?? { tier: "unknown", name: path };
  }

  /** The exception to the denylist that `path` falls under, if any. */
  #exception(path: string): string | undefined {
    const index = this.#safeIndex();
    if (index.exceptions.has(path)) return path;
    const prefix = index.exceptionPrefixes.find((p) => underNamespace(path, p));
    return prefix === undefined ? undefined : `${prefix}*`;
  }

  /** The standard denylist's hit, else the scan's own. */
  #walk(
    head: readonly string[],
    segs: readonly string[],
    from: number,
    viaAttribute: boolean,
  ): TrieHit | undefined {
    const standard = walkDenied(denyTrie(), head, segs, from, viaAttribute);
    const extra = this.#extrasIndex.trie;
    return standard ?? (extra && walkDenied(extra, head, segs, from, viaAttribute));
  }

  #safeVerdict(mod: readonly string[], name: readonly string[], path: string): CallableVerdict | undefined {
    const tables = this.#safeIndex();
    const extras = this.#extrasIndex;
    if (tables.exact.has(path) || extras.exact.has(path)) return { tier: "safe", name: path, entry: path };
    const allowed = extras.prefixes.find((prefix) => underNamespace(path, prefix));
    if (allowed !== undefined) return { tier: "safe", name: path, entry: `${allowed}*` };
    if (name.length === 0) return undefined;
    let prefix = "";
    for (let i = 0; i < Math.min(mod.length, tables.maxFamilyRootSegments); i++) {
      prefix = i === 0 ? mod[0] : `${prefix}.${mod[i]}`;
      for (const family of tables.families.get(prefix) ?? []) {
        if (familyAccepts(family, mod, name)) return { tier: "safe", name: path, entry: family.entry };
      }
    }
    return undefined;
  }

  /**
   * Every denied path of the standard tables as written (a trailing `.*` marks
   * members-only entries), with its category and reason: what tests run through
   * every consumer.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CallablePolicy } from "./callables.ts";
   * assert.equal(CallablePolicy.deniedEntries().find((e) => e.path === "pexpect")?.category, "process");
   * ```
   */
  static deniedEntries(): { path: string; category: CallableCategory; reason: string }[] {
    return DENIED.flatMap(([category, reason, paths]) => paths.map((path) => ({ path, category, reason })));
  }

  /**
   * Every exact safe name of this policy's tables, the exceptions inside denied modules included.
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { CallablePolicy } from "./callables.ts";
   * assert.ok(CallablePolicy.standard().safeNames().includes("collections.OrderedDict"));
   * ```
   */
  safeNames(): string[] {
    return [...this.#safeIndex().exact, ...this.#safeIndex().exceptions];
  }
}

/** Whether `path` is the namespace `prefix` (written with its final dot) or lies under it. */
function underNamespace(path: string, prefix: string): boolean {
  return path.startsWith(prefix) || path === prefix.slice(0, -1);
}

/**
 * Whether the callable takes a serialized payload (a pickle, or an archive
 * holding one) as its first argument, so its argument should be scanned as a
 * nested file. Independent of the tier: `pickle.loads` is denied,
 * `torch.storage._load_from_bytes` is safe, both are loaders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isNestedLoader } from "./callables.ts";
 * assert.equal(isNestedLoader("_pickle", "loads"), true);
 * assert.equal(isNestedLoader("torch.storage", "_load_from_bytes"), true);
 * assert.equal(isNestedLoader("collections", "OrderedDict"), false);
 * ```
 */
export function isNestedLoader(module: string, name: string): boolean {
  const { module: mod, name: nameSegs } = canonicalize(module, name);
  const full = [...mod, ...nameSegs];
  if (LOADERS.has(full.join("."))) return true;
  for (let s = Math.max(mod.length, full.length - MAX_LOADER_SEGMENTS); s < full.length; s++) {
    if (LOADERS.has([...aliased(full[s]), ...full.slice(s + 1)].join("."))) return true;
  }
  return false;
}

/**
 * Whether the import is `builtins.getattr` (under any of its Python 2 names).
 * A pickle calls it as `getattr(Class, "member")` to reach an enum member
 * (Python 3.11's `Enum.__reduce_ex__` does), which is the same lookup as
 * importing `Class.member`: the caller judges that path instead of condemning
 * every enum.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isAttributeGetter } from "./callables.ts";
 * assert.equal(isAttributeGetter("__builtin__", "getattr"), true);
 * assert.equal(isAttributeGetter("operator", "attrgetter"), false);
 * ```
 */
export function isAttributeGetter(module: string, name: string): boolean {
  const { module: mod, name: nameSegs } = canonicalize(module, name);
  return mod.length === 1 && mod[0] === "builtins" && nameSegs.length === 1 && nameSegs[0] === "getattr";
}
