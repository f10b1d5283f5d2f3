/**
 * Lets `@lezer/lr` load in a scan worker. The parser reads `process.env.LOG`
 * when its module is evaluated (to turn on its debug log), and in a worker
 * without env permission that read throws, so the import fails. Imported before
 * the parser, this module answers that one variable as unset where reading it
 * is not allowed; every other variable reads (or is refused) as before, and
 * where env access is granted nothing changes.
 *
 * @module
 */

import process from "node:process";

/** The variable `@lezer/lr` reads at load. */
const LEZER_LOG = "LOG";

try {
  void process.env[LEZER_LOG];
} catch {
  const env = process.env;
  // The target is a plain object: a proxy of Node's env proxy would consult it (and throw) on every read.
  const guarded = new Proxy({}, {
    get: (_, key) => key === LEZER_LOG ? undefined : Reflect.get(env, key),
    has: (_, key) => key !== LEZER_LOG && Reflect.has(env, key),
    set: (_, key, value) => Reflect.set(env, key, value),
    deleteProperty: (_, key) => Reflect.deleteProperty(env, key),
    ownKeys: () => Reflect.ownKeys(env),
    getOwnPropertyDescriptor: (_, key) =>
      key === LEZER_LOG ? undefined : Reflect.getOwnPropertyDescriptor(env, key),
  });
  Object.defineProperty(process, "env", { configurable: true, writable: true, value: guarded });
}
