// Sources valid as two formats: the content's scanner reads one, and the pickle
// reading that pickle.load, torch.load, joblib.load or np.load would apply from
// byte 0 is scanned too (engine/readings.ts), silent unless it gets somewhere.
import assert from "node:assert/strict";
import type { Finding } from "../../core/types.ts";
import { scanBytes } from "../../engine/dispatch.ts";
import { renderLocation } from "../../report/location.ts";
import { concat } from "../_bytes.ts";
import { END, entry } from "../scanners/tar/_tar.ts";

/** Latin-1: one byte per character, so "\x91" is the byte 0x91. */
const encode = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
/** os.system('echo pwned'): GLOBAL at 0, REDUCE at 27, STOP at 28. */
const MALICIOUS = encode("cos\nsystem\n(S'echo pwned'\ntR.");

const brief = (findings: Pick<Finding, "rule" | "severity" | "location">[]) =>
  findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`);

function adler32(data: Uint8Array): number {
  let a = 1;
  let b = 0;
  for (const byte of data) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** What Python's zlib.decompress would return, through the platform's own zlib reader. */
async function inflate(stream: Uint8Array): Promise<Uint8Array> {
  const body = new Blob([new Uint8Array(stream)]).stream().pipeThrough(new DecompressionStream("deflate"));
  return new Uint8Array(await new Response(body).arrayBuffer());
}

/** Length of the stored block below: its low byte is `J` (BININT). */
const BLOCK = 0x4a;

/**
 * A zlib stream: the header `(` 0x91 (MARK, FROZENSET), one final stored block whose first byte
 * is `)` (EMPTY_TUPLE), LEN 0x004A (`J`, BININT, which swallows LEN's high byte, NLEN and the
 * data's first byte), then the data: as a pickle, `tail` runs from byte 8 on.
 */
async function zlibThrough(tail: Uint8Array): Promise<Uint8Array> {
  const data = new Uint8Array(BLOCK);
  data.set(tail, 1);
  const check = new Uint8Array(4);
  new DataView(check.buffer).setUint32(0, adler32(data));
  const stream = concat(encode("(\x91)"), Uint8Array.from([BLOCK, 0, ~BLOCK & 0xff, 0xff]), data, check);
  assert.deepEqual(await inflate(stream), data);
  return stream;
}

/** `pickle.loads(inner)` at protocol 3: the payload at 21. */
function loadsOf(inner: Uint8Array): Uint8Array {
  const length = new Uint8Array(4);
  new DataView(length.buffer).setUint32(0, inner.length, true);
  return concat(encode("\x80\x03cpickle\nloads\nB"), length, inner, encode("\x85R."));
}

Deno.test("a zlib stream that is also a harmless pickle is a polyglot, a warning", async () => {
  const { format, findings } = await scanBytes(await zlibThrough(encode("N.")), "h.z");
  assert.equal(format, "zlib");
  assert.deepEqual(brief(findings), ["MA009 warning h.z"]);
  assert.deepEqual(findings[0].details, {
    formats: ["zlib", "pickle"],
    loaders: ["pickle.load", "torch.load", "joblib.load", "numpy.load(allow_pickle=True)"],
    pickleEnd: 10,
  });
});

Deno.test("a pickle reading that calls os.system and then breaks is reported up to the break", async () => {
  // No STOP: the loader runs the REDUCE, then fails on the zeros. Its malformed stream is no finding.
  const { findings } = await scanBytes(await zlibThrough(MALICIOUS.subarray(0, -1)), "m.z");
  assert.deepEqual(brief(findings), [
    "MA009 critical m.z",
    "MA100 critical m.z (pos 8)",
    "MA101 critical m.z (pos 35)",
  ]);
  assert.equal(findings[0].details.pickleEnd, 0);
  assert.match(findings[0].message, /up to where it breaks/);
});

Deno.test("a pickle reading that imports only what is safe and breaks before a STOP stays silent", async () => {
  const { findings } = await scanBytes(await zlibThrough(encode("ccollections\nOrderedDict\n)")), "s.z");
  assert.deepEqual(findings, []);
});

Deno.test("a payload handed to a loader is read as a pickle from its byte 0 too", async () => {
  const { findings } = await scanBytes(loadsOf(await zlibThrough(MALICIOUS)), "m.pkl");
  assert.deepEqual(brief(findings), [
    "MA100 critical m.pkl (pos 2)",
    "MA101 critical m.pkl (pos 107)",
    "MA009 critical m.pkl:<payload@21>",
    "MA100 critical m.pkl:<payload@21> (pos 8)",
    "MA101 critical m.pkl:<payload@21> (pos 35)",
  ]);
  assert.deepEqual(findings[2].details.loaders, ["pickle.loads", "torch.load(BytesIO)"]);
});

Deno.test("the polyglot is critical when the other reading carries the call", async () => {
  // A tar whose member name is a harmless pickle, and whose member is the malicious one.
  const tar = concat(entry("N.", MALICIOUS), END);
  assert.deepEqual(brief((await scanBytes(tar, "t.tar")).findings), [
    "MA100 critical t.tar:N. (pos 0)",
    "MA101 critical t.tar:N. (pos 27)",
    "MA009 critical t.tar",
  ]);
});

Deno.test("a loader that reads one pickle is followed as far as its STOP; torch.load of bytes reads on", async () => {
  // The name holds two pickles: pickle.load (or joblib, or np.load) of the file runs the first only.
  const tar = concat(entry(`N.${String.fromCharCode(...MALICIOUS)}`, "benign"), END);
  assert.deepEqual(brief((await scanBytes(tar, "t.tar")).findings), ["MA009 warning t.tar"]);
  // torch.storage._load_from_bytes of the same bytes reads them as a legacy torch stream, pickle after pickle.
  assert.deepEqual(brief((await scanBytes(loadsOf(tar), "m.pkl")).findings).slice(2), [
    "MA009 critical m.pkl:<payload@21>",
    "MA100 critical m.pkl:<payload@21> (pos 2)",
    "MA101 critical m.pkl:<payload@21> (pos 29)",
  ]);
});

Deno.test("a real zip whose first bytes read as PERSID stays silent: every loader raises there", async () => {
  // traced.pt's zip header is PERSID up to the first newline, inside data.pkl; then a pickle to its STOP.
  const traced = await Deno.readFile(new URL("../../fixtures/pytorch/benign/traced.pt", import.meta.url));
  assert.equal(traced[0], 0x50);
  assert.deepEqual((await scanBytes(traced, "traced.pt")).findings, []);
});
