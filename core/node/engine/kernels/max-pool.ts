/**
 * Max pooling over NHWC Float32Arrays with padding that never wins (PyTorch's −∞), and its gradient
 * sent to each window's first maximum in row-major order, as PyTorch does, whatever the sign of the
 * values (a window of −∞: its first element); NaN wins a window, the last NaN in row-major order, as
 * in PyTorch.
 *
 * Both run separably, along each row first, then down the columns: kw + kh comparisons per output
 * instead of kw·kh. Taking, down the columns, the first row whose row-maximum is the largest, and in
 * that row the first column holding it, is exactly the row-major first maximum.
 */
export interface MaxPoolWindow {
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly pad: readonly [number, number];
}

export function maxPoolOutputShape(shape: readonly number[], w: MaxPoolWindow): [number, number, number, number] {
  const [n = 0, h = 0, wd = 0, c = 0] = shape;
  const size = (len: number, i: 0 | 1) => Math.floor((len + 2 * w.pad[i] - w.kernel[i]) / w.stride[i]) + 1;
  return [n, size(h, 0), size(wd, 1), c];
}

/** Along each row: maxima [N, H, Wo, C] and the input column each came from (−1: padding only). */
function rowPass(x: Float32Array, shape: readonly number[], w: MaxPoolWindow, wo: number): { max: Float32Array; col: Int32Array } {
  const [n = 0, h = 0, wd = 0, c = 0] = shape;
  const max = new Float32Array(n * h * wo * c).fill(Number.NEGATIVE_INFINITY);
  const col = new Int32Array(max.length).fill(-1);
  for (let row = 0; row < n * h; row++) {
    const xRow = row * wd * c;
    for (let ox = 0; ox < wo; ox++) {
      const start = ox * w.stride[1] - w.pad[1];
      const q1 = Math.min(start + w.kernel[1], wd);
      const t = (row * wo + ox) * c;
      const q0 = Math.max(start, 0);
      for (let q = q0; q < q1; q++) {
        const xq = xRow + q * c;
        for (let ch = 0; ch < c; ch++) {
          const v = x[xq + ch] as number;
          // Strictly greater keeps the first maximum; v !== v lets NaN win (PyTorch's rule). The first
          // element is taken whatever it holds, as PyTorch's index starts there: a window of −∞ sends
          // its gradient to it.
          if (v > (max[t + ch] as number) || v !== v || q === q0) {
            max[t + ch] = v;
            col[t + ch] = q;
          }
        }
      }
    }
  }
  return { max, col };
}

/**
 * Down the columns of the row maxima: calls `take(out, r, t)` for each output index `out` with the
 * input row r and row-pass index t of its winner (r = −1: the window holds only padding).
 */
function columnPass(rows: Float32Array, shape: readonly number[], w: MaxPoolWindow, ho: number, wo: number, out: Float32Array | undefined, winner: Int32Array | undefined): void {
  const [n = 0, h = 0, , c = 0] = shape;
  const span = wo * c;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < ho; oy++) {
      const start = oy * w.stride[0] - w.pad[0];
      const r1 = Math.min(start + w.kernel[0], h);
      const o = (b * ho + oy) * span;
      const best = new Float32Array(span).fill(Number.NEGATIVE_INFINITY);
      const at = new Int32Array(span).fill(-1);
      const r0 = Math.max(start, 0);
      for (let r = r0; r < r1; r++) {
        const t = (b * h + r) * span;
        for (let i = 0; i < span; i++) {
          const v = rows[t + i] as number;
          if (v > (best[i] as number) || v !== v || r === r0) {
            best[i] = v;
            at[i] = t + i;
          }
        }
      }
      if (out !== undefined) out.set(best, o);
      if (winner !== undefined) winner.set(at, o);
    }
  }
}

export function maxPoolForward(x: Float32Array, shape: readonly number[], w: MaxPoolWindow, out: Float32Array): void {
  const [, ho, wo] = maxPoolOutputShape(shape, w);
  columnPass(rowPass(x, shape, w, wo).max, shape, w, ho, wo, out, undefined);
}

/** dx (zeroed here) from dy, for input x of shape `shape`. */
export function maxPoolBackward(x: Float32Array, dy: Float32Array, shape: readonly number[], w: MaxPoolWindow, dx: Float32Array): void {
  const [, ho, wo, c] = maxPoolOutputShape(shape, w);
  const wd = shape[2] ?? 0;
  const rows = rowPass(x, shape, w, wo);
  const winner = new Int32Array(dy.length);
  columnPass(rows.max, shape, w, ho, wo, undefined, winner);
  dx.fill(0);
  for (let o = 0; o < dy.length; o++) {
    const t = winner[o] as number;
    // −1: the window holds only padding (a padding wider than half the window, which the spec refuses).
    const q = t < 0 ? -1 : (rows.col[t] as number);
    if (q < 0) continue;
    // t indexes [N·H, Wo, C]: its row and channel, with the column the row pass recorded.
    const ch = t % c;
    const row = Math.floor(t / (wo * c));
    const i = (row * wd + q) * c + ch;
    dx[i] = (dx[i] as number) + (dy[o] as number);
  }
}
