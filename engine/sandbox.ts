/**
 * The sandbox scans run in: the scan worker module, the permissions it gets
 * (reading the targets, and nothing else that matters), and how a worker is
 * started, early or on demand.
 *
 * Starting a worker holds the thread that starts it for about 10 ms, and the
 * worker then loads its modules for about as long again. The CLI therefore
 * starts the first one as its very first step
 * ({@linkcode prestartScanWorker}), with read permission for the paths its
 * command line names, while it loads its own modules and parses its arguments;
 * the pool takes that worker ({@linkcode startScanWorker}) only when the scan's
 * roots are exactly those paths, so the sandbox is the one a worker started
 * later would have. Otherwise the early worker is stopped before it sees a file.
 *
 * This module is the CLI's first import: it imports nothing.
 *
 * @module
 */

/** The scan worker module. */
export const SCAN_WORKER_URL: URL = new URL("./worker.ts", import.meta.url);

/**
 * The folders of modelaudit's own code that a scan worker loads scanners from,
 * when that code is local files: the CLI runs with
 * `--unstable-lazy-dynamic-imports`, so a worker loads a scanner's modules when
 * a file needs them, and Deno checks a lazily loaded local module against the
 * worker's read permission. They hold source code only (no tests, fixtures or
 * project files). In a compiled binary they are its embedded folders; code
 * served over HTTP(S) (JSR) loads by the import permission instead.
 */
const CODE_DIRS: readonly URL[] = new URL("../", import.meta.url).protocol === "file:"
  ? ["core/", "engine/", "policy/", "scanners/"].map((dir) => new URL(`../${dir}`, import.meta.url))
  : [];

/**
 * Permissions of a scan worker: read the targets and modelaudit's own code
 * folders, nothing else. Module loading is allowed only from the host the
 * worker's own code comes from (none for a local or compiled copy), so code in
 * a worker cannot smuggle data out in an import URL.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SCAN_WORKER_URL, sandboxPermissions } from "./sandbox.ts";
 * const permissions = sandboxPermissions(["/models"], SCAN_WORKER_URL);
 * const read = permissions.read as (string | URL)[];
 * assert.equal(read[0], "/models");
 * assert.ok(read.some((path) => String(path).endsWith("/scanners/"))); // its own scanners' code
 * assert.equal(permissions.write, false);
 * assert.equal(permissions.import, false); // a local worker module may import from no host
 * ```
 */
export function sandboxPermissions(
  readRoots: readonly string[],
  moduleUrl: URL,
): Deno.PermissionOptionsObject {
  const remote = moduleUrl.protocol === "https:" || moduleUrl.protocol === "http:";
  const read = [...readRoots, ...CODE_DIRS];
  return {
    read: read.length > 0 ? read : false,
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: remote ? [moduleUrl.host] : false,
  };
}

/** The worker {@linkcode prestartScanWorker} started, until a pool takes it or turns it down. */
let early: { worker: Worker; roots: string; url: string; failed: boolean } | undefined;

/** `roots` as one comparable key: a worker's permissions are a set of paths. */
function rootsKey(roots: readonly string[]): string {
  return JSON.stringify([...new Set(roots)].sort());
}

function newScanWorker(readRoots: readonly string[], url: URL): Worker {
  return new Worker(url, {
    type: "module",
    name: "modelaudit-scan",
    deno: { permissions: sandboxPermissions(readRoots, url) },
  });
}

/**
 * Starts a scan worker that may read `readRoots` (absolute, real paths) now,
 * for the first {@linkcode startScanWorker} with the same roots to take, and
 * returns it. Returns undefined, and starts nothing, when one is already
 * waiting or when workers cannot be started here (the pool then says why,
 * when it needs one).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { prestartScanWorker, startScanWorker } from "./sandbox.ts";
 * // Needs --unstable-worker-options.
 * const models = await Deno.realPath("fixtures/pickle/benign");
 * const early = prestartScanWorker([models]);
 * const worker = startScanWorker([models]);
 * assert.equal(worker, early); // already booting when the scan asked for it
 * worker.terminate();
 * ```
 */
export function prestartScanWorker(
  readRoots: readonly string[],
  url: URL = SCAN_WORKER_URL,
): Worker | undefined {
  if (early) return undefined;
  try {
    const worker = newScanWorker(readRoots, url);
    const started = { worker, roots: rootsKey(readRoots), url: url.href, failed: false };
    // An error while it boots (a module that does not load) condemns it; the pool's own worker reports it.
    worker.onerror = (event) => {
      event.preventDefault();
      started.failed = true;
    };
    early = started;
    return worker;
  } catch {
    // No --unstable-worker-options: the pool reports it, with the way out.
    return undefined;
  }
}

/**
 * A scan worker that may read `readRoots` and nothing else that matters: the
 * one {@linkcode prestartScanWorker} started when it has exactly these roots
 * and module (an early worker with other roots is stopped), else a new one.
 *
 * @example
 * ```ts
 * import { startScanWorker } from "./sandbox.ts";
 * // Needs --unstable-worker-options.
 * const worker = startScanWorker([await Deno.realPath("fixtures/pickle/benign")]);
 * worker.terminate();
 * ```
 */
export function startScanWorker(readRoots: readonly string[], url: URL = SCAN_WORKER_URL): Worker {
  const waiting = early;
  early = undefined;
  if (waiting) {
    if (!waiting.failed && waiting.url === url.href && waiting.roots === rootsKey(readRoots)) {
      waiting.worker.onerror = null;
      return waiting.worker;
    }
    waiting.worker.terminate();
  }
  try {
    return newScanWorker(readRoots, url);
  } catch (error) {
    throw new Error(
      `Cannot start a sandboxed scan worker (${error instanceof Error ? error.message : error}). ` +
        "Run Deno with --unstable-worker-options, or pass sandbox: false to scan in-process.",
    );
  }
}
