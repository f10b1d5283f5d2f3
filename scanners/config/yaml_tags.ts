/**
 * The tags of YAML documents that make a loader build objects of a programming
 * language: PyYAML's `!!python/...` (`tag:yaml.org,2002:python/...`), Ruby
 * Psych's `!ruby/...`, SnakeYAML's global class tags (`!!javax.script.ScriptEngineManager`)
 * and Symfony's `!php/object`. Sorted into what they name and how bad it is;
 * the tag is only read, never constructed.
 *
 * @module
 */

/** The long form of `!!`, YAML's default secondary tag handle. */
const YAML_ORG = "tag:yaml.org,2002:";

/** YAML's own types (1.1 and 1.2 schemas): tags that name no language's class. */
const YAML_TYPES: ReadonlySet<string> = new Set([
  "str",
  "int",
  "float",
  "bool",
  "null",
  "map",
  "seq",
  "binary",
  "set",
  "omap",
  "pairs",
  "timestamp",
  "merge",
  "value",
  "yaml",
]);

/** PyYAML's python tags that build a callable's result or name one, by prefix. */
const PYTHON_CALLABLE_TAGS = ["object/apply:", "object/new:", "object:", "name:", "module:"];

/** Ruby classes that Psych gadget chains use to run commands on load. */
const RUBY_GADGETS =
  /^(?:Gem::(?:Installer|Requirement|RequestSet|Source|Package|SpecFetcher|Resolver|DependencyList|StubSpecification)|Net::(?:BufferedIO|WriteAdapter)|ERB\b|ActiveSupport::|Rack::|Kernel\b|Object\b|Class\b|Module\b|Proc\b|Method\b|Binding\b|IO\b|File\b|Open3\b)/;

/** Ruby tags that carry data only (symbols, ranges, regular expressions, strings). */
const RUBY_DATA = /^(?:sym|symbol|range|regexp|string|str)(?::|$)/;

/** Java classes of SnakeYAML gadget chains: script engines, class loaders, JNDI, process builders. */
const JAVA_GADGETS = new RegExp(
  "^(?:javax\\.script\\.|java\\.net\\.URLClassLoader|java\\.lang\\.(?:ProcessBuilder|Runtime|reflect\\.)|" +
    "javax\\.naming\\.|com\\.sun\\.rowset\\.JdbcRowSetImpl|com\\.sun\\.jndi\\.|org\\.springframework\\.|" +
    "com\\.mchange\\.v2\\.c3p0\\.|org\\.apache\\.xbean\\.|org\\.apache\\.commons\\.configuration\\.|" +
    "org\\.apache\\.commons\\.beanutils\\.|org\\.apache\\.commons\\.collections\\.|com\\.zaxxer\\.hikari\\.|" +
    "org\\.eclipse\\.jetty\\.plus\\.jndi\\.|org\\.yaml\\.snakeyaml\\.)",
);

/** A Java class name: dotted lower-case packages, then a class. */
const JAVA_CLASS = /^(?:[a-z_][A-Za-z0-9_]*\.)+[A-Za-z_$][A-Za-z0-9_$]*$/;

/**
 * What a YAML tag makes a loader build: `python` with the callable it names (or a data tag such as
 * `!!python/tuple`, `callable` undefined), `ruby`, `java` or `php` with the class, and whether it is
 * a known gadget (`gadget`) or carries data only (`data`).
 *
 * @example
 * ```ts
 * import type { ObjectTag } from "./yaml_tags.ts";
 * const tag: ObjectTag = { language: "python", kind: "object/apply", callable: "os.system", tag: "tag:yaml.org,2002:python/object/apply:os.system" };
 * ```
 */
export interface ObjectTag {
  /** Whose loader the tag is for. */
  language: "python" | "ruby" | "java" | "php";
  /** The tag's constructor, e.g. `object/apply`, `object`, `tuple`, `class`. */
  kind: string;
  /** The callable or class the tag names, if it names one. */
  callable?: string;
  /** A class known to run code when built (Ruby, Java and PHP). */
  gadget?: boolean;
  /** A tag that builds a value only (`!!python/tuple`, `!ruby/sym`). */
  data?: boolean;
  /** The whole tag, as resolved. */
  tag: string;
}

/**
 * The object a resolved YAML tag asks a language's loader to build, or `undefined` for YAML's own
 * types and application tags (`!include`, `!Ref`) that name no class.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { objectTag } from "./yaml_tags.ts";
 * assert.equal(objectTag("tag:yaml.org,2002:python/object/apply:os.system")?.callable, "os.system");
 * assert.equal(objectTag("tag:yaml.org,2002:python/tuple")?.data, true);
 * assert.equal(objectTag("tag:yaml.org,2002:javax.script.ScriptEngineManager")?.gadget, true);
 * assert.equal(objectTag("!ruby/object:Gem::Installer")?.gadget, true);
 * assert.equal(objectTag("tag:yaml.org,2002:str"), undefined);
 * assert.equal(objectTag("!include"), undefined);
 * ```
 */
export function objectTag(tag: string): ObjectTag | undefined {
  if (tag.startsWith(YAML_ORG)) {
    const suffix = tag.slice(YAML_ORG.length);
    if (YAML_TYPES.has(suffix)) return undefined;
    if (suffix.startsWith("python/")) return _pythonTag(suffix.slice("python/".length), tag);
    if (JAVA_CLASS.test(suffix)) {
      return { language: "java", kind: "class", callable: suffix, gadget: JAVA_GADGETS.test(suffix), tag };
    }
    return undefined;
  }
  for (const prefix of ["!ruby/", "tag:ruby.yaml.org,2002:"]) {
    if (tag.startsWith(prefix)) return _rubyTag(tag.slice(prefix.length), tag);
  }
  if (tag.startsWith("!php/")) {
    const kind = tag.slice("!php/".length);
    return { language: "php", kind, gadget: kind === "object", data: kind !== "object", tag };
  }
  return undefined;
}

/**
 * A tag as YAML files usually spell it: `!!` for YAML's own prefix.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { displayTag } from "./yaml_tags.ts";
 * assert.equal(displayTag("tag:yaml.org,2002:python/tuple"), "!!python/tuple");
 * assert.equal(displayTag("!ruby/object:Gem::Installer"), "!ruby/object:Gem::Installer");
 * ```
 */
export function displayTag(tag: string): string {
  return tag.startsWith(YAML_ORG) ? `!!${tag.slice(YAML_ORG.length)}` : tag;
}

function _pythonTag(rest: string, tag: string): ObjectTag {
  const prefix = PYTHON_CALLABLE_TAGS.find((p) => rest.startsWith(p));
  if (prefix === undefined) return { language: "python", kind: rest, data: true, tag };
  return { language: "python", kind: prefix.slice(0, -1), callable: rest.slice(prefix.length), tag };
}

function _rubyTag(rest: string, tag: string): ObjectTag {
  const colon = rest.indexOf(":");
  const kind = colon < 0 ? rest : rest.slice(0, colon);
  const name = colon < 0 ? undefined : rest.slice(colon + 1);
  if (RUBY_DATA.test(rest)) return { language: "ruby", kind, data: true, tag };
  return {
    language: "ruby",
    kind,
    callable: name,
    gadget: name !== undefined && RUBY_GADGETS.test(name),
    tag,
  };
}
