/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, IEEE/ACM ToN 1999): removes every zero byte so
 * that 0x00 can delimit frames, at a cost of at most one byte per 254. Hand-written rather than taken
 * from npm because the C runtime needs the same ten lines and the decoder here must be bounded.
 */
export function cobsEncode(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncoded(data.length));
  let codeAt = 0;
  let code = 1;
  let o = 1;
  for (const byte of data) {
    if (byte === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = byte;
    code++;
    if (code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/** The longest encoding of n bytes: one code byte per started 254-byte run, plus the first. */
export function cobsMaxEncoded(n: number): number {
  return n + Math.floor(n / 254) + 1;
}

/** Decodes one frame (without its 0x00 delimiter); undefined when the bytes are not valid COBS. */
export function cobsDecode(encoded: Uint8Array): Uint8Array | undefined {
  const out = new Uint8Array(encoded.length);
  let o = 0;
  let i = 0;
  while (i < encoded.length) {
    const code = encoded[i] as number;
    if (code === 0 || i + code > encoded.length) return undefined;
    for (let k = 1; k < code; k++) {
      const b = encoded[i + k] as number;
      if (b === 0) return undefined;
      out[o++] = b;
    }
    i += code;
    // A run shorter than 254 data bytes stands for a zero, except at the very end.
    if (code < 0xff && i < encoded.length) out[o++] = 0;
  }
  return out.subarray(0, o);
}
