// Structure-aware fuzzing of the 7z scanner: variants of every 7z fixture whose header or packed
// data is damaged, with the signature header's and the header's CRC-32 recomputed so that the
// damage reaches the header parser and the decoders instead of stopping at a checksum. No
// variant may raise a scan error, take long, or grow memory without bound; every finding must be
// catalogued. `FUZZ_7Z_VARIANTS` sets the variants per fixture (default 40).
import assert from "node:assert/strict";
import { RULES } from "../../../core/rules.ts";
import { scanBytes } from "../../../engine/dispatch.ts";
import { crc32, storedSevenZip } from "./_sevenzip.ts";

const FIXTURES = new URL("../../../fixtures/sevenzip/", import.meta.url);
const VARIANTS = Number(Deno.env.get("FUZZ_7Z_VARIANTS") ?? 40);
/** Resident memory may grow this much over the whole run (the bomb fixture decodes 80 MiB in chunks). */
const MAX_RSS_GROWTH_BYTES = 512 * 1024 * 1024;

/** mulberry32: failures reproduce. */
function prng(seed: number): (n: number) => number {
  return (n) => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

/** Values that stress counts and sizes: 7z numbers with many extra bytes, zero, one, the top bit. */
const INTERESTING = [
  0x00,
  0x01,
  0x7f,
  0x80,
  0xbf,
  0xc0,
  0xdf,
  0xe0,
  0xef,
  0xfe,
  0xff,
  0x17,
  0x0b,
  0x21,
  0x24,
];

/** Damages `bytes[from, to)`: bit flips, interesting bytes, inserted or deleted runs. */
function damage(bytes: Uint8Array, from: number, to: number, random: (n: number) => number): Uint8Array {
  const out = [...bytes];
  let end = to;
  for (let i = 0, edits = 1 + random(3); i < edits && end > from; i++) {
    const at = from + random(end - from);
    switch (random(4)) {
      case 0:
        out[at] ^= 1 << random(8);
        break;
      case 1:
        out[at] = INTERESTING[random(INTERESTING.length)];
        break;
      case 2: {
        const run = Array.from({ length: 1 + random(8) }, () => INTERESTING[random(INTERESTING.length)]);
        out.splice(at, 0, ...run);
        end += run.length;
        break;
      }
      default: {
        const count = Math.min(1 + random(8), end - at);
        out.splice(at, count);
        end -= count;
      }
    }
  }
  return Uint8Array.from(out);
}

function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** A variant whose damage lies in the header (its size and CRCs fixed up to match) or in the packed data. */
function variant(archive: Uint8Array, random: (n: number) => number): Uint8Array {
  const headerStart = 32 + Number(view(archive).getBigUint64(12, true));
  const headerSize = Number(view(archive).getBigUint64(20, true));
  if (headerStart + headerSize !== archive.length || random(5) === 0) {
    return damage(archive, 0, archive.length, random); // anywhere, checksums left as they are
  }
  const inHeader = random(3) !== 0;
  const out = inHeader
    ? damage(archive, headerStart, archive.length, random)
    : damage(archive, 32, headerStart, random);
  const newStart = inHeader ? headerStart : headerStart + (out.length - archive.length);
  const header = out.subarray(newStart);
  const v = view(out);
  v.setBigUint64(12, BigInt(newStart - 32), true);
  v.setBigUint64(20, BigInt(header.length), true);
  v.setUint32(28, crc32(header), true);
  v.setUint32(8, crc32(out.subarray(12, 32)), true);
  return out;
}

async function inputs(): Promise<[string, Uint8Array][]> {
  const found: [string, Uint8Array][] = [];
  for (const kind of ["benign", "malicious", "suspicious"]) {
    for await (const entry of Deno.readDir(new URL(`${kind}/`, FIXTURES))) {
      found.push([`${kind}/${entry.name}`, await Deno.readFile(new URL(`${kind}/${entry.name}`, FIXTURES))]);
    }
  }
  const text = new TextEncoder();
  found.push([
    "assembled.7z",
    storedSevenZip([
      { name: "a/b.txt", data: text.encode("hello") },
      { name: "link", data: text.encode("../x"), attributes: 0x8000 | (0o120777 << 16) },
    ]),
  ]);
  return found.sort(([a], [b]) => a.localeCompare(b));
}

Deno.test("7z fuzzing: damaged headers and packed data give findings, never an error, a hang or a blow-up", async () => {
  const random = prng(20261207);
  const rssBefore = Deno.memoryUsage().rss;
  let scans = 0;
  let slowest = 0;
  for (const [name, archive] of await inputs()) {
    for (let i = 0; i < VARIANTS; i++) {
      const bytes = variant(archive, random);
      const started = performance.now();
      const outcome = await scanBytes(bytes, name);
      const elapsed = performance.now() - started;
      const where = `${name} variant ${i} (${bytes.length} bytes)`;
      assert.equal(outcome.error, undefined, `${where}: ${outcome.error}`);
      for (const finding of outcome.findings) assert.ok(RULES[finding.rule], `${where}: ${finding.rule}`);
      slowest = Math.max(slowest, elapsed);
      scans++;
    }
  }
  const growth = Deno.memoryUsage().rss - rssBefore;
  assert.ok(growth < MAX_RSS_GROWTH_BYTES, `resident memory grew by ${growth} bytes`);
  if (Deno.env.get("FUZZ_7Z_VARIANTS")) {
    console.log(
      `${scans} variants, slowest ${slowest.toFixed(0)} ms, RSS growth ${(growth / 2 ** 20).toFixed(0)} MiB`,
    );
  }
});
