import assert from "node:assert/strict";
import { bytesSource } from "../../../core/byte_source.ts";
import { scanBytes } from "../../../engine/dispatch.ts";
import { Hdf5Reader } from "../../../scanners/hdf5/reader.ts";

const FIXTURES = new URL("../../../fixtures/keras/", import.meta.url);

Deno.test("a Keras 2 model's root attributes are read with a few small reads, never the datasets", async () => {
  const bytes = await Deno.readFile(new URL("benign/functional_keras2.h5", FIXTURES));
  const reader = await Hdf5Reader.open(bytesSource(bytes), 0);
  const messages = await reader.objectHeader(reader.superblock.root);
  const names = messages.filter((m) => m.type === 0x000c).map((m) => reader.attribute(m).name).sort();
  assert.deepEqual(names, ["backend", "keras_version", "model_config", "training_config"]);
  const version = messages.map((m) => m.type === 0x000c ? reader.attribute(m) : undefined)
    .find((a) => a?.name === "keras_version")!;
  assert.equal(version.kind, "fixed-string");
  assert.equal(await reader.attributeText(version), "2.15.0");
  assert.ok(reader.bytesRead < 4096, `${reader.bytesRead} bytes read`);
});

Deno.test("every truncation and every flipped byte of an HDF5 model gives findings, never a crash", async () => {
  const bytes = await Deno.readFile(new URL("malicious/lambda_os_system.h5", FIXTURES));
  for (let cut = 0; cut < bytes.length; cut += 97) {
    const outcome = await scanBytes(bytes.subarray(0, cut), "model.h5");
    assert.equal(outcome.error, undefined, `cut at ${cut}: ${outcome.error}`);
    if (cut >= 8) assert.ok(outcome.findings.some((f) => f.rule === "MA410"), `cut at ${cut}`);
  }
  for (let at = 8; at < 2048; at += 13) {
    const mutated = bytes.slice();
    mutated[at] ^= 0xff;
    const outcome = await scanBytes(mutated, "model.h5");
    assert.equal(outcome.error, undefined, `byte ${at}: ${outcome.error}`);
  }
});

Deno.test("bytes after the declared end of the HDF5 data are reported and scanned", async () => {
  const bytes = await Deno.readFile(new URL("benign/sequential_keras2.h5", FIXTURES));
  const payload = new TextEncoder().encode("cposix\nsystem\n(S'echo pwned'\ntR.");
  const outcome = await scanBytes(Uint8Array.from([...bytes, ...payload]), "model.h5");
  const rendered = outcome.findings.map((f) =>
    `${f.rule} ${f.location.members.join(":")} ${f.location.position}`
  );
  assert.deepEqual(rendered, [
    `MA412  ${bytes.length}`,
    `MA100 <after end@${bytes.length}> 0`,
    `MA101 <after end@${bytes.length}> ${payload.length - 2}`,
  ]);
});

Deno.test("flipped bytes in dense attribute storage (fractal heap, B-trees, indirect block) never crash a scan", async () => {
  const bytes = await Deno.readFile(new URL("malicious/dense_attributes_wide.h5", FIXTURES));
  for (let at = 0; at < bytes.length; at += 11) {
    const mutated = bytes.slice();
    mutated[at] ^= 0x5a;
    const outcome = await scanBytes(mutated, "model.h5");
    assert.equal(outcome.error, undefined, `byte ${at}: ${outcome.error}`);
  }
});
