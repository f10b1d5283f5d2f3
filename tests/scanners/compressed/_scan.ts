// Scans bytes through the engine (in process) and reduces the outcome to what the
// compressed and numpy tests compare: the format and `RULE severity location` lines.
import { scanBytes } from "../../../engine/dispatch.ts";
import { renderLocation } from "../../../report/location.ts";
export { concat } from "../../_bytes.ts";

/** `[format, findings]` of scanning `bytes` as the file `path`. */
export async function scanBrief(bytes: Uint8Array, path: string): Promise<[string | null, string[]]> {
  const outcome = await scanBytes(bytes, path);
  if (outcome.error) throw new Error(outcome.error);
  return [
    outcome.format,
    outcome.findings.map((f) => `${f.rule} ${f.severity} ${renderLocation(f.location)}`),
  ];
}

const encoder = new TextEncoder();

/** A protocol-2 pickle of `os.system("echo pwned")`: GLOBAL at 2, REDUCE at 29. */
export const OS_SYSTEM = Uint8Array.from([
  0x80,
  2,
  ...encoder.encode("cos\nsystem\nX"),
  10,
  0,
  0,
  0,
  ...encoder.encode("echo pwned"),
  0x85,
  ...encoder.encode("R."),
]);

/** The findings of {@linkcode OS_SYSTEM} at `location`, shifted by `base`. */
export function osSystemFindings(location: string, base = 0): string[] {
  return [`MA100 critical ${location} (pos ${base + 2})`, `MA101 critical ${location} (pos ${base + 29})`];
}

/** `data` compressed by the runtime's CompressionStream ("gzip" or "deflate", i.e. zlib). */
export async function compress(data: Uint8Array, format: "gzip" | "deflate"): Promise<Uint8Array> {
  const stream = new Blob([data.slice()]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const FIXTURES = new URL("../../../fixtures/", import.meta.url);

/** A committed fixture's bytes, by its path under fixtures/. */
export function fixture(path: string): Promise<Uint8Array> {
  return Deno.readFile(new URL(path, FIXTURES));
}
