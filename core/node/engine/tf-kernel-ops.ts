import type * as tfc from '@tensorflow/tfjs';
import { registerGradient } from '@tensorflow/tfjs';
import type { BoxPoolWindow } from './kernels/box-pool.js';
import { hasHeapKernel, registerHeapKernels } from './kernels/heap-kernels.js';
import type { MaxPoolWindow } from './kernels/max-pool.js';
import {
  BATCH_NORM_TRAIN,
  BATCH_NORM_TRAIN_GRAD,
  BOX_POOL,
  BOX_POOL_GRAD,
  boxWindowAttrs,
  CONCAT_CHANNELS,
  MAX_POOL,
  MAX_POOL_GRAD,
  maxWindowAttrs,
  REFRAME_KERNELS,
  SLICE_CHANNELS,
  SPLIT_CHANNELS,
} from './kernels/reframe-kernels.js';

type TF = typeof tfc;
type T = tfc.Tensor;

/**
 * The project's kernels (kernels/) as tfjs ops. Their gradients are registered like tfjs's own, so
 * the tape records them; each gradient is itself one of the project's kernels. Gradient functions
 * receive the engine through the tensors they are given (no module-level tf instance).
 */
const run = (tf: TF, name: string, inputs: Record<string, T>, attrs: tfc.NamedAttrMap): T | T[] => tf.engine().runKernel(name, inputs as tfc.NamedTensorMap, attrs) as T | T[];

let engineForGradients: TF | undefined;
const engine = (): TF => {
  if (engineForGradients === undefined) throw new Error('reframe kernels used before registration');
  return engineForGradients;
};
const first = (dy: T | T[]): T => (Array.isArray(dy) ? (dy[0] as T) : dy);

function register(tf: TF): void {
  if (engineForGradients !== undefined) return;
  engineForGradients = tf;
  registerHeapKernels(REFRAME_KERNELS);
  registerGradient({ kernelName: BOX_POOL, gradFunc: (dy, _saved, attrs) => ({ x: () => run(engine(), BOX_POOL_GRAD, { dy: first(dy) }, attrs) as T }) });
  registerGradient({
    kernelName: CONCAT_CHANNELS,
    // Each part's gradient is its own slice: the tape runs every input's gradient in its own tidy,
    // so one split shared between them would be disposed after the first.
    gradFunc: (dy, _saved, attrs) => {
      const widths = attrs['widths'] as number[];
      const begins = widths.map((_, i) => widths.slice(0, i).reduce((a, b) => a + b, 0));
      return Object.fromEntries(widths.map((width, i) => [String(i), () => run(engine(), SLICE_CHANNELS, { x: first(dy) }, { begin: begins[i] as number, width }) as T]));
    },
  });
  registerGradient({
    kernelName: SPLIT_CHANNELS,
    gradFunc: (dys, _saved, attrs) => ({ x: () => run(engine(), CONCAT_CHANNELS, Object.fromEntries((dys as T[]).map((d, i) => [String(i), d])), attrs) as T }),
  });
}

/** Whether the backend in use runs the project's kernels; tfjs-node keeps the composite ops. */
export function usesReframeKernels(tf: TF): boolean {
  register(tf);
  return hasHeapKernel(BOX_POOL, tf.getBackend());
}

/** Average pooling with a window per channel (see kernels/box-pool.ts); x is NHWC, unpadded. */
export function boxPool(tf: TF, x: T, w: BoxPoolWindow): T {
  register(tf);
  return run(tf, BOX_POOL, { x }, { ...boxWindowAttrs(w), inShape: [...x.shape] }) as T;
}

function stockMaxPool(tf: TF, x: T, w: MaxPoolWindow): T {
  const [ph, pw] = w.pad;
  const padded = ph === 0 && pw === 0 ? x : tf.pad(x, [[0, 0], [ph, ph], [pw, pw], [0, 0]], Number.NEGATIVE_INFINITY);
  return tf.maxPool(padded as tfc.Tensor4D, [...w.kernel] as [number, number], [...w.stride] as [number, number], 'valid');
}

/** Max pooling with −∞ padding and PyTorch's first-maximum gradient; x is NHWC, unpadded. */
export function maxPool(tf: TF, x: T, w: MaxPoolWindow): T {
  register(tf);
  const attrs = maxWindowAttrs(w);
  const op = tf.customGrad((...args: (T | tfc.GradSaveFunc)[]) => {
    const [xi, save] = args as [T, tfc.GradSaveFunc];
    save([xi]);
    return {
      // The stock wasm forward kernel is fast (only its gradient is wrong and slow); the loop here is
      // the reference the cpu backend runs. One difference: the stock kernel skips NaN where PyTorch
      // (and the loop) let it win a window; a NaN activation has derailed training either way.
      value: tf.getBackend() === 'wasm' ? stockMaxPool(tf, xi, w) : (run(tf, MAX_POOL, { x: xi }, attrs) as T),
      gradFunc: (dy: T, saved: T[]) => run(tf, MAX_POOL_GRAD, { x: saved[0] as T, dy }, attrs) as T,
    };
  });
  return op(x) as T;
}

/**
 * Batch normalisation with batch statistics over every axis but the last, its gradient one kernel.
 * `onStats` receives the batch mean and biased variance while they live (for the running estimates).
 */
export function batchNormTrainKernel(tf: TF, x: T, gamma: T, beta: T, eps: number, onStats: (mean: T, variance: T) => void): T {
  register(tf);
  const op = tf.customGrad((...args: (T | tfc.GradSaveFunc)[]) => {
    const [xi, g, b, save] = args as [T, T, T, tfc.GradSaveFunc];
    const [y, mean, variance] = run(tf, BATCH_NORM_TRAIN, { x: xi, gamma: g, beta: b }, { eps }) as [T, T, T];
    save([xi, g, mean, variance]);
    onStats(mean, variance);
    return {
      value: y,
      gradFunc: (dy: T, saved: T[]) => {
        const [xs, gs, m, v] = saved as [T, T, T, T];
        return run(tf, BATCH_NORM_TRAIN_GRAD, { x: xs, gamma: gs, mean: m, variance: v, dy }, { eps }) as T[];
      },
    };
  });
  return op(x, gamma, beta);
}

const channelsOf = (t: T): number => t.shape[t.rank - 1] as number;

/** tf.concat along the last axis. */
export function concatChannels(tf: TF, parts: readonly T[]): T {
  if (parts.length === 1) return parts[0] as T;
  if (!usesReframeKernels(tf)) return tf.concat(parts as T[], -1);
  return run(tf, CONCAT_CHANNELS, Object.fromEntries(parts.map((x, i) => [String(i), x])), { widths: parts.map(channelsOf) }) as T;
}

/** tf.split into equal parts along the last axis. */
export function splitChannels(tf: TF, x: T, count: number): T[] {
  if (!usesReframeKernels(tf)) return tf.split(x, count, -1);
  const c = channelsOf(x);
  // tf.split refuses an uneven split; the kernel would be handed fractional widths.
  if (!Number.isInteger(count) || count < 1 || c % count !== 0) throw new Error(`splitChannels: ${c} channels do not split into ${count} equal parts`);
  const widths = Array.from({ length: count }, () => c / count);
  return run(tf, SPLIT_CHANNELS, { x }, { widths }) as T[];
}
