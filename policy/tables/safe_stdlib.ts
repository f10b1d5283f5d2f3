/**
 * Known-safe callables of the Python standard library: builtin constructors, containers,
 * records, pickle's own reconstruction helpers, regex flags and inert path values.
 *
 * @module
 */

import type { SafeTable } from "./safe.ts";

/**
 * Standard library names that only rebuild data. Each group says why it is inert: calling it with
 * any arguments builds a value and runs no code beyond the constructors of classes the pickle must
 * import (and so name) separately.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { SAFE_STDLIB } from "./safe_stdlib.ts";
 * assert.equal(SAFE_STDLIB.library, "stdlib");
 * assert.ok(SAFE_STDLIB.exact?.includes("collections.OrderedDict"));
 * ```
 */
export const SAFE_STDLIB: SafeTable = {
  library: "stdlib",
  exact: [
    // Builtin constructors: values only. (Huge sizes such as bytes(10**12) are a memory risk, not code execution.)
    ...[
      "set",
      "frozenset",
      "complex",
      "slice",
      "range",
      "bytearray",
      "bytes",
      "object",
      "int",
      "float",
      "str",
      "list",
      "dict",
      "tuple",
      "bool",
      "Ellipsis",
      "NotImplemented",
    ].map((n) => `builtins.${n}`),
    // Containers and plain records.
    "collections.OrderedDict",
    "collections.defaultdict",
    "collections.deque",
    "collections.Counter",
    "collections.ChainMap",
    "argparse.Namespace",
    "types.SimpleNamespace",
    ...["datetime", "date", "time", "timedelta", "timezone"].map((n) => `datetime.${n}`),
    "decimal.Decimal",
    "fractions.Fraction",
    "uuid.UUID",
    // Typed arrays and compiled regexes, as Python's reducers for `array.array` and `re.Pattern` write them.
    "array.array",
    "array._array_reconstructor",
    "re._compile",
    // Pickle's own reconstruction helpers: they call `cls.__new__` of a class the pickle imports separately.
    "copyreg._reconstructor",
    "copyreg.__newobj__",
    "copyreg.__newobj_ex__",
    // Protocol 2 writes bytes as _codecs.encode(text, "latin1").
    "_codecs.encode",
    // partial only stores a callable and arguments; the callable is itself an import the pickle names (and that
    // gets its own verdict), and the machine flags a partial whose arguments hold a denied global.
    "functools.partial",
    // Enum members of the standard library's regex flags (`re.I | re.M` in a compiled pattern's options or a
    // config): Python 3.11 pickles a member as getattr(re.RegexFlag, "IGNORECASE") and a union with
    // _operator.or_ of members. A flag is an int.
    "re.RegexFlag",
    ...[
      "ASCII",
      "IGNORECASE",
      "LOCALE",
      "UNICODE",
      "MULTILINE",
      "DOTALL",
      "VERBOSE",
      "TEMPLATE",
      "DEBUG",
      "NOFLAG",
    ]
      .concat(["A", "I", "L", "U", "M", "S", "X", "T"])
      .map((member) => `re.RegexFlag.${member}`),
    // `a | b`: it calls the `__or__` of operands the pickle must build from imports it names (and that get their
    // own verdicts), like the flag unions above.
    "operator.or_",
  ],
  exceptions: [
    // Path objects are inert values (fastai learners, Lightning hyper-parameters); only their methods touch files.
    ...["", "._local"].flatMap((sub) =>
      ["Path", "PosixPath", "WindowsPath", "PurePath", "PurePosixPath", "PureWindowsPath"].map((cls) =>
        `pathlib${sub}.${cls}`
      )
    ),
  ],
};
