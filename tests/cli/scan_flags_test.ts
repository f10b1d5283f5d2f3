import assert from "node:assert/strict";
import { parseCommandLine } from "../../cli/args.ts";
import { longFlag, SCAN_FLAGS, shortFlag } from "../../cli/scan_flags.ts";
import { likelyReadRoots } from "../../main.ts";

/** A value each flag accepts, or null for a flag that takes none; a new flag needs one to type-check. */
const SAMPLE_VALUES: { readonly [Key in keyof typeof SCAN_FLAGS]: string | null } = {
  format: "json",
  output: "report.json",
  maxFileSize: "10000000",
  timeout: "5",
  blacklist: "evil",
  denyCallable: "os.system",
  allowCallable: "mypkg.Model",
  maxDepth: "3",
  maxMembers: "10",
  maxDecompressedBytes: "1000000",
  maxCompressionRatio: "10",
  weights: null,
  noWeights: null,
  limit: "pickle.maxOpcodes=1000",
  verbose: null,
  quiet: null,
  failOn: "info",
  sbom: "sbom.json",
  select: "MA1",
  ignore: "MA2",
  config: "modelaudit.toml",
  baseline: "baseline.json",
  writeBaseline: "new-baseline.json",
};

const TARGET = "fixtures/pickle/benign";
/** An existing file, as a config, baseline or earlier report is: the guess must not take it for a target. */
const EXISTING_FILE = "deno.json";

/** Each spelling of a flag: long, and short where it has one. */
function spellings(flags: string): string[] {
  const short = shortFlag(flags);
  return short ? [longFlag(flags), `-${short}`] : [longFlag(flags)];
}

Deno.test("the grammar reads every scan flag as the early guess does: a flag's value is never a path", async () => {
  const target = await Deno.realPath(TARGET);
  for (const [key, flags] of Object.entries(SCAN_FLAGS) as [keyof typeof SCAN_FLAGS, string][]) {
    const value = SAMPLE_VALUES[key];
    assert.equal(value !== null, flags.includes("<"), `${flags}: a value exactly when help shows one`);
    for (const flag of spellings(flags)) {
      const args = value === null ? ["scan", flag, TARGET] : ["scan", flag, value, TARGET];
      const invocation = parseCommandLine(args);
      assert.equal(invocation.command, "scan", `${args.join(" ")}: ${JSON.stringify(invocation)}`);
      assert.deepEqual(invocation.command === "scan" && invocation.paths, [TARGET], args.join(" "));
      const guessed = value === null ? args : ["scan", flag, EXISTING_FILE, TARGET];
      assert.deepEqual(likelyReadRoots(guessed), [target], guessed.join(" "));
    }
  }
});

Deno.test("the early guess reads a value joined to its flag, flags after the paths, and paths after --", async () => {
  const target = await Deno.realPath(TARGET);
  const existing = await Deno.realPath(EXISTING_FILE);
  assert.deepEqual(likelyReadRoots(["scan", `--config=${EXISTING_FILE}`, TARGET]), [target]);
  assert.deepEqual(likelyReadRoots(["scan", `-c${EXISTING_FILE}`, TARGET]), [target]);
  assert.deepEqual(likelyReadRoots(["scan", TARGET, "-o", EXISTING_FILE]), [target]);
  assert.deepEqual(likelyReadRoots(["inspect", "-f", "json", TARGET]), [target]);
  // After --, a name that looks like a flag is a path, and the file named is scanned.
  assert.deepEqual(likelyReadRoots(["scan", "--", EXISTING_FILE]), [existing]);
  assert.deepEqual(likelyReadRoots(["scan", "-q", "--weights", EXISTING_FILE, TARGET]), [existing, target]);
});
