/**
 * A pool of scan workers whose Deno permissions are narrowed to reading the
 * scan targets. A worker that throws, hangs past its time or dies is replaced,
 * and its file gets a scan error; the rest of the scan goes on.
 *
 * @module
 */

import type { ScanTask, TaskOutcome, WorkerRequest } from "./serve.ts";

/** The scan worker module. */
export const SCAN_WORKER_URL: URL = new URL("./worker.ts", import.meta.url);

/**
 * Permissions of a scan worker: read the targets, nothing else. Module loading
 * is allowed only from the host the worker's own code comes from (none for a
 * local or compiled copy), so code in a worker cannot smuggle data out in an
 * import URL.
 *
 * @example
 * ```ts
 * import { SCAN_WORKER_URL, sandboxPermissions } from "./pool.ts";
 * sandboxPermissions(["/models"], SCAN_WORKER_URL).write; // false
 * ```
 */
export function sandboxPermissions(
  readRoots: readonly string[],
  moduleUrl: URL,
): Deno.PermissionOptionsObject {
  const remote = moduleUrl.protocol === "https:" || moduleUrl.protocol === "http:";
  return {
    read: readRoots.length > 0 ? [...readRoots] : false,
    write: false,
    net: false,
    env: false,
    run: false,
    ffi: false,
    sys: false,
    import: remote ? [moduleUrl.host] : false,
  };
}

/** Options of a {@linkcode WorkerPool}. */
export interface PoolOptions {
  /** Most workers alive at once. */
  size: number;
  /** Absolute paths the workers may read. */
  readRoots: readonly string[];
  /** The worker module; tests substitute a probe. */
  workerUrl?: URL;
}

interface Slot {
  worker: Worker;
  busy: boolean;
}

/**
 * Runs file scans in sandboxed workers, at most `size` at once.
 *
 * @example
 * ```ts
 * import { WorkerPool } from "./pool.ts";
 * const pool = new WorkerPool({ size: 2, readRoots: ["/models"] });
 * const outcome = await pool.run({ realPath: "/models/m.pkl", path: "m.pkl", blacklist: [] }, 60_000);
 * pool.close();
 * ```
 */
export class WorkerPool {
  readonly #options: PoolOptions;
  readonly #slots: Slot[] = [];
  readonly #waiting: ((slot: Slot) => void)[] = [];
  #nextId = 0;

  constructor(options: PoolOptions) {
    this.#options = options;
  }

  /**
   * Scans one file or directory unit in a worker; never rejects: failures become the
   * outcome's `error` (a plain file outcome, even for a unit).
   */
  async run(task: ScanTask, timeoutMs: number): Promise<TaskOutcome> {
    const slot = await this.#acquire();
    const id = this.#nextId++;
    const { promise, resolve } = Promise.withResolvers<TaskOutcome & { healthy: boolean }>();
    const timer = setTimeout(
      () =>
        resolve({
          format: null,
          findings: [],
          bytesScanned: 0,
          error: `timed out after ${timeoutMs / 1000} s`,
          healthy: false,
        }),
      timeoutMs,
    );
    slot.worker.onmessage = (event: MessageEvent<{ id: number; outcome: TaskOutcome }>) => {
      if (event.data.id === id) resolve({ ...event.data.outcome, healthy: true });
    };
    slot.worker.onerror = (event: ErrorEvent) => {
      event.preventDefault();
      resolve({
        format: null,
        findings: [],
        bytesScanned: 0,
        error: `scanner crashed: ${event.message}`,
        healthy: false,
      });
    };
    slot.worker.postMessage({ id, task } satisfies WorkerRequest);
    const { healthy, ...outcome } = await promise;
    clearTimeout(timer);
    this.#release(slot, healthy);
    return outcome;
  }

  /** Terminates every worker. */
  close(): void {
    for (const slot of this.#slots) slot.worker.terminate();
    this.#slots.length = 0;
  }

  #spawn(): Slot {
    const url = this.#options.workerUrl ?? SCAN_WORKER_URL;
    try {
      const worker = new Worker(url, {
        type: "module",
        name: "modelaudit-scan",
        deno: { permissions: sandboxPermissions(this.#options.readRoots, url) },
      });
      return { worker, busy: false };
    } catch (error) {
      throw new Error(
        `Cannot start a sandboxed scan worker (${error instanceof Error ? error.message : error}). ` +
          "Run Deno with --unstable-worker-options, or pass sandbox: false to scan in-process.",
      );
    }
  }

  #acquire(): Promise<Slot> {
    const idle = this.#slots.find((slot) => !slot.busy);
    if (idle) {
      idle.busy = true;
      return Promise.resolve(idle);
    }
    if (this.#slots.length < this.#options.size) {
      const slot = this.#spawn();
      slot.busy = true;
      this.#slots.push(slot);
      return Promise.resolve(slot);
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  #release(slot: Slot, healthy: boolean): void {
    let next = slot;
    if (!healthy) {
      slot.worker.terminate();
      next = this.#spawn();
      this.#slots[this.#slots.indexOf(slot)] = next;
    }
    const waiter = this.#waiting.shift();
    if (waiter) {
      next.busy = true;
      waiter(next);
    } else {
      next.busy = false;
    }
  }
}
