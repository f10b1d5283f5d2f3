import assert from "node:assert/strict";
import { join } from "node:path";
import type { ScanResult } from "../../core/types.ts";
import { scanWith } from "../../engine/scan.ts";
import { referenceProblem, Siblings } from "../../engine/siblings.ts";
import { TOY_REGISTRY } from "./_toy_formats.ts";
import { renderLocation } from "../../report/location.ts";
import { tempDir } from "../_cli_helpers.ts";

const encode = (text: string) => new TextEncoder().encode(text);
/** `os.system("echo modelaudit")` as a protocol-0 pickle: GLOBAL at 0, REDUCE at 40. */
const MALICIOUS = encode("cos\nsystem\n(S'echo modelaudit-fixture'\ntR.");
const TOY_WORKER = new URL("./_toy_worker.ts", import.meta.url);

/**
 * `<tmp>/root/bundle`: a toy bundle whose manifest names a pickle inside the folder and
 * four references that must never be read: `..` to a pickle outside the root, an absolute
 * path to it, a link leading out to it, and a missing file. The outside pickle is
 * malicious: read by mistake, it would show its MA100/MA101.
 */
async function bundle(): Promise<{ root: string; secret: string }> {
  const tmp = await tempDir("modelaudit_directory_");
  const root = join(tmp, "root");
  const dir = join(root, "bundle");
  await Deno.mkdir(join(tmp, "outside"), { recursive: true });
  await Deno.mkdir(dir, { recursive: true });
  const secret = join(tmp, "outside", "secret.pkl");
  await Deno.writeFile(secret, MALICIOUS);
  await Deno.writeFile(join(dir, "weights.bin"), MALICIOUS);
  // Raw data by the plan: a loader never parses it, so it is never read here either.
  await Deno.writeFile(join(dir, "tensors.raw"), MALICIOUS);
  await Deno.symlink(secret, join(dir, "link-out"));
  const manifest = {
    pickles: ["weights.bin"],
    raw: ["tensors.raw"],
    open: ["weights.bin", "../outside/secret.pkl", secret, "link-out", "missing.pkl"],
  };
  await Deno.writeTextFile(join(dir, "toy.json"), JSON.stringify(manifest));
  return { root, secret };
}

function summary(result: ScanResult, root: string) {
  const short = (location: string) => location.replaceAll(root + "/", "");
  return {
    files: result.files.map((file) => ({
      path: short(file.path),
      status: file.status,
      format: file.format,
      reason: file.status === "scanned" ? undefined : file.reason,
      findings: file.findings.map((f) =>
        `${f.rule} ${f.severity} ${short(renderLocation(f.location))} ${f.details.reference ?? ""}`.trim()
      ),
    })),
    scan: result.findings.map((f) => `${f.rule} ${short(renderLocation(f.location))}`),
    scanners: result.scannerNames,
  };
}

for (const sandbox of [true, false]) {
  Deno.test(`a toy bundle is one unit (sandbox ${sandbox}): planned reads, siblings inside only, escapes refused`, async () => {
    const { root, secret } = await bundle();
    const result = await scanWith([root], { sandbox }, { registry: TOY_REGISTRY, workerUrl: TOY_WORKER });
    assert.deepEqual(summary(result, root), {
      files: [
        // Planned as raw data: listed, never read.
        { path: "bundle/tensors.raw", status: "skipped", format: null, reason: "raw toy data", findings: [] },
        {
          path: "bundle/toy.json",
          status: "scanned",
          format: "toy-manifest",
          reason: undefined,
          findings: [
            // The sibling inside the folder was read through the sandbox and scanned.
            "MA100 critical bundle/toy.json:weights.bin (pos 0)",
            "MA101 critical bundle/toy.json:weights.bin (pos 40)",
            "MA010 critical bundle/toy.json ../outside/secret.pkl",
            `MA010 critical bundle/toy.json ${secret}`,
            "MA010 critical bundle/toy.json link-out",
          ],
        },
        {
          path: "bundle/weights.bin",
          status: "scanned",
          format: "pickle",
          reason: undefined,
          findings: [
            "MA100 critical bundle/weights.bin (pos 0)",
            "MA101 critical bundle/weights.bin (pos 40)",
          ],
        },
      ],
      scan: ["MA002 bundle/link-out"],
      scanners: ["toy-manifest", "pickle", "toy-bundle"],
    });
    const toyJson = result.files.find((file) => file.path.endsWith("toy.json"))!;
    // Nothing of the secret was read: no finding names it but the refusals.
    assert.ok(
      toyJson.findings.every((f) => f.rule === "MA010" || renderLocation(f.location).includes("weights.bin")),
    );
    assert.deepEqual(
      toyJson.findings.filter((f) => f.rule === "MA010").map((f) => f.details.reason),
      [
        "it climbs out of the folder with `..`",
        "it is an absolute path",
        `it is a symbolic link to ${await Deno.realPath(secret)}, outside the scanned root`,
      ],
    );
  });
}

Deno.test("a folder no directory format recognises is scanned file by file, as before", async () => {
  const { root } = await bundle();
  await Deno.remove(join(root, "bundle", "toy.json"));
  const result = await scanWith([root], { sandbox: false }, { registry: TOY_REGISTRY });
  assert.deepEqual(result.files.map((f) => [f.path.replace(root + "/", ""), f.status, f.format]), [
    ["bundle/tensors.raw", "scanned", "pickle"],
    ["bundle/weights.bin", "scanned", "pickle"],
  ]);
  assert.deepEqual(result.scannerNames, ["pickle"]);
});

Deno.test("sibling references: absolute paths, drive letters and `..` are refused before any lookup", () => {
  assert.equal(referenceProblem("weights/model.bin"), undefined);
  assert.equal(referenceProblem("./model.onnx.data"), undefined);
  assert.equal(referenceProblem("../secret"), "it climbs out of the folder with `..`");
  // Even a `..` that climbs back in: loaders differ on how they normalise it.
  assert.equal(referenceProblem("a/../b"), "it climbs out of the folder with `..`");
  assert.equal(referenceProblem("a\\..\\..\\b"), "it climbs out of the folder with `..`");
  assert.equal(referenceProblem("/etc/passwd"), "it is an absolute path");
  assert.equal(referenceProblem("\\\\server\\share"), "it is an absolute path");
  assert.equal(referenceProblem("C:\\Windows\\x"), "it starts with a drive letter");
  assert.equal(referenceProblem("a\0b"), "it contains a NUL character");
  assert.equal(referenceProblem(""), "it is empty");
});

Deno.test("a file named on its own has no readable siblings, and that is no escape", async () => {
  const { root } = await bundle();
  const file = join(root, "bundle", "toy.json");
  using siblings = new Siblings({ directory: join(root, "bundle"), displayDirectory: "bundle", root: file });
  assert.deepEqual(await siblings.open("weights.bin"), {
    ok: false,
    escape: false,
    reason: "it is outside the scanned paths (scan its folder)",
  });
  using inRoot = new Siblings({ directory: join(root, "bundle"), displayDirectory: "bundle", root });
  const opened = await inRoot.open("weights.bin");
  assert.ok(opened.ok && opened.path === "bundle/weights.bin" && opened.source.size === MALICIOUS.length);
  assert.deepEqual(await inRoot.open("missing.pkl"), { ok: false, escape: false, reason: "no such file" });
});

Deno.test("a plan that fails leaves no file unscanned: each is scanned by content and reported as an error", async () => {
  const { root } = await bundle();
  await Deno.writeTextFile(join(root, "bundle", "toy.json"), "{ not json");
  const result = await scanWith([root], { sandbox: false }, { registry: TOY_REGISTRY });
  const weights = result.files.find((f) => f.path.endsWith("weights.bin"))!;
  assert.equal(weights.status, "error");
  assert.match(weights.reason!, /^the toy-bundle folder's plan failed: /);
  // Scanned by content all the same: a pickle, with its findings.
  assert.deepEqual(weights.findings.map((f) => f.rule), ["MA100", "MA101"]);
  const raw = result.files.find((f) => f.path.endsWith("tensors.raw"))!;
  assert.deepEqual([raw.status, raw.findings.map((f) => f.rule)], ["error", ["MA100", "MA101"]]);
});

Deno.test("a unit's files are judged by the scan's policy of Python callables, in the worker too", async () => {
  const tmp = await tempDir("modelaudit_directory_");
  const dir = join(tmp, "root", "bundle");
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeFile(join(dir, "weights.bin"), encode("cmycorp.tools\nrun\n(tR."));
  await Deno.writeTextFile(
    join(dir, "toy.json"),
    JSON.stringify({ pickles: ["weights.bin"], raw: [], open: [] }),
  );
  const root = join(tmp, "root");
  const rules = (result: ScanResult) =>
    result.files.filter((file) => file.path.endsWith("weights.bin")).flatMap((file) =>
      file.findings.map((f) => `${f.rule} ${f.severity}`)
    );
  for (const sandbox of [true, false]) {
    const options = { registry: TOY_REGISTRY, workerUrl: TOY_WORKER };
    const plain = await scanWith([root], { sandbox }, options);
    assert.deepEqual(rules(plain), ["MA102 warning", "MA103 warning"]);
    const denied = await scanWith([root], { sandbox, extraDenied: ["mycorp.tools"] }, options);
    assert.deepEqual(rules(denied), ["MA100 critical", "MA101 critical"]);
    const allowed = await scanWith([root], { sandbox, extraAllowed: ["mycorp.*"] }, options);
    assert.deepEqual(rules(allowed), []);
  }
});

Deno.test("engine.maxPlanReadBytes: a plan may read a file of that size, not one byte more", async () => {
  const { root } = await bundle();
  const manifest = await Deno.stat(join(root, "bundle", "toy.json"));
  const scanAt = (maxPlanReadBytes: number) =>
    scanWith([root], { sandbox: false, limits: { maxPlanReadBytes } }, { registry: TOY_REGISTRY });
  const fits = (await scanAt(manifest.size)).files.find((f) => f.path.endsWith("tensors.raw"))!;
  assert.deepEqual([fits.status, fits.findings], ["skipped", []]);
  const over = (await scanAt(manifest.size - 1)).files.find((f) => f.path.endsWith("tensors.raw"))!;
  assert.equal(over.status, "error");
  assert.equal(
    over.reason,
    `the toy-bundle folder's plan failed: ${
      join(root, "bundle", "toy.json")
    } is too large (${manifest.size} bytes) to be read whole for a plan`,
  );
});
