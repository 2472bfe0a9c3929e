import { PackageError } from './package-error.js';

export type StringRef = readonly [offset: number, length: number];

const encoder = new TextEncoder();

/** Collects UTF-8 strings, each followed by a zero byte so C code can use them in place. */
export class StringTableBuilder {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  add(text: string): StringRef {
    const bytes = encoder.encode(text);
    const ref: StringRef = [this.size, bytes.length];
    this.parts.push(bytes, new Uint8Array(1));
    this.size += bytes.length + 1;
    return ref;
  }

  /** Bytes of the table so far, zero terminators included. */
  get byteLength(): number {
    return this.size;
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Resolves a reference, refusing one that leaves the table, lacks its zero byte or is not UTF-8. */
export function readString(table: Uint8Array, offset: number, length: number, what: string): string {
  if (offset + length >= table.length || table[offset + length] !== 0) {
    throw new PackageError('semantics', `${what}: string at ${offset}+${length} is outside STRS or not zero-terminated`);
  }
  try {
    return decoder.decode(table.subarray(offset, offset + length));
  } catch {
    throw new PackageError('semantics', `${what}: string at ${offset} is not valid UTF-8`);
  }
}
