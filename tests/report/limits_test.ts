import assert from "node:assert/strict";
import { LIMIT_INFO } from "../../engine/limits.ts";
import { formatLimitValue, renderLimitList } from "../../report/limits.ts";

Deno.test("formatLimitValue: digits grouped; whole binary units beside byte sizes only", () => {
  assert.equal(formatLimitValue("pickle.maxOpcodes", 50_000_000), "50,000,000");
  assert.equal(formatLimitValue("pickle.maxExpandedSize", 2 ** 30), "1,073,741,824");
  assert.equal(formatLimitValue("engine.maxDecompressedBytes", 8 * 2 ** 30), "8,589,934,592 (8 GiB)");
  assert.equal(formatLimitValue("tar.maxNameBytes", 32 * 1024), "32,768 (32 KiB)");
  assert.equal(formatLimitValue("zip.maxDirectoryBytes", 1000), "1,000");
  assert.equal(formatLimitValue("zip.maxDirectoryBytes", 0), "0");
});

Deno.test("renderLimitList: one aligned line per limit, in order", () => {
  const text = renderLimitList([
    { name: "engine.maxDepth", default: 8, summary: "Nesting" },
    { name: "lzma.maxDecodedBytes", default: 256 * 2 ** 20, summary: "Decoded" },
  ]);
  assert.equal(
    text,
    "engine.maxDepth                           8  Nesting\n" +
      "lzma.maxDecodedBytes  268,435,456 (256 MiB)  Decoded\n",
  );
  assert.equal(renderLimitList(LIMIT_INFO).split("\n").length, LIMIT_INFO.length + 1);
});
