/**
 * Average pooling with a window of its own per channel (ReFrame's mixed pool gives each channel group
 * its own k), as two separable 1-D passes over prefix sums: two loads per output whatever the window,
 * where a depthwise box filter costs k multiplies per output and ran at ~0.3 GMAC/s for k = 11 on the
 * wasm backend. Tensors are NHWC Float32Arrays; the prefix sums run in float64.
 */
export interface BoxPoolWindow {
  /** Per channel: window rows and columns, and the padding before the first row and column. */
  readonly kh: readonly number[];
  readonly kw: readonly number[];
  readonly ph: readonly number[];
  readonly pw: readonly number[];
  readonly stride: readonly [number, number];
  /**
   * Divide by the pixels a window really covers (PyTorch's count_include_pad = false) instead of
   * kh·kw. Both are products of a row and a column factor, so each pass divides by its own.
   */
  readonly clipped: boolean;
}

/** One pass along the middle axis of a tensor viewed as [outer, length, inner]. */
interface Axis {
  readonly outer: number;
  readonly length: number;
  readonly outLength: number;
  /** inner = spatial × channels: the channel of an inner index is its index modulo channels. */
  readonly spatial: number;
  readonly channels: number;
  readonly stride: number;
  readonly size: readonly number[];
  readonly pad: readonly number[];
  readonly clipped: boolean;
}

/** Output rows or columns of a window over `length` pixels: floor, as in PyTorch. */
export function boxOutputSize(length: number, size: number, pad: number, stride: number): number {
  return Math.floor((length + 2 * pad - size) / stride) + 1;
}

/** Per output position and channel: the clipped window [lo, hi) and the factor it is scaled by. */
function windows(a: Axis): { lo: Int32Array; hi: Int32Array; scale: Float64Array } {
  const n = a.outLength * a.channels;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  const scale = new Float64Array(n);
  for (let y = 0; y < a.outLength; y++) {
    for (let c = 0; c < a.channels; c++) {
      const start = y * a.stride - (a.pad[c] as number);
      const size = a.size[c] as number;
      const l = Math.max(start, 0);
      const h = Math.min(start + size, a.length);
      lo[y * a.channels + c] = l;
      hi[y * a.channels + c] = h;
      scale[y * a.channels + c] = 1 / (a.clipped ? Math.max(h - l, 1) : size);
    }
  }
  return { lo, hi, scale };
}

function boxPass(src: Float32Array, a: Axis, dst: Float32Array): void {
  const inner = a.spatial * a.channels;
  const prefix = new Float64Array((a.length + 1) * inner);
  const { lo, hi, scale } = windows(a);
  for (let o = 0; o < a.outer; o++) {
    const srcBase = o * a.length * inner;
    for (let i = 0; i < a.length; i++) {
      const from = i * inner;
      const to = from + inner;
      const s = srcBase + from;
      for (let j = 0; j < inner; j++) prefix[to + j] = (prefix[from + j] as number) + (src[s + j] as number);
    }
    const dstBase = o * a.outLength * inner;
    for (let y = 0; y < a.outLength; y++) {
      const w0 = y * a.channels;
      const d = dstBase + y * inner;
      for (let p = 0; p < a.spatial; p++) {
        const j0 = p * a.channels;
        for (let c = 0; c < a.channels; c++) {
          const j = j0 + c;
          dst[d + j] = ((prefix[(hi[w0 + c] as number) * inner + j] as number) - (prefix[(lo[w0 + c] as number) * inner + j] as number)) * (scale[w0 + c] as number);
        }
      }
    }
  }
}

/** The transpose of boxPass: each output's gradient spread over its window, via a difference array. */
function boxPassTranspose(dDst: Float32Array, a: Axis, dSrc: Float32Array): void {
  const inner = a.spatial * a.channels;
  const diff = new Float64Array((a.length + 1) * inner);
  const { lo, hi, scale } = windows(a);
  for (let o = 0; o < a.outer; o++) {
    diff.fill(0);
    const dBase = o * a.outLength * inner;
    for (let y = 0; y < a.outLength; y++) {
      const w0 = y * a.channels;
      const d = dBase + y * inner;
      for (let p = 0; p < a.spatial; p++) {
        const j0 = p * a.channels;
        for (let c = 0; c < a.channels; c++) {
          const j = j0 + c;
          const v = (dDst[d + j] as number) * (scale[w0 + c] as number);
          const l = (lo[w0 + c] as number) * inner + j;
          const h = (hi[w0 + c] as number) * inner + j;
          diff[l] = (diff[l] as number) + v;
          diff[h] = (diff[h] as number) - v;
        }
      }
    }
    const sBase = o * a.length * inner;
    for (let j = 0; j < inner; j++) dSrc[sBase + j] = diff[j] as number;
    for (let i = 1; i < a.length; i++) {
      const row = i * inner;
      const s = sBase + row;
      for (let j = 0; j < inner; j++) {
        diff[row + j] = (diff[row + j] as number) + (diff[row - inner + j] as number);
        dSrc[s + j] = diff[row + j] as number;
      }
    }
  }
}

/** [N, H, W, C] → [N, Ho, Wo, C]. */
export function boxPoolOutputShape(shape: readonly number[], w: BoxPoolWindow): [number, number, number, number] {
  const [n = 0, h = 0, wd = 0, c = 0] = shape;
  return [n, boxOutputSize(h, w.kh[0] ?? 1, w.ph[0] ?? 0, w.stride[0]), boxOutputSize(wd, w.kw[0] ?? 1, w.pw[0] ?? 0, w.stride[1]), c];
}

function axes(shape: readonly number[], w: BoxPoolWindow): [Axis, Axis] {
  const [n = 0, h = 0, wd = 0, c = 0] = shape;
  const [, ho, wo] = boxPoolOutputShape(shape, w);
  const rows: Axis = { outer: n, length: h, outLength: ho, spatial: wd, channels: c, stride: w.stride[0], size: w.kh, pad: w.ph, clipped: w.clipped };
  const cols: Axis = { outer: n * ho, length: wd, outLength: wo, spatial: 1, channels: c, stride: w.stride[1], size: w.kw, pad: w.pw, clipped: w.clipped };
  return [rows, cols];
}

export function boxPoolForward(x: Float32Array, shape: readonly number[], w: BoxPoolWindow, out: Float32Array): void {
  const [rows, cols] = axes(shape, w);
  const tmp = new Float32Array(rows.outer * rows.outLength * rows.spatial * rows.channels);
  boxPass(x, rows, tmp);
  boxPass(tmp, cols, out);
}

/** dx from dy, for input shape `shape`. */
export function boxPoolBackward(dy: Float32Array, shape: readonly number[], w: BoxPoolWindow, dx: Float32Array): void {
  const [rows, cols] = axes(shape, w);
  const tmp = new Float32Array(rows.outer * rows.outLength * rows.spatial * rows.channels);
  boxPassTranspose(dy, cols, tmp);
  boxPassTranspose(tmp, rows, dx);
}
