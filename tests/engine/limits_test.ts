// Every limit a scan takes, by the name --limit and `modelaudit limits` use: the engine's and the scanners'.
import assert from "node:assert/strict";
import { DEFAULT_SCAN_LIMITS, LIMIT_INFO, resolveScanLimits, setLimit } from "../../engine/limits.ts";
import { SCANNER_OPTION_INFO } from "../../scanners/options.ts";
import { formatLimitValue } from "../../report/limits.ts";

Deno.test("limits: the engine's come first as engine.NAME, then every scanner's, each once", () => {
  const names = LIMIT_INFO.map((limit) => limit.name);
  assert.equal(new Set(names).size, names.length);
  const engine = LIMIT_INFO.filter((limit) => limit.name.startsWith("engine."));
  assert.deepEqual(
    Object.fromEntries(engine.map((limit) => [limit.name.slice("engine.".length), limit.default])),
    DEFAULT_SCAN_LIMITS,
  );
  assert.deepEqual(LIMIT_INFO.slice(engine.length), SCANNER_OPTION_INFO);
});

Deno.test("limits: engine.NAME sets a ScanLimits field, SCANNER.NAME a scanner option; the last one wins", () => {
  let settings = setLimit({ limits: {}, scannerOptions: {} }, "engine.maxFindingsPerFile=100");
  settings = setLimit(settings, "pickle.maxOpcodes=1_000_000");
  settings = setLimit(settings, "engine.maxDepth=2");
  settings = setLimit(settings, "engine.maxFindingsPerFile=50");
  assert.deepEqual(settings, {
    limits: { maxFindingsPerFile: 50, maxDepth: 2 },
    scannerOptions: { pickle: { maxOpcodes: 1_000_000 } },
  });
  assert.throws(
    () => setLimit(settings, "engine.maxDepht=2"),
    /^RangeError: Unknown option: "engine\.maxDepht"\. Valid options: engine\.maxDepth, engine\.maxMembers, .*, pickle\.maxOpcodes, /,
  );
  assert.throws(
    () => setLimit(settings, "engine.maxDepth=two"),
    /engine\.maxDepth must be a whole number from 0 up, not "two"/,
  );
});

Deno.test("limits: the engine's resolve like a scanner's: unset keeps the default, a mistake is a RangeError", () => {
  assert.deepEqual(resolveScanLimits(), DEFAULT_SCAN_LIMITS);
  assert.ok(Object.isFrozen(resolveScanLimits()));
  assert.deepEqual(
    resolveScanLimits({ maxFindingsPerFile: undefined, maxDepth: 0, maxCompressionRatio: 1.5 }),
    {
      ...DEFAULT_SCAN_LIMITS,
      maxDepth: 0,
      maxCompressionRatio: 1.5,
    },
  );
  const wrong: [object, RegExp][] = [
    [{ maxDepht: 2 }, /^RangeError: Unknown option: "engine\.maxDepht"\. Valid options: engine\.maxDepth, /],
    [
      { maxDepth: -1 },
      /^RangeError: The value of engine\.maxDepth must be a whole number from 0 up, not -1$/,
    ],
    [{ maxMembers: 2.5 }, /engine\.maxMembers must be a whole number from 0 up, not 2\.5$/],
    [{ maxCompressionRatio: 0 }, /engine\.maxCompressionRatio must be a number above 0, not 0$/],
    [{ maxCompressionRatio: Infinity }, /engine\.maxCompressionRatio must be a number above 0, not null$/],
  ];
  for (const [limits, message] of wrong) assert.throws(() => resolveScanLimits(limits), message);
  assert.throws(
    () => setLimit({ limits: {}, scannerOptions: {} }, "engine.maxCompressionRatio=0"),
    /engine\.maxCompressionRatio must be a number above 0/,
  );
});

Deno.test("limits: the README's table lists every limit with its default and meaning", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const rows = [...readme.matchAll(/^\| `([a-z0-9]+\.[A-Za-z0-9]+)` +\|(.*)\|(.*)\|$/gm)]
    .map(([, name, value, summary]) => [name, value.trim(), summary.trim()]);
  // The default as a reader wants it: a byte size in its unit alone where it has one (8 GiB).
  const shown = (name: string, value: number) => {
    const text = formatLimitValue(name, value);
    return /\((.*)\)$/.exec(text)?.[1] ?? text;
  };
  assert.deepEqual(
    rows,
    LIMIT_INFO.map((limit) => [limit.name, shown(limit.name, limit.default), limit.summary]),
  );
});
