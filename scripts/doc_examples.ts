/**
 * The JSDoc examples of the sources, extracted as `deno test --doc` extracts them (every fenced
 * TypeScript or JavaScript block of a `/** ... *\/` comment, unless marked `ignore`) and made
 * importable from anywhere: `tests/doc_examples_test.ts` runs them all in one test module, where
 * the modules they share load once instead of once per example.
 *
 * @module
 */

import { LineIndex } from "../scanners/strings/line_index.ts";

/** Fence languages `deno test --doc` runs; a block without a language counts as TypeScript. */
const RUNNABLE_LANGUAGES = new Set(["", "ts", "typescript", "js", "javascript", "tsx", "jsx"]);

/** A JSDoc comment, from its opening to its closing delimiter. */
const JSDOC_COMMENT = /\/\*\*[\s\S]*?\*\//g;

/** A fenced code block inside a comment's text: language, attributes, code. */
const FENCED_BLOCK = /^```(\w*)([^\n]*)\n([\s\S]*?)^```/gm;

/** A relative module specifier in a static import or export, or a dynamic `import()`. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.\.?\/[^"']*)\2/g;

/**
 * One runnable example: where it is and its code, made independent of its source's location.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import type { DocExample } from "./doc_examples.ts";
 * const example: DocExample = { file: "core/a.ts", firstLine: 3, lastLine: 6, code: "export {};" };
 * assert.equal(example.firstLine < example.lastLine, true);
 * ```
 */
export interface DocExample {
  /** The source file, as given. */
  file: string;
  /** Lines of the code block's opening and closing fences in the source, from 1. */
  firstLine: number;
  lastLine: number;
  /**
   * The example's code, its relative specifiers and `import.meta.url` replaced by absolute file URLs
   * of the source's directory, so it runs the same from any module URL.
   */
  code: string;
}

/**
 * The runnable examples of one source file's text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { extractExamples } from "./doc_examples.ts";
 * const [specifier, fence] = ["./answer.ts", "`".repeat(3)];
 * const source = [
 *   "/**",
 *   " * @example",
 *   ` * ${fence}ts`,
 *   ` * import { answer } from "${specifier}";`,
 *   ` * ${fence}`,
 *   ` * ${fence}ts ignore`,
 *   " * notRun();",
 *   ` * ${fence}`,
 *   " *" + "/",
 *   "export const answer = 42;",
 * ].join("\n");
 * const [example, ...rest] = extractExamples(source, "core/answer.ts", new URL("file:///repo/core/answer.ts"));
 * assert.deepEqual(rest, []);
 * assert.deepEqual([example.firstLine, example.lastLine], [3, 5]);
 * assert.equal(example.code.trim(), 'import { answer } from "file:///repo/core/answer.ts";');
 * ```
 */
export function extractExamples(text: string, file: string, url: URL): DocExample[] {
  const examples: DocExample[] = [];
  const lines = new LineIndex(text);
  for (const comment of text.matchAll(JSDOC_COMMENT)) {
    const commentLine = lines.place(comment.index).line;
    const body = comment[0].split("\n").map((line) => line.replace(/^\s*\*? ?/, "")).join("\n");
    const bodyLines = new LineIndex(body);
    for (const block of body.matchAll(FENCED_BLOCK)) {
      const [, language, attributes, code] = block;
      if (!RUNNABLE_LANGUAGES.has(language) || /\bignore\b/.test(attributes)) continue;
      const firstLine = commentLine + bodyLines.place(block.index).line - 1;
      examples.push({
        file,
        firstLine,
        lastLine: firstLine + code.split("\n").length,
        code: absolutize(code, url),
      });
    }
  }
  return examples;
}

/** `code` with its relative specifiers and `import.meta.url` resolved against `url`. */
function absolutize(code: string, url: URL): string {
  return code
    .replace(
      RELATIVE_SPECIFIER,
      (_, lead, quote, specifier) => `${lead}${quote}${new URL(specifier, url)}${quote}`,
    )
    .replaceAll("import.meta.url", JSON.stringify(url.href));
}
