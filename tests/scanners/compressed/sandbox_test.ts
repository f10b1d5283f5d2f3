// Every compressed and NumPy fixture scanned through the real worker pool, whose workers may read
// the fixtures and nothing else: the decoders (pako, seek-bzip, xz-decompress's WebAssembly,
// lzma-purejs) load and run there, and the findings are exactly the manifests'.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { scan } from "../../../engine/scan.ts";
import { renderLocation } from "../../../report/location.ts";

interface Manifest {
  fixtures: {
    file: string;
    format: string;
    findings: { rule: string; severity: string; path: string; position?: number }[];
  }[];
}

for (const area of ["compressed", "numpy"]) {
  Deno.test(`sandboxed scan of the ${area} fixtures gives the manifest's findings`, async () => {
    const root = fileURLToPath(new URL(`../../../fixtures/${area}`, import.meta.url));
    const manifest: Manifest = JSON.parse(await Deno.readTextFile(`${root}/expected.json`));
    const result = await scan([root], { sandbox: true });
    const byFile = new Map(result.files.map((file) => [file.path.slice(root.length + 1), file]));
    for (const fixture of manifest.fixtures) {
      const scanned = byFile.get(fixture.file);
      assert.ok(scanned, fixture.file);
      assert.equal(scanned.status, "scanned", `${fixture.file}: ${scanned.reason}`);
      assert.equal(scanned.format, fixture.format, fixture.file);
      const actual = scanned.findings.map((f) =>
        `${f.rule} ${f.severity} ${renderLocation(f.location).slice(root.length + 1)}`
      );
      const expected = fixture.findings.map((f) =>
        `${f.rule} ${f.severity} ${fixture.file}${f.path ? `:${f.path}` : ""}${
          f.position === undefined ? "" : ` (pos ${f.position})`
        }`
      );
      assert.deepEqual(actual.sort(), expected.sort(), fixture.file);
    }
  });
}
