import assert from "node:assert/strict";
import { join } from "node:path";
import { bytesSource, readAll } from "../../core/byte_source.ts";
import { PRIORITY } from "../../core/detection.ts";
import type { ScannerDescriptor, SiblingResult } from "../../core/scanner.ts";
import { scanSource } from "../../engine/dispatch.ts";
import { fileScope, Siblings } from "../../engine/siblings.ts";
import { byPriority, REGISTRY, type Registry } from "../../scanners/registry.ts";
import { renderLocation } from "../../report/location.ts";
import { tempDir } from "../_cli_helpers.ts";

const encode = (text: string) => new TextEncoder().encode(text);
const MALICIOUS = encode("cos\nsystem\n(S'echo modelaudit-fixture'\ntR.");

/**
 * A registry with one toy format: `SIB:` and sibling names, one a line. Its scanner
 * opens each (recording what it got) and scans what it may read; the first line `nest`
 * makes it scan itself again as a payload, whose siblings must be refused.
 */
function siblingRegistry(seen: { depth: number; reference: string; result: string }[]): Registry {
  const descriptor: ScannerDescriptor = {
    id: "toy-sib",
    description: "SIB: and sibling names",
    extensions: [".sib"],
    priority: PRIORITY.model,
    detect: (head) => head[0] === 0x53 && head[1] === 0x49 && head[2] === 0x42 && head[3] === 0x3a,
    load: () =>
      Promise.resolve({
        async scan(source, ctx) {
          const [, ...lines] = new TextDecoder().decode(await readAll(source)).split("\n");
          for (const reference of lines.filter((line) => line !== "")) {
            if (reference === "nest") {
              if (ctx.depth === 0) await ctx.scanNested(source, "again");
              continue;
            }
            const result: SiblingResult = await ctx.openSibling(reference);
            seen.push({ depth: ctx.depth, reference, result: result.ok ? result.path : result.reason });
            if (result.ok) await ctx.scanNested(result.source, reference);
          }
        },
      }),
  };
  return { ...REGISTRY, scanners: byPriority([...REGISTRY.scanners, descriptor]) };
}

Deno.test("a file on disk opens siblings beside it, through the engine, and payloads have none but escapes", async () => {
  const root = await tempDir("modelaudit_siblings_");
  await Deno.mkdir(join(root, "models", "data"), { recursive: true });
  await Deno.writeFile(join(root, "models", "data", "weights.pkl"), MALICIOUS);
  const file = join(root, "models", "m.sib");
  const content = encode("SIB:\nnest\ndata/weights.pkl\n../models/data/weights.pkl\n");
  await Deno.writeFile(file, content);
  const seen: { depth: number; reference: string; result: string }[] = [];
  using siblings = new Siblings(fileScope(file, "models/m.sib", root));
  const outcome = await scanSource(bytesSource(content), "models/m.sib", {
    registry: siblingRegistry(seen),
    siblings,
  });
  assert.deepEqual(seen, [
    { depth: 1, reference: "data/weights.pkl", result: "only a file on disk has siblings" },
    // A payload opens nothing, but a reference that can never name a sibling is an escape wherever it is.
    { depth: 1, reference: "../models/data/weights.pkl", result: "it climbs out of the folder with `..`" },
    { depth: 0, reference: "data/weights.pkl", result: "models/data/weights.pkl" },
    { depth: 0, reference: "../models/data/weights.pkl", result: "it climbs out of the folder with `..`" },
  ]);
  assert.deepEqual(outcome.findings.map((f) => `${f.rule} ${renderLocation(f.location)}`), [
    "MA010 models/m.sib:again",
    "MA100 models/m.sib:data/weights.pkl (pos 0)",
    "MA101 models/m.sib:data/weights.pkl (pos 40)",
    // Refused even though it leads back inside: `..` is refused as written, and said so.
    "MA010 models/m.sib",
  ]);
  assert.deepEqual(outcome.findings[3].details, {
    reference: "../models/data/weights.pkl",
    reason: "it climbs out of the folder with `..`",
  });
});

Deno.test("a symbolic link to a folder outside the root is refused for every file below it", async () => {
  const tmp = await tempDir("modelaudit_siblings_");
  const root = join(tmp, "root");
  await Deno.mkdir(join(tmp, "secrets"));
  await Deno.mkdir(root);
  await Deno.writeFile(join(tmp, "secrets", "key.pkl"), MALICIOUS);
  await Deno.symlink(join(tmp, "secrets"), join(root, "data"));
  using siblings = new Siblings({ directory: root, displayDirectory: "root", root });
  const result = await siblings.open("data/key.pkl");
  assert.equal(result.ok, false);
  assert.ok(
    !result.ok && result.escape &&
      /symbolic link to .*secrets\/key\.pkl, outside the scanned root$/.test(result.reason),
  );
});
