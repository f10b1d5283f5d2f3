// Damaged copies of every small compressed and NumPy fixture (bytes flipped, runs overwritten,
// files cut short, deterministic): each scan must end with findings, never with a scanner error,
// a crash or a hang.
import assert from "node:assert/strict";
import { scanBytes } from "../../../engine/dispatch.ts";

/** Fixtures larger than this decode to tens of MiB; damaging them adds time, not coverage. */
const MAX_FIXTURE_BYTES = 4096;

/** Damaged copies per fixture. */
const MUTATIONS = 24;

let seed = 12345;
function random(n: number): number {
  seed = (seed * 1103515245 + 12345) >>> 0;
  return seed % n;
}

function mutate(bytes: Uint8Array): Uint8Array {
  const out = bytes.slice();
  switch (random(3)) {
    case 0:
      for (let i = 0, n = 1 + random(4); i < n; i++) out[random(out.length)] ^= 1 << random(8);
      return out;
    case 1: {
      const at = random(out.length);
      out.fill(random(256), at, at + 1 + random(16));
      return out;
    }
    default:
      return out.subarray(0, random(out.length));
  }
}

for (const area of ["compressed", "numpy"]) {
  Deno.test(`damaged ${area} fixtures give findings, never a scanner error`, async () => {
    const root = new URL(`../../../fixtures/${area}/`, import.meta.url);
    for (const kind of ["benign", "malicious"]) {
      for await (const entry of Deno.readDir(new URL(`${kind}/`, root))) {
        const bytes = await Deno.readFile(new URL(`${kind}/${entry.name}`, root));
        if (bytes.length > MAX_FIXTURE_BYTES) continue;
        for (let i = 0; i < MUTATIONS; i++) {
          const outcome = await scanBytes(mutate(bytes), entry.name);
          assert.equal(outcome.error, undefined, `${kind}/${entry.name}, mutation ${i}`);
        }
      }
    }
  });
}
