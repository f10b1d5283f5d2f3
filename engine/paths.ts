/**
 * The few path operations the CLI and the scan workers need, as Node's
 * `path.join`, `path.resolve`, `path.dirname` and `path.sep` do them, without `node:path`: the
 * first `node:` import costs each isolate (the CLI's and every worker's) some
 * 6 ms of Node compatibility set-up, a tenth of a one-file scan. On Windows
 * both separators are read and `\` is written; a root (`/`, `C:\`,
 * `\\server\share\`) is kept as it is.
 *
 * @module
 */

const WINDOWS = Deno.build.os === "windows";

/**
 * The platform's path separator: `/`, or `\` on Windows.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SEPARATOR } from "./paths.ts";
 * assert.equal(SEPARATOR, Deno.build.os === "windows" ? "\\" : "/");
 * ```
 */
export const SEPARATOR: string = WINDOWS ? "\\" : "/";

const isSeparator: (char: string) => boolean = WINDOWS
  ? (char) => char === "/" || char === "\\"
  : (char) => char === "/";

/** Length of the root at the start of `path`: `/`, and on Windows `C:`, `C:\`, `\\server\share\`. */
function rootLength(path: string): number {
  if (!WINDOWS) return path[0] === "/" ? 1 : 0;
  const unc = path.match(/^[\\/]{2}[^\\/]+[\\/]+[^\\/]+[\\/]?/);
  if (unc) return unc[0].length;
  const drive = /^[A-Za-z]:/.test(path) ? 2 : 0;
  return isSeparator(path[drive] ?? "") ? drive + 1 : drive;
}

/** `path` with `.` and `..` segments resolved and separators collapsed, as Node's `path.normalize`. */
function normalize(path: string): string {
  const rootEnd = rootLength(path);
  const root = path.slice(0, rootEnd).replaceAll(WINDOWS ? "/" : SEPARATOR, SEPARATOR);
  const absolute = rootEnd > 0 && isSeparator(path[rootEnd - 1]);
  const segments: string[] = [];
  for (const segment of path.slice(rootEnd).split(WINDOWS ? /[\\/]/ : "/")) {
    if (segment === "" || segment === ".") continue;
    if (segment !== "..") segments.push(segment);
    else if (segments.length > 0 && segments.at(-1) !== "..") segments.pop();
    else if (!absolute) segments.push("..");
  }
  const trailing = path.length > rootEnd && isSeparator(path.at(-1)!);
  const body = segments.join(SEPARATOR);
  if (body === "") return root || (trailing ? `.${SEPARATOR}` : ".");
  return root + body + (trailing ? SEPARATOR : "");
}

/**
 * `parts` joined with the separator and normalized, as Node's `path.join`:
 * empty parts are dropped, `.` and `..` resolved, and nothing joined is `.`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinPath } from "./paths.ts";
 * if (Deno.build.os !== "windows") {
 *   assert.equal(joinPath("./models/", "a.pkl"), "models/a.pkl");
 *   assert.equal(joinPath("/m", "x", "..", "y"), "/m/y");
 * }
 * ```
 */
export function joinPath(...parts: string[]): string {
  const joined = parts.filter((part) => part !== "").join(SEPARATOR);
  return joined === "" ? "." : normalize(joined);
}

/**
 * An entry `name` read from directory `dir` (already normalized, as
 * {@linkcode joinPath} returns it) joined to it, as `joinPath(dir, name)`
 * would, without normalizing again: a walk joins two per file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { childPath, joinPath } from "./paths.ts";
 * if (Deno.build.os !== "windows") {
 *   for (const dir of [".", "/", "models", "models/", "/m/x"]) {
 *     assert.equal(childPath(dir, "a.pkl"), joinPath(dir, "a.pkl"));
 *   }
 * }
 * ```
 */
export function childPath(dir: string, name: string): string {
  if (dir === ".") return name;
  return isSeparator(dir.at(-1) ?? "") ? dir + name : dir + SEPARATOR + name;
}

/**
 * `path` made absolute against the working directory and normalized, as Node's
 * `path.resolve` with one argument.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { joinPath, resolvePath } from "./paths.ts";
 * if (Deno.build.os !== "windows") assert.equal(resolvePath("/models/./a.pkl"), "/models/a.pkl");
 * assert.equal(resolvePath("a.pkl"), joinPath(Deno.cwd(), "a.pkl"));
 * ```
 */
export function resolvePath(path: string): string {
  const rootEnd = rootLength(path);
  const absolute = rootEnd > 0 && isSeparator(path[rootEnd - 1]);
  const resolved = absolute ? normalize(path) : joinPath(Deno.cwd(), path);
  // Node drops a trailing separator here, where join keeps it.
  return resolved.length > rootLength(resolved) && isSeparator(resolved.at(-1)!)
    ? resolved.slice(0, -1)
    : resolved;
}

/**
 * The directory part of `path`, as Node's `path.dirname`: `.` for a bare name,
 * the root for a name at the root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dirnamePath } from "./paths.ts";
 * assert.equal(dirnamePath("/models/a.pkl"), "/models");
 * assert.equal(dirnamePath("a.pkl"), ".");
 * ```
 */
export function dirnamePath(path: string): string {
  const rootEnd = rootLength(path);
  let end = -1;
  let inName = true;
  for (let i = path.length - 1; i >= Math.max(rootEnd, 1); i--) {
    if (isSeparator(path[i])) {
      if (!inName) {
        end = i;
        break;
      }
    } else {
      inName = false;
    }
  }
  if (end === -1) return rootEnd > 0 ? path.slice(0, rootEnd) : ".";
  // Node keeps a POSIX path's leading `//`, which some systems give a meaning of its own.
  return !WINDOWS && rootEnd === 1 && end === 1 ? "//" : path.slice(0, end);
}

/**
 * Whether the absolute `path` is `root` or lies below it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isInside } from "./paths.ts";
 * assert.equal(isInside("/models/a/b.pkl", "/models"), true);
 * assert.equal(isInside("/models-old/b.pkl", "/models"), false);
 * ```
 */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(SEPARATOR) ? root : root + SEPARATOR);
}
