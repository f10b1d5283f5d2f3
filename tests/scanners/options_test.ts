// The scanner options table: defaults, resolution, validation, the `SCANNER.OPTION=VALUE` form,
// and what a context without options reads.
import assert from "node:assert/strict";
import {
  DEFAULT_SCANNER_OPTIONS,
  resolveScannerOptions,
  SCANNER_OPTION_INFO,
  scannerOptions,
  type ScannerOptionsInput,
  setScannerOption,
} from "../../scanners/options.ts";

Deno.test("options: unset ones keep their defaults; the result is frozen", () => {
  const options = resolveScannerOptions({ pickle: { maxOpcodes: 1_000 }, tar: { maxEntries: 3 } });
  assert.equal(options.pickle.maxOpcodes, 1_000);
  assert.equal(options.pickle.maxMemoEntries, DEFAULT_SCANNER_OPTIONS.pickle.maxMemoEntries);
  assert.equal(options.tar.maxEntries, 3);
  assert.deepEqual(options.numpy, DEFAULT_SCANNER_OPTIONS.numpy);
  assert.deepEqual(resolveScannerOptions(), DEFAULT_SCANNER_OPTIONS);
  assert.deepEqual(resolveScannerOptions({ tar: { maxEntries: undefined } }), DEFAULT_SCANNER_OPTIONS);
  assert.ok(Object.isFrozen(options) && Object.isFrozen(options.pickle));
  // Resolving what is resolved changes nothing: workers get resolved options and resolve them again.
  assert.deepEqual(resolveScannerOptions(options), options);
});

Deno.test("options: an unknown scanner or option, or a value that is not a whole number, is refused by name", () => {
  const refused = (input: unknown) =>
    assert.throws(() => resolveScannerOptions(input as ScannerOptionsInput), RangeError);
  refused({ pikle: { maxOpcodes: 1 } });
  refused({ pickle: { maxOpcode: 1 } });
  refused({ pickle: { maxOpcodes: -1 } });
  refused({ pickle: { maxOpcodes: 1.5 } });
  refused({ pickle: { maxOpcodes: "10" } });
  refused({ pickle: { maxOpcodes: Number.MAX_SAFE_INTEGER + 1 } });
  assert.throws(
    () => resolveScannerOptions({ pickle: { maxOpcode: 1 } } as ScannerOptionsInput),
    /Unknown option: "pickle\.maxOpcode"\. Valid options: pickle\.maxOpcodes, pickle\.maxMemoEntries, /,
  );
  assert.equal(resolveScannerOptions({ pickle: { maxOpcodes: 0 } }).pickle.maxOpcodes, 0);
});

Deno.test("options: SCANNER.OPTION=VALUE sets one option, digits grouped with _ or not", () => {
  let input = setScannerOption({}, "pickle.maxOpcodes=1_000_000");
  input = setScannerOption(input, "pickle.maxMemoEntries=5");
  input = setScannerOption(input, "tar.maxEntries=7");
  assert.deepEqual(input, { pickle: { maxOpcodes: 1_000_000, maxMemoEntries: 5 }, tar: { maxEntries: 7 } });
  // The last of two settings wins, as on a command line.
  assert.deepEqual(setScannerOption(input, "tar.maxEntries=8").tar, { maxEntries: 8 });
  for (const bad of ["pickle.maxOpcodes", "maxOpcodes=1", "pickle.maxOpcodes=", "pickle.maxOpcodes=1e6"]) {
    assert.throws(() => setScannerOption({}, bad), RangeError, bad);
  }
  assert.throws(() => setScannerOption({}, "pickle.maxOpcodes=-5"), /whole number/);
  assert.throws(
    () => setScannerOption({}, "rar.maxEntries=5"),
    /Unknown option: "rar\.maxEntries"\. Valid options: /,
  );
});

Deno.test("options: every option is listed once, with its default and a summary", () => {
  const names = SCANNER_OPTION_INFO.map((option) => option.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes("pickle.maxOpcodes") && names.includes("lzma.maxDecodedBytes"));
  const defaults = new Map(
    Object.entries(DEFAULT_SCANNER_OPTIONS).flatMap(([id, options]) =>
      Object.entries(options).map(([name, value]) => [`${id}.${name}`, value])
    ),
  );
  assert.deepEqual(new Map(SCANNER_OPTION_INFO.map((option) => [option.name, option.default])), defaults);
  for (const option of SCANNER_OPTION_INFO) assert.ok(option.summary.length > 10, option.name);
});

Deno.test("options: a context without options reads the defaults", () => {
  assert.equal(scannerOptions({}), DEFAULT_SCANNER_OPTIONS);
  const options = resolveScannerOptions({ numpy: { maxHeaderBytes: 10 } });
  assert.equal(scannerOptions({ options }).numpy.maxHeaderBytes, 10);
});
