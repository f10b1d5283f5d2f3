import assert from "node:assert/strict";
import { parseArgs } from "node:util";
import { type ArgTokenOption, tokenizeArgs } from "../../cli/arg_tokens.ts";

/** The scan command's shapes: options with and without values, with and without a letter. */
const OPTIONS: Record<string, ArgTokenOption> = {
  format: { type: "string", short: "f" },
  output: { type: "string", short: "o" },
  timeout: { type: "string" },
  verbose: { type: "boolean", short: "v" },
  quiet: { type: "boolean", short: "q" },
  help: { type: "boolean", short: "h" },
};

function nodeTokens(args: string[]) {
  const withMultiple = Object.fromEntries(
    Object.entries(OPTIONS).map(([name, option]) => [name, { ...option, multiple: true }]),
  );
  return parseArgs({ args, options: withMultiple, strict: false, allowPositionals: true, tokens: true })
    .tokens;
}

Deno.test("the tokens are Node's for each shape of argument", () => {
  const cases = [
    [],
    ["scan", "m.pkl"],
    ["-f", "json", "m.pkl"],
    ["-fjson", "-o=out.json"],
    ["--format", "json", "--output=r.json", "--timeout", "5"],
    ["--format"],
    ["-f"],
    ["--format", "--verbose"],
    ["-vq", "-vfjson", "-qvf", "x", "-fv"],
    ["-vx", "-x", "-xyz", "-Vf"],
    ["--unknown", "value", "--unknown=1", "--verbose=yes", "---triple"],
    ["-", "a", "--", "-v", "--format", "b"],
    ["a", "--", "--"],
    ["--=x", "--format=", "-f=", "-1", "--9"],
    ["-h", "--help", "help"],
  ];
  for (const args of cases) assert.deepEqual(tokenizeArgs(args, OPTIONS), nodeTokens(args), args.join(" "));
});

Deno.test("the tokens are Node's on random command lines", () => {
  const words = [
    "-",
    "--",
    "-f",
    "-v",
    "-q",
    "-x",
    "-vq",
    "-vf",
    "-fv",
    "--format",
    "--format=j",
    "--verbose",
    "--verbose=1",
    "--bad",
    "--bad=2",
    "--timeout",
    "m.pkl",
    "json",
    "-o",
    "-oout",
    "---",
    "--=",
    "-=",
    "",
  ];
  // A fixed linear congruential sequence: the same command lines on every run.
  let seed = 12345;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < 2000; round++) {
    const args = Array.from({ length: random(7) }, () => words[random(words.length)]);
    assert.deepEqual(tokenizeArgs(args, OPTIONS), nodeTokens(args), JSON.stringify(args));
  }
});
