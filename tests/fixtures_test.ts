// Every committed fixture against the manifest its generator wrote while
// assembling it (fixtures/<area>/expected.json, written by the script its
// `generator` names): the exact multiset of findings, with rule, severity,
// location and the details it names. Benign files made by the real libraries
// must stay clean.
import assert from "node:assert/strict";
import { isDeepStrictEqual } from "node:util";
import { scanBytes } from "../engine/dispatch.ts";
import { renderLocation } from "../report/location.ts";
import { DEFAULT_PICKLE_OPTIONS } from "../scanners/option_catalog.ts";

interface ExpectedFinding {
  rule: string;
  severity: string;
  path: string;
  position?: number;
  line?: number;
  column?: number;
  /** Key path inside a structured document, e.g. `$.__metadata__.note`. */
  keyPath?: string;
  details?: Record<string, unknown>;
  positionByLimit?: { position: number; nodes: number }[];
}

interface Fixture {
  file: string;
  kind: "malicious" | "suspicious" | "benign";
  /** The format id the content must be detected as. */
  format: string;
  technique: string;
  findings: ExpectedFinding[];
}

interface Manifest {
  generator: string;
  fixtures: Fixture[];
}

const FIXTURES = new URL("../fixtures/", import.meta.url);
const areas: string[] = [];
for await (const entry of Deno.readDir(FIXTURES)) {
  if (entry.isDirectory) areas.push(entry.name);
}
areas.sort();

function expectedLocation(file: string, finding: ExpectedFinding): string {
  const position = finding.position ??
    finding.positionByLimit?.find((entry) => entry.nodes > DEFAULT_PICKLE_OPTIONS.maxExpandedSize)?.position;
  return renderLocation({
    file,
    members: finding.path ? [finding.path] : [],
    position,
    line: finding.line,
    column: finding.column,
    keyPath: finding.keyPath,
  });
}

const key = (rule: string, severity: string, location: string) => `${rule} ${severity} ${location}`;

Deno.test("every fixture area has a manifest with malicious fixtures and benign twins", async () => {
  assert.ok(areas.includes("pickle"));
  for (const area of areas) {
    const manifest: Manifest = JSON.parse(
      await Deno.readTextFile(new URL(`${area}/expected.json`, FIXTURES)),
    );
    const kinds = new Set(manifest.fixtures.map((f) => f.kind));
    assert.ok(kinds.has("malicious") && kinds.has("benign"), `${area}: ${[...kinds]}`);
  }
});

for (const area of areas) {
  const root = new URL(`${area}/`, FIXTURES);
  const manifest: Manifest = JSON.parse(await Deno.readTextFile(new URL("expected.json", root)));
  for (const fixture of manifest.fixtures) defineFixtureTest(area, root, fixture);
}

function defineFixtureTest(area: string, root: URL, fixture: Fixture): void {
  Deno.test(`${area} ${fixture.kind}: ${fixture.file} (${fixture.technique})`, async () => {
    const bytes = await Deno.readFile(new URL(fixture.file, root));
    const outcome = await scanBytes(bytes, fixture.file);
    assert.equal(outcome.error, undefined);
    assert.equal(outcome.format, fixture.format);
    const actual = outcome.findings.map((f) => key(f.rule, f.severity, renderLocation(f.location))).sort();
    const expected = fixture.findings.map((f) => key(f.rule, f.severity, expectedLocation(fixture.file, f)))
      .sort();
    assert.deepEqual(actual, expected);
    for (const want of fixture.findings.filter((f) => f.details)) {
      const location = expectedLocation(fixture.file, want);
      const matches = outcome.findings.filter((f) =>
        f.rule === want.rule && renderLocation(f.location) === location
      );
      const detailsMatch = matches.some((f) =>
        Object.entries(want.details!).every(([name, value]) =>
          Object.is(f.details[name], value) || isDeepStrictEqual(f.details[name], value)
        )
      );
      assert.ok(
        detailsMatch,
        `${want.rule} at ${location}: details ${JSON.stringify(matches.map((m) => m.details))} lack ${
          JSON.stringify(want.details)
        }`,
      );
    }
  });
}
