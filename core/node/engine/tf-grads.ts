import type * as tfc from '@tensorflow/tfjs';

type TF = typeof tfc;
type T4 = tfc.Tensor4D;

/**
 * Convolution and pooling with gradients written as forward ops. The wasm backend lacks the filter
 * gradients, computes the input gradient with a slow plain loop, and routes max-pool gradients wrongly
 * when a window's maximum is negative; forward convolutions run 5–10× faster there. These run on any
 * backend and are checked against finite differences and the cpu backend's own gradients.
 * Every op here is 'valid' (the model pads explicitly beforehand).
 */

/** Inserts s − 1 zeros between rows and columns: [N,H,W,C] → [N,(H−1)s+1,(W−1)s+1,C]. */
export function zeroInsert(tf: TF, x: T4, s: readonly [number, number]): T4 {
  if (s[0] === 1 && s[1] === 1) return x;
  const [n, h, w, c] = x.shape;
  const spread = tf.pad(tf.reshape(x, [n, h, 1, w, 1, c]), [[0, 0], [0, 0], [0, s[0] - 1], [0, 0], [0, s[1] - 1], [0, 0]]);
  return tf.slice(tf.reshape(spread, [n, h * s[0], w * s[1], c]), [0, 0, 0, 0], [n, (h - 1) * s[0] + 1, (w - 1) * s[1] + 1, c]) as T4;
}

/** Pads a zero-inserted gradient so a stride-1 'valid' conv with a k×k filter yields H×W. */
function fullPad(tf: TF, d: T4, k: readonly [number, number], h: number, w: number): T4 {
  const [, dh, dw] = d.shape;
  // Rows the forward floor dropped at the bottom/right receive no gradient: pad them as zeros.
  return tf.pad(d, [[0, 0], [k[0] - 1, h - dh], [k[1] - 1, w - dw], [0, 0]]);
}

/** conv2d (NHWC x, HWIO w) whose gradients are forward convolutions. */
export function convValid(tf: TF, x: T4, w: T4, stride: readonly [number, number], needFilterGrad: boolean): T4 {
  const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [xi, wi, save] = args as [tfc.Tensor, tfc.Tensor, tfc.GradSaveFunc];
    save([xi, wi]);
    return {
      value: tf.conv2d(xi as T4, wi as T4, stride as [number, number], 'valid'),
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [xs, ws] = saved as [T4, T4];
        const [kh, kw] = [ws.shape[0], ws.shape[1]];
        const [, h, wd] = xs.shape;
        // dx: correlate the zero-inserted, fully padded dy with the filter rotated 180° and its in/out swapped.
        // A 1×1 filter needs no rotation (Reverse is a slow copy on the wasm backend).
        const flipped = tf.transpose(kh === 1 && kw === 1 ? ws : tf.reverse(ws, [0, 1]), [0, 1, 3, 2]) as T4;
        const dx = tf.conv2d(fullPad(tf, zeroInsert(tf, dy as T4, stride), [kh, kw], h, wd), flipped, 1, 'valid');
        if (!needFilterGrad) return [dx, tf.zerosLike(ws)];
        // dw[kh,kw,ci,co] = Σ x[n, y·s+kh, x·s+kw, ci] dy[n,y,x,co]: a conv over x with channels and batch
        // swapped, dy as the filter, dilated by the stride.
        const xt = tf.transpose(xs, [3, 1, 2, 0]) as T4;
        const dyt = tf.transpose(dy, [1, 2, 0, 3]) as T4;
        const full = tf.conv2d(xt, dyt, 1, 'valid', 'NHWC', stride as [number, number]);
        const dw = tf.transpose(tf.slice(full, [0, 0, 0, 0], [-1, kh, kw, -1]), [1, 2, 0, 3]);
        return [dx, dw];
      },
    };
  });
  return op(x, w) as T4;
}

/** depthwiseConv2d (filter [kh,kw,C,m]) whose gradients are forward depthwise convolutions. */
export function depthwiseValid(tf: TF, x: T4, f: T4, stride: readonly [number, number], needFilterGrad: boolean): T4 {
  const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [xi, fi, save] = args as [tfc.Tensor, tfc.Tensor, tfc.GradSaveFunc];
    save([xi, fi]);
    return {
      value: tf.depthwiseConv2d(xi as T4, fi as T4, stride as [number, number], 'valid'),
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [xs, fs] = saved as [T4, T4];
        const [kh, kw, c, m] = fs.shape;
        const [n, h, wd] = xs.shape;
        // dx[c] = Σ_j correlate(dy[c·m+j], rotated f[c,j]): a depthwise conv over C·m channels, then a sum over j.
        const rotated = tf.reshape(tf.reverse(fs, [0, 1]), [kh, kw, c * m, 1]) as T4;
        const spread = tf.depthwiseConv2d(fullPad(tf, zeroInsert(tf, dy as T4, stride), [kh, kw], h, wd), rotated, 1, 'valid');
        const dx = m === 1 ? spread : tf.sum(tf.reshape(spread, [n, h, wd, c, m]), 4);
        if (!needFilterGrad) return [dx, tf.zerosLike(fs)];
        // df[kh,kw,c,j] = Σ_n Σ x[n,..,c] dy[n,..,c·m+j]: every (n, c) pair becomes one depthwise channel.
        const [, ho, wo] = (dy as T4).shape;
        const xt = tf.reshape(tf.transpose(xs, [1, 2, 0, 3]), [1, h, wd, n * c]) as T4;
        const dyt = tf.reshape(tf.transpose(dy, [1, 2, 0, 3]), [ho, wo, n * c, m]) as T4;
        const full = tf.depthwiseConv2d(xt, dyt, 1, 'valid', 'NHWC', stride as [number, number]);
        const df = tf.sum(tf.reshape(tf.slice(full, [0, 0, 0, 0], [1, kh, kw, -1]), [kh, kw, n, c, m]), 2);
        return [dx, df];
      },
    };
  });
  return op(x, f) as T4;
}

/**
 * maxPool whose gradient goes to the maximum of each window whatever the sign of the values. The
 * stock wasm MaxPoolGrad routes the gradient wrongly when a window's maximum is negative, so it runs on
 * the input shifted to be non-negative (−∞ padding stays −∞): each window's argmax is unchanged.
 * Exact ties send the gradient to the last maximum where PyTorch picks the first; after a ReLU such
 * ties are zeros whose gradient the ReLU stops either way, and reversing the tensors to match PyTorch
 * cost more than the whole pooling on this backend.
 */
export function maxPoolValid(tf: TF, x: T4, k: readonly [number, number], s: readonly [number, number]): T4 {
  const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [xi, save] = args as [tfc.Tensor, tfc.GradSaveFunc];
    const y = tf.maxPool(xi as T4, k as [number, number], s as [number, number], 'valid');
    save([xi, y]);
    return {
      value: y,
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [xs] = saved as [T4, T4];
        // The smallest finite value: padding is −∞ and must stay the smallest.
        const finite = tf.where(tf.isFinite(xs), xs, tf.zerosLike(xs));
        const shifted = tf.sub(xs, tf.min(finite)) as T4;
        const y = tf.maxPool(shifted, k as [number, number], s as [number, number], 'valid');
        return tf.engine().runKernel('MaxPoolGrad', { dy, input: shifted, output: y }, { filterSize: [...k], strides: [...s], pad: 'valid' }) as tfc.Tensor;
      },
    };
  });
  return op(x) as T4;
}

/**
 * Batch normalisation with batch statistics (training mode) whose gradient reduces per channel
 * directly; the stock gradient goes through Tile, which is slow on the wasm backend.
 * dx = γ/σ · (dy − mean(dy) − x̂ · mean(dy · x̂)), dγ = Σ dy · x̂, dβ = Σ dy, over every axis but channels.
 */
export function batchNormTrain(tf: TF, x: tfc.Tensor, gamma: tfc.Tensor, beta: tfc.Tensor, eps: number): tfc.Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const op = tf.customGrad((...args: (tfc.Tensor | tfc.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [tfc.Tensor, tfc.Tensor, tfc.Tensor, tfc.GradSaveFunc];
    const { mean, variance } = tf.moments(xi, axes);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const xhat = tf.mul(tf.sub(xi, mean), invStd);
    save([xhat, invStd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tfc.Tensor, saved: tfc.Tensor[]) => {
        const [xh, inv, gs] = saved as [tfc.Tensor, tfc.Tensor, tfc.Tensor];
        const dBeta = tf.sum(dy, axes);
        const dGamma = tf.sum(tf.mul(dy, xh), axes);
        const n = axes.reduce((p, a) => p * (dy.shape[a] as number), 1);
        const dx = tf.mul(tf.mul(gs, inv), tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xh, tf.div(dGamma, n))));
        return [dx, dGamma, dBeta];
      },
    };
  });
  return op(x, gamma, beta);
}
