// The ONNX external-data fixtures scanned as folders on disk, the way a user scans a model with its
// data: each folder's model.onnx names one location, and the finding it gets (or none) is exact. The
// same models scanned as bytes alone are in fixtures/onnx/expected.json.
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { scan } from "../../../engine/scan.ts";
import { renderLocation } from "../../../report/location.ts";

const EXTERNAL = fileURLToPath(new URL("../../../fixtures/onnx/external/", import.meta.url));
/** Where every model's first initializer (its only external tensor) is, in every fixture model. */
const AT = "pos 80, key graph.initializer[0].external_data";

async function findingsOf(folder: string): Promise<string[]> {
  const root = `${EXTERNAL}${folder}`;
  const result = await scan([root], { sandbox: false });
  const files = result.files.filter((file) => file.status === "error");
  assert.deepEqual(files.map((file) => file.reason), []);
  return [...result.findings, ...result.files.flatMap((file) => file.findings)]
    .map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location).slice(root.length + 1)}`);
}

const CASES: [string, string[]][] = [
  ["saved", []],
  ["traversal", [`MA010 critical model.onnx (${AT})`]],
  ["absolute", [`MA010 critical model.onnx (${AT})`]],
  ["drive", [`MA010 critical model.onnx (${AT})`]],
  ["file_url", [`MA463 critical model.onnx (${AT})`]],
  ["http_url", [`MA463 critical model.onnx (${AT})`]],
  // The link is not listed (links are not followed), so the file behind it is routed by content.
  ["symlink", [`MA463 critical model.onnx (${AT})`, "MA007 info real.bin"]],
  ["symlink_out", [`MA002 warning weights.bin`, `MA010 critical model.onnx (${AT})`]],
  ["missing", [`MA464 warning model.onnx (${AT})`]],
  ["short", [`MA464 warning model.onnx (${AT})`]],
  // A file another loader reads as a pickle is scanned as one, even when a model names it as its data.
  ["pickle_as_data", [
    "MA100 critical pytorch_model.bin (pos 2)",
    "MA101 critical pytorch_model.bin (pos 29)",
  ]],
  ["negative_length", [`MA464 warning model.onnx (${AT})`]],
  ["huge_offset", [`MA464 warning model.onnx (${AT})`]],
];

for (const [folder, expected] of CASES) {
  Deno.test(`onnx external data on disk: ${folder}`, async () => {
    assert.deepEqual((await findingsOf(folder)).sort(), expected.sort());
  });
}

Deno.test("onnx external data: a model scanned alone cannot check its data file, and says so", async () => {
  const root = `${EXTERNAL}saved/model.onnx`;
  const result = await scan([root], { sandbox: false });
  assert.deepEqual(result.files[0].findings.map((f) => `${f.rule} ${f.severity}`), ["MA467 info"]);
});
