/**
 * Lets npm packages that read `process.env` run in a scan worker. Some read variables as they load
 * (`@lezer/lr` reads `LOG`) or on every token (`yaml` reads `LOG_TOKENS` and `LOG_STREAM`), and in a
 * worker without env permission (the sandbox's; a library user need not grant it either) each read
 * throws. Imported before such a package, this module makes a read that Deno refuses answer
 * `undefined`, as Node answers for an unset variable, and remembers the refusal so that the next read
 * of that name costs no exception. Where the variables may be read, nothing changes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import process from "node:process";
 * import "./node_env.ts";
 * // Granted or refused, a read answers a string or undefined, never an exception.
 * assert.ok(["string", "undefined"].includes(typeof process.env.LOG_TOKENS));
 * ```
 *
 * @module
 */

import process from "node:process";

/** Whether reading environment variables throws here (no env permission, or not for every name). */
function readsMayThrow(): boolean {
  try {
    // A name no one sets: granted for all names, this reads; granted for some or none, it throws.
    void process.env.MODELAUDIT_ENV_PROBE;
    return false;
  } catch {
    return true;
  }
}

if (readsMayThrow()) {
  const env = process.env;
  const refused = new Set<string | symbol>();
  const read = (key: string | symbol) => {
    if (refused.has(key)) return undefined;
    try {
      return Reflect.get(env, key);
    } catch {
      refused.add(key);
      return undefined;
    }
  };
  // The target is a plain object: a proxy of Node's env proxy would consult it (and throw) on every read.
  const guarded = new Proxy({}, {
    get: (_, key) => read(key),
    has: (_, key) => read(key) !== undefined,
    set: (_, key, value) => Reflect.set(env, key, value),
    deleteProperty: (_, key) => Reflect.deleteProperty(env, key),
    ownKeys: () => {
      try {
        return Reflect.ownKeys(env);
      } catch {
        return [];
      }
    },
    getOwnPropertyDescriptor: (_, key) => {
      const value = read(key);
      return value === undefined
        ? undefined
        : { value, writable: true, enumerable: true, configurable: true };
    },
  });
  Object.defineProperty(process, "env", { configurable: true, writable: true, value: guarded });
}
