/**
 * The rule catalog: every finding modelaudit can produce has one entry here, with
 * its stable id, default severity and the explanation that `modelaudit rules`,
 * the README and report metadata all read.
 *
 * @module
 */

import type { Severity } from "./types.ts";

/** One rule: what it detects, why that matters, and what to do about it. */
export interface Rule {
  /** Stable id users suppress by, e.g. `MA100`. Never reused. */
  id: string;
  /** Short kebab-case name, e.g. `pickle-dangerous-import`. */
  name: string;
  /** Default severity of its findings. */
  severity: Severity;
  /** One line: what was found. */
  title: string;
  /** Why it matters. */
  why: string;
  /** What to do. */
  fix: string;
}

function rule(id: string, name: string, severity: Severity, title: string, why: string, fix: string): Rule {
  return { id, name, severity, title, why, fix };
}

const LOAD_FIX =
  "Do not load the file. Obtain the model from a trusted source, or in a format that holds no code.";

/**
 * Every rule, keyed by id.
 *
 * @example
 * ```ts
 * import { RULES } from "./rules.ts";
 * console.log(RULES.MA100.title);
 * ```
 */
export const RULES: Readonly<Record<string, Rule>> = Object.fromEntries(
  [
    rule(
      "MA001",
      "extension-mismatch",
      "warning",
      "File name claims a different format than its content",
      "Loaders pick a parser by content, people and tools by name: a pickle named .safetensors or .txt slips past reviews and scanners that trust the extension.",
      "Rename the file after its real format, or find out why it was disguised.",
    ),
    rule(
      "MA002",
      "symlink-outside-root",
      "warning",
      "Symbolic link points outside the scanned directory",
      "A link that leaves the scanned tree can make a loader read a file nobody scanned.",
      "Replace the link with the file it points to, and scan that.",
    ),
    rule(
      "MA003",
      "file-too-large",
      "info",
      "File skipped: larger than --max-file-size",
      "A skipped file was not inspected at all.",
      "Raise --max-file-size to scan it.",
    ),
    rule(
      "MA004",
      "blacklisted-name",
      "critical",
      "File name matches a --blacklist pattern",
      "You asked to flag files with this name.",
      "Remove the file, or drop the pattern.",
    ),
    rule(
      "MA005",
      "blacklisted-string",
      "critical",
      "Model content contains a --blacklist pattern",
      "You asked to flag models that mention this string.",
      "Inspect where the string is used; remove the model if it is unwanted.",
    ),
    rule(
      "MA006",
      "nested-content-not-inspected",
      "info",
      "A file or nested payload in a format this version cannot inspect yet",
      "Content that is not inspected may hide code (an archive of pickles, a Keras file, a NumPy object array); loaders still read it.",
      "Inspect the nested content by other means, or wait for a scanner for its format.",
    ),
    rule(
      "MA007",
      "unrecognised-content",
      "info",
      "Named like a model file, but the content matches no known format",
      "A loader may still accept it; a scanner that does not recognise it cannot vouch for it.",
      "Check what the file really is.",
    ),
    rule(
      "MA008",
      "findings-truncated",
      "info",
      "Too many findings in one file; the rest were not listed",
      "A file with thousands of findings is hostile or badly broken; listing them all would drown the report.",
      "Treat the file as untrusted; the findings shown are enough to reject it.",
    ),
    rule(
      "MA009",
      "polyglot",
      "warning",
      "Content is valid as two formats, which different loaders read differently",
      "A zlib stream or a tar whose first bytes are also pickle opcodes is decompressed or unpacked by one tool and unpickled from byte 0 by pickle.load, torch.load, joblib.load or np.load: a scanner that reads only one of the two sees only half of what runs.",
      "Do not load the file. No tool writes such files; find out who crafted it.",
    ),
    rule(
      "MA010",
      "sibling-reference-escape",
      "critical",
      "A model file refers to a file outside its folder",
      "Formats that span files (ONNX external data, a Hugging Face config's auto_map, a SavedModel's assets) make their loader open the files they name: a name with `..`, an absolute path or a link leading out makes it read, or run, a file nobody scanned (ONNX's path traversal, CVE-2022-25882).",
      "Do not load the model. Keep every file it refers to inside its folder, without links, and scan the folder.",
    ),
    rule(
      "MA100",
      "pickle-dangerous-import",
      "critical",
      "Pickle imports a callable that can run code or touch the system",
      "Unpickling resolves every GLOBAL/STACK_GLOBAL/INST import; calling what it imports is how pickle payloads run commands.",
      LOAD_FIX,
    ),
    rule(
      "MA101",
      "pickle-dangerous-call",
      "critical",
      "Pickle calls a dangerous callable when loaded",
      "REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX and BUILD call what was imported; with a denied callable that runs attacker-chosen code on load.",
      LOAD_FIX,
    ),
    rule(
      "MA102",
      "pickle-unknown-import",
      "warning",
      "Pickle imports a callable that is neither known-safe nor known-dangerous",
      "Any importable callable runs on load; an unknown one needs a human look before the file is trusted.",
      "Check the named module and function; if they are yours and safe, suppress this finding for them.",
    ),
    rule(
      "MA103",
      "pickle-unknown-call",
      "warning",
      "Pickle calls a callable that is not known to be safe",
      "The call happens while loading, with arguments chosen by whoever made the file.",
      "Check the named callable and its arguments before loading the file.",
    ),
    rule(
      "MA104",
      "pickle-unresolved-import",
      "critical",
      "Pickle imports something whose name is not a constant string",
      "A module or name computed at load time (or taken from the copyreg extension registry) hides what is imported; benign serializers never do this.",
      LOAD_FIX,
    ),
    rule(
      "MA105",
      "pickle-malformed",
      "warning",
      "Pickle stream is truncated or malformed",
      "Loaders act on every opcode before the break; a broken stream can hide data that another parser reads differently.",
      "Re-create the file from its source; do not trust a file that does not parse.",
    ),
    rule(
      "MA106",
      "pickle-frame-mismatch",
      "critical",
      "A pickle FRAME's declared length disagrees with its opcodes",
      "Frames that lie about their length make scanners and loaders see different opcodes: a known scanner bypass.",
      LOAD_FIX,
    ),
    rule(
      "MA107",
      "pickle-encoded-pickle",
      "warning",
      "A string in the pickle decodes to another pickle",
      "A pickle hidden in base64 or hex text is a way to smuggle a second payload past scanners.",
      "Inspect the decoded pickle's findings; do not load the file until they are explained.",
    ),
    rule(
      "MA108",
      "pickle-embedded-code",
      "critical",
      "A string in the pickle is Python source that calls dangerous functions",
      "Source text handed to exec, eval or compile runs when the pickle is loaded.",
      LOAD_FIX,
    ),
    rule(
      "MA109",
      "pickle-expansion-bomb",
      "critical",
      "Pickle expands to far more objects than it has opcodes",
      "Repeated GET/DUP references build objects that grow exponentially (a billion-laughs attack) and exhaust memory when used.",
      "Do not load the file.",
    ),
    rule(
      "MA110",
      "pickle-resource-limit",
      "warning",
      "Pickle exceeds a scanner limit; past it only imports were checked",
      "Opcode count, memo size, stack depth or nesting beyond any real model is a denial-of-service attempt or an attempt to pad a payload past a scanner's limits. Imports past the limit are still reported, but calls and memo references are no longer tracked.",
      "Treat the file as suspect until the reason for its size is known.",
    ),
    rule(
      "MA111",
      "pickle-inert-code-string",
      "info",
      "A string in the pickle reads as Python source, but nothing in the pickle evaluates it",
      "Unpickling runs only what the pickle calls; text that no call hands to eval, exec, compile or a loader is data when the file is loaded. Code that uses the model may still run it later.",
      "Nothing to do for loading the file; if your application runs text from the model, check this string first.",
    ),
    rule(
      "MA200",
      "archive-header-mismatch",
      "critical",
      "An archive member's local header disagrees with the central directory",
      "Loaders that read local headers and loaders that read the central directory then see different names, sizes or methods: the parser differential behind CVE-2025-1944, used to show a scanner one file and a loader another.",
      LOAD_FIX,
    ),
    rule(
      "MA201",
      "archive-flag-differential",
      "critical",
      "An archive member is flagged as encrypted or special but is not",
      "Scanners skip a member flagged encrypted while loaders that ignore the flag read it: the parser differential behind CVE-2025-1945.",
      LOAD_FIX,
    ),
    rule(
      "MA202",
      "archive-crc-mismatch",
      "warning",
      "An archive member's data does not match its CRC-32",
      "Some loaders check the checksum and some do not; a member altered after packing is corrupt or tampered with.",
      "Re-create the archive from its source; do not trust a member that fails its checksum.",
    ),
    rule(
      "MA203",
      "archive-overlapping-members",
      "critical",
      "Archive members overlap in the file",
      "Members that share bytes are how non-recursive zip bombs work, and let one member's data be read as another's.",
      LOAD_FIX,
    ),
    rule(
      "MA204",
      "archive-path-escape",
      "critical",
      "An archive member's name escapes the extraction directory",
      "A name with `..`, an absolute path, a drive letter or backslashes makes an extracting loader write files outside its folder (path traversal, e.g. over a Python module that is imported next).",
      LOAD_FIX,
    ),
    rule(
      "MA205",
      "archive-link-member",
      "warning",
      "An archive member is a symbolic or hard link",
      "Extracting a link lets a later member, or a loader, read or write a file outside the archive.",
      "Do not extract the archive; ask why it needs a link.",
    ),
    rule(
      "MA206",
      "archive-bomb",
      "warning",
      "A member or archive decompresses to far more than it stores",
      "A compression bomb exhausts memory or disk when a loader unpacks it.",
      "Do not unpack the file; raise --max-compression-ratio or --max-decompressed-bytes only for a source you trust.",
    ),
    rule(
      "MA207",
      "archive-extra-data",
      "warning",
      "Data before or after the archive's records",
      "A file that is two formats at once (a pickle followed by a zip) is read as one by one loader and as the other by another; the extra data is scanned too.",
      "Find out why the file carries extra data; re-create it from its source.",
    ),
    rule(
      "MA208",
      "archive-encrypted-member",
      "info",
      "An archive member is encrypted and was not inspected",
      "Loaders cannot read an encrypted member without its password either, but whoever holds the password can.",
      "Inspect the decrypted member before use.",
    ),
    rule(
      "MA209",
      "container-malformed",
      "warning",
      "A container is truncated, corrupt or malformed",
      "A container that does not parse is read differently by different loaders; what a scanner cannot read, a tolerant loader may still run.",
      "Re-create the file from its source; do not trust a file that does not parse.",
    ),
    rule(
      "MA210",
      "container-limit",
      "warning",
      "A container exceeds a scan limit; the rest was not inspected",
      "Nesting, member counts or decompressed sizes beyond any real model are an attack on scanners, or a model too large for the limits set.",
      "Raise --max-depth, --max-members or --max-decompressed-bytes for a file you have reason to trust, and scan again.",
    ),
    rule(
      "MA211",
      "archive-duplicate-member",
      "critical",
      "Two archive members have the same name",
      "Loaders disagree on which of two same-named members they read (the first or the last), so a scanner may vet one while the loader runs the other.",
      LOAD_FIX,
    ),
    rule(
      "MA212",
      "content-not-decodable",
      "warning",
      "Compressed or archived content that modelaudit cannot decode",
      "A 7z archive, an unsupported compression method or a codec without a decoder here hides its content from the scan, while a loader or a user may still unpack it (a 7z-wrapped PyTorch file is a known attack).",
      "Unpack the content with a trusted tool and scan what it holds.",
    ),
    rule(
      "MA300",
      "pytorch-unexpected-member",
      "warning",
      "A PyTorch checkpoint holds a member torch.save does not write",
      "Extra members are not loaded by torch.load but travel with the model: a place to hide a payload for another loader or a later step.",
      "Re-save the checkpoint with torch.save from a trusted source.",
    ),
    rule(
      "MA301",
      "pytorch-invalid-metadata",
      "warning",
      "A PyTorch checkpoint's version, byte order or serialization id is invalid",
      "torch.save writes these records in a fixed form; altered ones mean the archive was made or edited by something else.",
      "Re-save the checkpoint with torch.save from a trusted source.",
    ),
    rule(
      "MA302",
      "torchscript-dangerous-code",
      "critical",
      "TorchScript code calls something that runs code or reaches the system",
      "The code/ sources of a TorchScript archive are compiled and run by torch.jit.load; calls to os, subprocess, eval, exec, open or library loaders run on the user's machine.",
      LOAD_FIX,
    ),
    rule(
      "MA303",
      "pytorch-record-alias",
      "warning",
      "torch reads a checkpoint record under a name torch.save does not write",
      "torch's zip reader (miniz) finds records without regard to letter case, even past an exact match: archive/DATA.PKL can be the data.pkl torch.load unpickles, while tools that match names exactly read another record or none.",
      "Re-save the checkpoint with torch.save from a trusted source.",
    ),
    rule(
      "MA310",
      "numpy-malformed-header",
      "warning",
      "A NumPy .npy header is malformed or disagrees with the file size",
      "np.load trusts the header's dtype and shape; a header that lies hides trailing data or breaks loaders in different ways.",
      "Re-create the array file with np.save from a trusted source.",
    ),
  ].map((r) => [r.id, r]),
);

/**
 * Looks up a rule by id; throws on an unknown id, which is a bug in the caller.
 *
 * @example
 * ```ts
 * import { getRule } from "./rules.ts";
 * getRule("MA101").severity; // "critical"
 * ```
 */
export function getRule(id: string): Rule {
  const found = RULES[id];
  if (!found) throw new Error(`Unknown rule id: ${id}`);
  return found;
}
