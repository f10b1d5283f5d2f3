/** The config file: what each key stands for, and the key path of every mistake. */

import assert from "node:assert/strict";
import { ConfigError } from "../../cli/config_error.ts";
import { parseConfig } from "../../cli/config.ts";

Deno.test("every key: [scan] options, [limits] and [callables] become arguments; severities and ignores are read", () => {
  const config = parseConfig(
    `
[scan]
format = "json"
fail-on = "critical"
max-file-size = 1000
timeout = 60
blacklist = ["exfil", "token"]
max-depth = 4
max-members = 10
max-decompressed-bytes = 1048576
max-compression-ratio = 50.5
weights = "on"

[limits]
pickle.maxOpcodes = 5_000_000
engine = { maxFindingsPerFile = 100 }

[callables]
deny = ["mypkg.tools.run"]
allow = ["mypkg.models.*"]

[rules]
select = ["MA1", "MA2"]
ignore = ["MA003"]
severity = { MA102 = "info", MA207 = "critical" }

[[ignore]]
rule = "MA102"
path = "models/legacy/**"
reason = "vendor checkpoints, reviewed 2026-11"
expires = 2027-03-01

[[ignore]]
rule = "MA2"
reason = "archives are unpacked by hand"
expires = "2027-04-30"
`,
    "modelaudit.toml",
  );
  assert.deepEqual(config.scanArgs, [
    { keyPath: "$.scan.format", args: ["--format", "json"] },
    { keyPath: "$.scan.fail-on", args: ["--fail-on", "critical"] },
    { keyPath: "$.scan.max-file-size", args: ["--max-file-size", "1000"] },
    { keyPath: "$.scan.timeout", args: ["--timeout", "60"] },
    { keyPath: "$.scan.blacklist", args: ["--blacklist", "exfil", "--blacklist", "token"] },
    { keyPath: "$.scan.max-depth", args: ["--max-depth", "4"] },
    { keyPath: "$.scan.max-members", args: ["--max-members", "10"] },
    { keyPath: "$.scan.max-decompressed-bytes", args: ["--max-decompressed-bytes", "1048576"] },
    { keyPath: "$.scan.max-compression-ratio", args: ["--max-compression-ratio", "50.5"] },
    { keyPath: "$.scan.weights", args: ["--weights"] },
    { keyPath: "$.limits.pickle.maxOpcodes", args: ["--limit", "pickle.maxOpcodes=5000000"] },
    { keyPath: "$.limits.engine.maxFindingsPerFile", args: ["--limit", "engine.maxFindingsPerFile=100"] },
    { keyPath: "$.callables.deny", args: ["--deny-callable", "mypkg.tools.run"] },
    { keyPath: "$.callables.allow", args: ["--allow-callable", "mypkg.models.*"] },
    { keyPath: "$.rules.select", args: ["--select", "MA1,MA2"] },
    { keyPath: "$.rules.ignore", args: ["--ignore", "MA003"] },
  ]);
  assert.deepEqual(config.severity, { MA102: "info", MA207: "critical" });
  assert.deepEqual(config.ignores, [
    {
      rule: "MA102",
      path: "models/legacy/**",
      reason: "vendor checkpoints, reviewed 2026-11",
      expires: "2027-03-01",
      keyPath: "$.ignore[0]",
    },
    { rule: "MA2", reason: "archives are unpacked by hand", expires: "2027-04-30", keyPath: "$.ignore[1]" },
  ]);
});

Deno.test("an empty file is no settings", () => {
  assert.deepEqual(parseConfig("", "m.toml"), { path: "m.toml", scanArgs: [], severity: {}, ignores: [] });
});

Deno.test("bad config files: each error names the file and the key path", () => {
  const cases: [string, string][] = [
    ["scan = [", "m.toml: not valid TOML: "],
    [
      "verbose = true",
      "m.toml: $.verbose: unknown key (expected one of: scan, limits, callables, rules, ignore)",
    ],
    ["[scan]\nmax_depth = 3", "m.toml: $.scan.max_depth: unknown key"],
    ['[scan]\nmax-depth = "3"', "m.toml: $.scan.max-depth: expected a number"],
    ['[scan]\nblacklist = "x"', "m.toml: $.scan.blacklist: expected an array of strings"],
    ['[scan]\nweights = "full"', 'm.toml: $.scan.weights: expected "on", "off" or "auto"'],
    ["[scan]\nweights = true", "m.toml: $.scan.weights: expected a non-empty string"],
    ['[scan]\nblacklist = [""]', "m.toml: $.scan.blacklist[0]: expected a non-empty string"],
    ["scan = 3", "m.toml: $.scan: expected a table"],
    ['[callables]\ntrust = ["a"]', "m.toml: $.callables.trust: unknown key (expected one of: deny, allow)"],
    [
      '[rules]\nselect = ["MA9"]',
      'm.toml: $.rules.select[0]: "MA9" is no rule id or id prefix of the catalog',
    ],
    ['[rules]\nignore = "MA1"', "m.toml: $.rules.ignore: expected an array of rule ids"],
    [
      '[rules.severity]\nMA999 = "info"',
      'm.toml: $.rules.severity.MA999: "MA999" is no rule id of the catalog',
    ],
    [
      '[rules.severity]\nMA102 = "high"',
      "m.toml: $.rules.severity.MA102: expected one of critical, warning, info",
    ],
    ['ignore = { rule = "MA1" }', "m.toml: $.ignore: expected an array of tables ([[ignore]])"],
    ['[[ignore]]\nreason = "r"', "m.toml: $.ignore[0].rule: missing: the rule id or prefix it ignores"],
    ['[[ignore]]\nrule = "MA1"', "m.toml: $.ignore[0].reason: missing: say why the findings are accepted"],
    ['[[ignore]]\nrule = "MA1"\nreason = ""', "m.toml: $.ignore[0].reason: expected a non-empty string"],
    [
      '[[ignore]]\nrule = "MA1"\nreason = "r"\nexpires = "soon"',
      "m.toml: $.ignore[0].expires: expected a date",
    ],
    [
      '[[ignore]]\nrule = "MA1"\nreason = "r"\nexpires = 2027-01-01T10:00:00Z',
      "m.toml: $.ignore[0].expires: expected a date",
    ],
    ['[[ignore]]\nrule = "MA1"\nreason = "r"\nuntil = 2027-01-01', "m.toml: $.ignore[0].until: unknown key"],
  ];
  for (const [text, message] of cases) {
    assert.throws(() => parseConfig(text, "m.toml"), (error: unknown) => {
      assert.ok(error instanceof ConfigError, text);
      assert.ok(error.message.startsWith(message), `${text}\n=> ${error.message}`);
      return true;
    });
  }
});

Deno.test('weights = "off" and "auto" stand for --no-weights and the default restored', () => {
  const args = (value: string) => parseConfig(`[scan]\nweights = "${value}"`, "m.toml").scanArgs[0].args;
  assert.deepEqual(args("off"), ["--no-weights"]);
  assert.deepEqual(args("auto"), ["--limit", "weights.enabled=1"]);
});
