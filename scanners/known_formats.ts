/**
 * Formats modelaudit recognises by name or magic bytes but does not scan yet.
 * The engine uses them to tell when a file name claims another format than its
 * content holds, and to say what a nested payload is when no scanner reads it.
 *
 * @module
 */

/** A format known by its extensions and, where it has one, its magic bytes. */
export interface KnownFormat {
  id: string;
  /** Lower-case extensions with the dot. */
  extensions: readonly string[];
  /** Whether `head` starts like this format. */
  matches?: (head: Uint8Array) => boolean;
  /** Whether loading it can run code or unpack files that can (archives, Keras, NumPy object arrays, chat templates). */
  mayHoldCode?: boolean;
}

function startsWith(head: Uint8Array, ...bytes: number[]): boolean {
  return bytes.every((b, i) => head[i] === b);
}

function ascii(head: Uint8Array, offset: number, text: string): boolean {
  for (let i = 0; i < text.length; i++) if (head[offset + i] !== text.charCodeAt(i)) return false;
  return true;
}

/**
 * Formats without a scanner yet, in the order their magic is tried.
 *
 * @example
 * ```ts
 * import { KNOWN_FORMATS } from "./known_formats.ts";
 * KNOWN_FORMATS.find((f) => f.id === "zip")?.extensions; // [".zip", ...]
 * ```
 */
export const KNOWN_FORMATS: readonly KnownFormat[] = [
  {
    id: "zip",
    mayHoldCode: true,
    extensions: [".zip", ".pt", ".pth", ".bin", ".ckpt", ".npz", ".keras", ".pte"],
    matches: (h) => startsWith(h, 0x50, 0x4b, 0x03, 0x04) || startsWith(h, 0x50, 0x4b, 0x05, 0x06),
  },
  { id: "gzip", mayHoldCode: true, extensions: [".gz", ".tgz"], matches: (h) => startsWith(h, 0x1f, 0x8b) },
  { id: "bzip2", mayHoldCode: true, extensions: [".bz2"], matches: (h) => ascii(h, 0, "BZh") },
  {
    id: "xz",
    mayHoldCode: true,
    extensions: [".xz"],
    matches: (h) => startsWith(h, 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00),
  },
  {
    id: "7z",
    mayHoldCode: true,
    extensions: [".7z"],
    matches: (h) => startsWith(h, 0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c),
  },
  { id: "tar", mayHoldCode: true, extensions: [".tar"], matches: (h) => ascii(h, 257, "ustar") },
  {
    id: "hdf5",
    mayHoldCode: true,
    extensions: [".h5", ".hdf5", ".keras"],
    matches: (h) => startsWith(h, 0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a),
  },
  { id: "gguf", mayHoldCode: true, extensions: [".gguf"], matches: (h) => ascii(h, 0, "GGUF") },
  {
    id: "numpy",
    mayHoldCode: true,
    extensions: [".npy"],
    matches: (h) => startsWith(h, 0x93) && ascii(h, 1, "NUMPY"),
  },
  { id: "png", extensions: [".png"], matches: (h) => startsWith(h, 0x89, 0x50, 0x4e, 0x47) },
  { id: "safetensors", extensions: [".safetensors"] },
  { id: "onnx", extensions: [".onnx"] },
  { id: "tensorflow", extensions: [".pb", ".tflite"] },
  {
    id: "text",
    extensions: [".txt", ".md", ".json", ".yaml", ".yml", ".toml", ".cfg", ".ini", ".csv", ".py", ".jinja"],
  },
];

/**
 * The known format whose magic bytes `head` starts with, if any.
 *
 * @example
 * ```ts
 * import { identifyKnownFormat } from "./known_formats.ts";
 * identifyKnownFormat(new Uint8Array([0x50, 0x4b, 0x03, 0x04]))?.id; // "zip"
 * ```
 */
export function identifyKnownFormat(head: Uint8Array): KnownFormat | undefined {
  return KNOWN_FORMATS.find((format) => format.matches?.(head));
}
