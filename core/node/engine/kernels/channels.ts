/**
 * Concatenating and splitting along the last (channel) axis as strided copies. The wasm backend's
 * Concat and SplitV on that axis took 15–56 ms for one 16×32×32×192 tensor; these loops 12–15 ms.
 * (Per-row TypedArray.set or copyWithin is slower still: a call per 48-float row costs more than the
 * copy; so does copying through Int32Array views.)
 */
export function concatLastAxis(parts: readonly Float32Array[], widths: readonly number[], out: Float32Array): void {
  const total = widths.reduce((a, b) => a + b, 0);
  const rows = total === 0 ? 0 : out.length / total;
  let offset = 0;
  parts.forEach((part, p) => {
    const w = widths[p] as number;
    for (let r = 0, s = 0, d = offset; r < rows; r++, d += total) for (let i = 0; i < w; i++) out[d + i] = part[s++] as number;
    offset += w;
  });
}

export function splitLastAxis(x: Float32Array, widths: readonly number[], outs: readonly Float32Array[]): void {
  const total = widths.reduce((a, b) => a + b, 0);
  const rows = total === 0 ? 0 : x.length / total;
  let offset = 0;
  outs.forEach((out, p) => {
    const w = widths[p] as number;
    for (let r = 0, s = offset, d = 0; r < rows; r++, s += total) for (let i = 0; i < w; i++) out[d++] = x[s + i] as number;
    offset += w;
  });
}

/** One part: `width` channels from `begin`. */
export function sliceLastAxis(x: Float32Array, total: number, begin: number, width: number, out: Float32Array): void {
  const rows = total === 0 ? 0 : x.length / total;
  for (let r = 0, s = begin, d = 0; r < rows; r++, s += total) for (let i = 0; i < width; i++) out[d++] = x[s + i] as number;
}
