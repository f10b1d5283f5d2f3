import assert from "node:assert/strict";
import { join } from "node:path";
import { PRIORITY } from "../../core/detection.ts";
import type { DirectoryDescriptor } from "../../core/scanner.ts";
import { resolveNamedPaths } from "../../engine/named_paths.ts";
import { expandPaths } from "../../engine/walk.ts";
import { renderLocation } from "../../report/location.ts";
import { tempDir } from "../_cli_helpers.ts";

async function tree(): Promise<{ dir: string; outside: string }> {
  const dir = await Deno.makeTempDir();
  const root = join(dir, "models");
  await Deno.mkdir(join(root, "sub"), { recursive: true });
  await Deno.writeTextFile(join(root, "b.pkl"), "N.");
  await Deno.writeTextFile(join(root, "a.pkl"), "N.");
  await Deno.writeTextFile(join(root, "sub", "c.bin"), "N.");
  const outside = join(dir, "outside.pkl");
  await Deno.writeTextFile(outside, "N.");
  await Deno.symlink(outside, join(root, "escape.pkl"));
  await Deno.symlink(join(root, "a.pkl"), join(root, "inside-link.pkl"));
  await Deno.symlink(join(dir, "missing"), join(root, "dangling.pkl"));
  return { dir, outside };
}

Deno.test("directories are walked in name order; links are not followed; escaping links are reported", async () => {
  const { dir, outside } = await tree();
  try {
    const root = join(dir, "models");
    const result = await expandPaths([root]);
    assert.deepEqual(result.files.map((f) => f.path), [
      join(root, "a.pkl"),
      join(root, "b.pkl"),
      join(root, "sub", "c.bin"),
    ]);
    assert.deepEqual(result.files.map((f) => f.size), [2, 2, 2]);
    assert.deepEqual(result.roots, [await Deno.realPath(root)]);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.findings.map((f) => [f.rule, f.severity, renderLocation(f.location)]), [
      ["MA002", "warning", join(root, "escape.pkl")],
    ]);
    assert.equal(result.findings[0].details.target, await Deno.realPath(outside));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a named file is scanned as given; a missing path is a problem, not an exception", async () => {
  const { dir } = await tree();
  try {
    const file = join(dir, "models", "a.pkl");
    const result = await expandPaths([file, join(dir, "nope")]);
    assert.deepEqual(result.files.map((f) => f.path), [file]);
    assert.deepEqual(result.problems, [{ path: join(dir, "nope"), reason: "no such file or directory" }]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the named paths resolve to the sandbox's read roots before any folder is listed; the walk keeps them", async () => {
  const { dir } = await tree();
  const fifo = join(dir, "pipe");
  await new Deno.Command("mkfifo", { args: [fifo] }).output();
  try {
    const root = join(dir, "models");
    const file = join(root, "sub", "c.bin");
    const named = resolveNamedPaths([root, join(dir, "nope"), fifo, file]);
    assert.deepEqual(named.roots, [await Deno.realPath(root), await Deno.realPath(file)]);
    assert.deepEqual(named.targets.map((target) => [target.path, target.info.isDirectory]), [[root, true], [
      file,
      false,
    ]]);
    assert.deepEqual(named.problems, [
      { path: join(dir, "nope"), reason: "no such file or directory" },
      { path: fifo, reason: "not a regular file or directory" },
    ]);
    const walk = await expandPaths(named);
    assert.deepEqual(walk.roots, named.roots);
    assert.deepEqual(walk.problems, named.problems);
    assert.deepEqual(walk.files.map((f) => f.path), [join(root, "a.pkl"), join(root, "b.pkl"), file, file]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a symlink named on the command line is followed: the user chose it", async () => {
  const { dir, outside } = await tree();
  try {
    const link = join(dir, "models", "escape.pkl");
    const result = await expandPaths([link]);
    assert.deepEqual(result.files.map((f) => [f.path, f.realPath]), [[link, await Deno.realPath(outside)]]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("folders a directory format recognises become units; a file belongs to the innermost", async () => {
  const root = await tempDir("modelaudit_walk_");
  for (const dir of ["a/b", "a/variables", "c"]) await Deno.mkdir(join(root, dir), { recursive: true });
  for (const file of ["a/toy.json", "a/x.pkl", "a/b/toy.json", "a/b/y.pkl", "a/variables/v.idx", "c/z.pkl"]) {
    await Deno.writeTextFile(join(root, file), "");
  }
  const listings: string[][] = [];
  const toy: DirectoryDescriptor = {
    id: "toy-bundle",
    description: "a folder with toy.json",
    priority: PRIORITY.model,
    matches: (names) => {
      listings.push([...names]);
      return names.includes("toy.json");
    },
    load: () => Promise.reject(new Error("the walk never loads a directory scanner")),
  };
  const walk = await expandPaths([root], [toy]);
  const relative = (path: string) => path.slice(root.length + 1) || ".";
  assert.deepEqual(walk.units.map((unit) => [unit.format, relative(unit.path), unit.root]), [
    ["toy-bundle", "a", await Deno.realPath(root)],
    ["toy-bundle", "a/b", await Deno.realPath(root)],
  ]);
  assert.deepEqual(walk.files.map((file) => [relative(file.path), file.unit]), [
    ["a/b/toy.json", 1],
    ["a/b/y.pkl", 1],
    ["a/toy.json", 0],
    ["a/variables/v.idx", 0],
    ["a/x.pkl", 0],
    ["c/z.pkl", undefined],
  ]);
  // Formats see each folder's own entries, subfolders marked with a trailing slash.
  assert.deepEqual(listings[0], ["a/", "c/"]);
  assert.deepEqual(listings[1], ["b/", "toy.json", "variables/", "x.pkl"]);
});
