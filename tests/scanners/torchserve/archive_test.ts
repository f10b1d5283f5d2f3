// TorchServe .mar archives: the fixtures (torch-model-archiver's layout, scripts/make_repo_fixtures.py)
// are checked by tests/fixtures_test.ts; here, manifests assembled member by member.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";
import { renderLocation } from "../../../report/location.ts";
import { buildZip } from "../zip/_zip.ts";

const text = (value: string) => new TextEncoder().encode(value);
const manifest = (model: unknown) => ({
  name: "MAR-INF/MANIFEST.json",
  data: text(JSON.stringify({ runtime: "python", model })),
});

async function findings(members: { name: string; data: Uint8Array }[]): Promise<string[]> {
  const outcome = await scanBytes(await buildZip(members), "model.mar");
  assert.equal(outcome.format, "torchserve-mar");
  return outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);
}

Deno.test("torchserve: a built-in handler with its files present is clean", async () => {
  assert.deepEqual(await findings([manifest({ handler: "text_classifier" })]), []);
});

Deno.test("torchserve: a handler named module:function is the module's file", async () => {
  assert.deepEqual(
    await findings([manifest({ handler: "my_handler:handle" }), {
      name: "my_handler.py",
      data: text("def handle(d, c):\n    return d\n"),
    }]),
    ["MA636 warning model.mar:my_handler.py"],
  );
});

Deno.test("torchserve: a manifest without a handler, not JSON, or naming files the archive lacks is MA637", async () => {
  const at = "MA637 warning model.mar:MAR-INF/MANIFEST.json";
  assert.deepEqual(await findings([manifest({ serializedFile: "model.pt" })]), [at]);
  // The JSON scanner reads the manifest too, and says where it breaks.
  assert.deepEqual(await findings([{ name: "MAR-INF/MANIFEST.json", data: text("{") }]), [
    at,
    "MA520 info model.mar:MAR-INF/MANIFEST.json (pos 1, line 1, col 2)",
  ]);
  assert.deepEqual(await findings([manifest({ handler: "gone.py", modelFile: "model.py" })]), [at, at]);
});
