/**
 * The Python source scanner: a `.py` file is parsed and analysed by
 * `analyze.ts`; each dangerous call is a finding at its line and column,
 * critical when it runs at import time (MA600), a warning when it runs only
 * when its function is called (MA601), and file writes or interpreter internals
 * apart (MA602). A file that does not parse is MA603; one past the limits MA604.
 *
 * @module
 */

import type { ByteSource } from "../../core/byte_source.ts";
import type { RuleId } from "../../core/rules.ts";
import type { ScanContext, Scanner } from "../../core/scanner.ts";
import { scannerOptions } from "../options.ts";
import { checkString } from "../strings/checks.ts";
import { headIsText, utf8Text } from "../strings/utf8_text.ts";
import { analyzePythonSource, type PythonCall } from "./analyze.ts";

/**
 * Categories of callables that run something: a command, code, a native library, a download, a payload.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { EXECUTION } from "./scanner.ts";
 * assert.equal(EXECUTION.has("process"), true);
 * assert.equal(EXECUTION.has("file"), false); // a write is MA602, not a command
 * ```
 */
export const EXECUTION: ReadonlySet<string> = new Set([
  "process",
  "code",
  "import",
  "native",
  "network",
  "deserialization",
  "scanner",
  "configured",
]);

/**
 * Syntax errors per line past which a file counts as not parsing (MA603). `@lezer/python` lags CPython on a
 * few constructs (a bare `yield`, floats written `1.`, parenthesized context managers, PEP 614 decorator
 * expressions), each an error it recovers from with the rest of the tree intact: a real file has a handful in
 * hundreds of lines, a broken one (Python 2, a truncated file) many more.
 */
export const MAX_SYNTAX_ERRORS_PER_LINE = 0.05;

/**
 * Scans a `.py` file: every call of a dangerous callable, located by line and column.
 * Claimed when its content is UTF-8 text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { bytesSource } from "../../core/byte_source.ts";
 * import { recordingContext } from "../../core/recording_context.ts";
 * import { pythonScanner } from "./scanner.ts";
 * const bytes = new TextEncoder().encode("import os\nos.system('echo pwned')\n");
 * const { ctx, findings } = recordingContext("modeling_evil.py");
 * await pythonScanner.scan(bytesSource(bytes), ctx);
 * assert.deepEqual(findings.map((f) => [f.rule, f.line, f.column, f.details?.importTime]), [["MA600", 2, 1, true]]);
 * ```
 */
export const pythonScanner: Scanner = {
  confirm: headIsText,
  async scan(source: ByteSource, ctx: ScanContext) {
    const options = scannerOptions(ctx).python;
    if (source.size > options.maxSourceBytes) {
      ctx.report({
        rule: "MA604",
        message:
          `Python file of ${source.size} bytes is larger than ${options.maxSourceBytes} bytes: not analysed`,
        details: { size: source.size, limit: options.maxSourceBytes, option: "python.maxSourceBytes" },
      });
      return;
    }
    const text = utf8Text(await source.read(0, source.size));
    if (text === undefined) {
      ctx.report({
        rule: "MA603",
        message: "Python file is not UTF-8 text: not analysed",
        details: { encoding: "not UTF-8" },
      });
      return;
    }
    const analysis = analyzePythonSource(text, ctx.policy, options);
    const { lines } = analysis;
    if (analysis.syntaxErrors > lines * MAX_SYNTAX_ERRORS_PER_LINE) {
      ctx.report({
        rule: "MA603",
        message:
          `Python file does not parse (${analysis.syntaxErrors} syntax errors); analysed as far as the parser recovered`,
        ...analysis.firstSyntaxError,
        details: { syntaxErrors: analysis.syntaxErrors, lines },
      });
    }
    for (const call of analysis.calls) _reportCall(ctx, call);
    for (const { value, line, column } of analysis.strings) {
      await checkString(ctx, value, { what: `The Python string at line ${line}`, line, column });
    }
    if (analysis.omittedCalls > 0) {
      ctx.report({
        rule: "MA604",
        message: `${analysis.omittedCalls} more dangerous calls not listed (python.maxReportedCalls)`,
        details: {
          omitted: analysis.omittedCalls,
          limit: options.maxReportedCalls,
          option: "python.maxReportedCalls",
        },
      });
    }
    if (analysis.truncated) {
      ctx.report({
        rule: "MA604",
        message:
          `Python file has more than ${options.maxSyntaxNodes} syntax nodes: the rest of it was not analysed`,
        details: { limit: options.maxSyntaxNodes, option: "python.maxSyntaxNodes" },
      });
    }
  },
};

function _reportCall(ctx: ScanContext, call: PythonCall): void {
  const execution = EXECUTION.has(call.category);
  const rule: RuleId = !execution ? "MA602" : call.importTime ? "MA600" : "MA601";
  const when = call.importTime ? "when the module is imported" : "when its function is called";
  ctx.report({
    rule,
    message: `Python source ${
      call.passedTo === undefined ? "calls" : `hands ${call.passedTo}()`
    } ${call.callable} (${call.category}) ${when}: ${call.reason}`,
    line: call.line,
    column: call.column,
    ...(rule === "MA602" && !call.importTime ? { severity: "info" as const } : {}),
    details: {
      callable: call.callable,
      written: call.written,
      category: call.category,
      importTime: call.importTime,
      ...(call.passedTo === undefined ? {} : { passedTo: call.passedTo }),
      ...(call.verdict.entry ? { entry: call.verdict.entry } : {}),
    },
  });
}
