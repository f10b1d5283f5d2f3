// Assembles pickles opcode by opcode for the pickle tests, and records where
// each opcode lands so that tests can state exact positions.

/** A piece of a pickle: a Latin-1 string, one byte, or bytes. */
export type Part = string | number | readonly number[] | Uint8Array;

/** Concatenates parts: strings as Latin-1, numbers as single bytes. */
export function bytes(...parts: Part[]): Uint8Array {
  const out: number[] = [];
  for (const part of parts) {
    if (typeof part === "string") { for (const c of part) out.push(c.charCodeAt(0) & 0xff); }
    else if (typeof part === "number") out.push(part & 0xff);
    else out.push(...part);
  }
  return Uint8Array.from(out);
}

/** Little-endian unsigned integer of `size` bytes. */
export function le(value: number, size: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < size; i++) {
    out.push(value % 256);
    value = Math.floor(value / 256);
  }
  return out;
}

const utf8 = new TextEncoder();

/** SHORT_BINUNICODE of `text`. */
export function sbu(text: string): Uint8Array {
  const data = utf8.encode(text);
  return bytes(0x8c, data.length, data);
}

/** BINUNICODE of `text`. */
export function bu(text: string): Uint8Array {
  const data = utf8.encode(text);
  return bytes(0x58, le(data.length, 4), data);
}

/** SHORT_BINBYTES (or BINBYTES when long) of `data`. */
export function binBytes(data: Uint8Array): Uint8Array {
  return data.length < 256 ? bytes(0x43, data.length, data) : bytes(0x42, le(data.length, 4), data);
}

/** Protocol-0 GLOBAL `module.name`. */
export function global(module: string, name: string): string {
  return `c${module}\n${name}\n`;
}

/** Builds a pickle piece by piece, remembering where each piece starts. */
export class Builder {
  readonly #parts: Uint8Array[] = [];
  #size = 0;

  /** Appends parts; returns the offset of the first byte appended. */
  add(...parts: Part[]): number {
    const at = this.#size;
    const chunk = bytes(...parts);
    this.#parts.push(chunk);
    this.#size += chunk.length;
    return at;
  }

  get size(): number {
    return this.#size;
  }

  build(): Uint8Array {
    const out = new Uint8Array(this.#size);
    let at = 0;
    for (const part of this.#parts) {
      out.set(part, at);
      at += part.length;
    }
    return out;
  }
}
