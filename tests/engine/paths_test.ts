import assert from "node:assert/strict";
import { dirname, join, resolve, sep } from "node:path";
import { dirnamePath, joinPath, resolvePath, SEPARATOR } from "../../engine/paths.ts";

const PIECES = ["/", "//", ".", "..", "a", "bc", "./", "../", "a/", "/b", ""];

/** Paths and path lists from a fixed sequence: the same on every run. */
function* randomPaths(count: number): Generator<string[]> {
  let seed = 4242;
  const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let round = 0; round < count; round++) {
    yield Array.from(
      { length: random(4) },
      () => Array.from({ length: 1 + random(4) }, () => PIECES[random(PIECES.length)]).join(""),
    );
  }
}

Deno.test("the separator is Node's", () => {
  assert.equal(SEPARATOR, sep);
});

Deno.test("joinPath joins and normalizes as Node's path.join", () => {
  const cases = [
    [],
    [""],
    ["./models/", "a.pkl"],
    ["models", "..", "..", "x"],
    ["/", "..", "a"],
    ["a/", ""],
    ["."],
  ];
  for (const parts of cases) assert.equal(joinPath(...parts), join(...parts), JSON.stringify(parts));
  for (const parts of randomPaths(3000)) {
    assert.equal(joinPath(...parts), join(...parts), JSON.stringify(parts));
  }
});

Deno.test("dirnamePath is Node's path.dirname", () => {
  const cases = ["", "/", "//", "//a", "a", "a/", "a//b", "/a/b/", "./m.pkl", "/models/a.pkl", "..", "../x"];
  for (const path of cases) assert.equal(dirnamePath(path), dirname(path), JSON.stringify(path));
  for (const [path = ""] of randomPaths(3000)) {
    assert.equal(dirnamePath(path), dirname(path), JSON.stringify(path));
  }
});

Deno.test("resolvePath is Node's path.resolve of one path", () => {
  const cases = ["", ".", "a", "a/", "/", "//", "/a/../b/", "../..", "./m.pkl", "/models/./a.pkl"];
  for (const path of cases) assert.equal(resolvePath(path), resolve(path), JSON.stringify(path));
  for (const [path = ""] of randomPaths(3000)) {
    assert.equal(resolvePath(path), resolve(path), JSON.stringify(path));
  }
});
