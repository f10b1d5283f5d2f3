// Every JSDoc example of the sources, run as a test: the same examples `deno test --doc` runs (and
// `deno task test:doc` still runs that way), here in one test module, where the modules they share
// load once. One module per example cost 600 module start-ups, about half the suite's time.
// `deno task check` type-checks the examples (`deno check --doc`); here they only run.
import { extractExamples } from "../scripts/doc_examples.ts";

/** Where the examples are: the sources, the scripts and the tests' own helpers. */
const SOURCES = [
  "main.ts",
  "mod.ts",
  "cli",
  "core",
  "engine",
  "scanners",
  "policy",
  "report",
  "scripts",
  "tests",
];

const root = new URL("../", import.meta.url);

async function* typeScriptFiles(path: string): AsyncGenerator<string> {
  const info = await Deno.stat(new URL(path, root));
  if (info.isFile) {
    if (path.endsWith(".ts")) yield path;
    return;
  }
  const names: string[] = [];
  for await (const entry of Deno.readDir(new URL(path, root))) names.push(entry.name);
  for (const name of names.sort()) yield* typeScriptFiles(`${path}/${name}`);
}

for (const source of SOURCES) {
  for await (const file of typeScriptFiles(source)) {
    const url = new URL(file, root);
    for (const example of extractExamples(await Deno.readTextFile(url), file, url)) {
      Deno.test(`${file}#${example.firstLine}-${example.lastLine}`, async () => {
        await import(`data:application/typescript,${encodeURIComponent(example.code)}`);
      });
    }
  }
}
