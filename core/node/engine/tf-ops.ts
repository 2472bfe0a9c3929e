import type * as tfc from '@tensorflow/tfjs';
import { assertNever } from '../../assert-never.js';
import type { GraphNode } from '../../graph/model-graph.js';
import type { AvgPoolAttrs } from '../../ops/avgpool.js';
import type { BatchNormAttrs } from '../../ops/batchnorm.js';
import type { ChannelShuffleAttrs } from '../../ops/channel-shuffle.js';
import type { ConvAttrs } from '../../ops/conv.js';
import type { MaxPoolAttrs } from '../../ops/maxpool.js';
import { mixedPoolSplits, type MixedPoolAttrs } from '../../ops/mixedpool.js';
import { convValid, depthwiseValid, maxPoolValid } from './tf-grads.js';

type TF = typeof tfc;
type T = tfc.Tensor;

/** The tensors one node reads: its parameters in engine layout, and BN state. */
export interface NodeTensors {
  param(name: string): T;
  /** Whether the optimizer updates this parameter (false for seeded and frozen ones). */
  trainable(name: string): boolean;
  /** BatchNorm running statistics, updated in training mode. */
  state?: { readonly mean: tfc.Variable; readonly variance: tfc.Variable };
}

/**
 * Images run as NHWC inside the engine (tfjs's layout); the spec's semantics are PyTorch's, so
 * padding is explicit and symmetric, sizes floor, and flatten reorders to C-major before reshaping.
 */
function pad2d(tf: TF, x: T, ph: number, pw: number, value = 0): T {
  if (ph === 0 && pw === 0) return x;
  return tf.pad(x as tfc.Tensor4D, [
    [0, 0],
    [ph, ph],
    [pw, pw],
    [0, 0],
  ], value);
}

function conv(tf: TF, x: T, a: ConvAttrs, p: NodeTensors): T {
  const xp = pad2d(tf, x, a.padding[0], a.padding[1]) as tfc.Tensor4D;
  // Weights arrive OIHW [O, I/g, kh, kw]; tfjs wants HWIO.
  const w = p.param('weight');
  const learn = p.trainable('weight');
  const cin = x.shape[3] as number;
  const hwio = tf.transpose(w, [2, 3, 1, 0]) as tfc.Tensor4D;
  let y: T;
  if (a.groups === 1) {
    y = convValid(tf, xp, hwio, a.stride, learn);
  } else if (a.groups === cin) {
    // Depthwise: output channel c·m + j reads input channel c, which is tfjs's depthwise order.
    const m = a.outChannels / cin;
    y = depthwiseValid(tf, xp, tf.reshape(hwio, [a.kernel[0], a.kernel[1], cin, m]) as tfc.Tensor4D, a.stride, learn);
  } else {
    const xs = tf.split(xp, a.groups, 3);
    const ws = tf.split(hwio, a.groups, 3);
    y = tf.concat(
      xs.map((xg, g) => convValid(tf, xg as tfc.Tensor4D, ws[g] as tfc.Tensor4D, a.stride, learn)),
      3,
    );
  }
  return a.bias ? tf.add(y, p.param('bias')) : y;
}

function batchNorm(tf: TF, x: T, a: BatchNormAttrs, p: NodeTensors, training: boolean): T {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const state = p.state;
  if (state === undefined) throw new Error('batchnorm without running statistics');
  let mean: T;
  let variance: T;
  if (training) {
    const m = tf.moments(x, axes);
    mean = m.mean;
    variance = m.variance;
    const n = axes.reduce((s, ax) => s * (x.shape[ax] as number), 1);
    // PyTorch keeps the unbiased variance in its running estimate, the biased one in the forward pass.
    const unbiased = tf.mul(variance, n / Math.max(n - 1, 1));
    state.mean.assign(tf.add(tf.mul(state.mean, 1 - a.momentum), tf.mul(mean, a.momentum)));
    state.variance.assign(tf.add(tf.mul(state.variance, 1 - a.momentum), tf.mul(unbiased, a.momentum)));
  } else {
    mean = state.mean;
    variance = state.variance;
  }
  return tf.batchNorm(x, mean, variance, p.param('bias'), p.param('weight'), a.eps);
}

function avgPool(tf: TF, x: T, k: readonly [number, number], s: readonly [number, number], pad: readonly [number, number], includePad: boolean): T {
  const xp = pad2d(tf, x, pad[0], pad[1]) as tfc.Tensor4D;
  const y = tf.avgPool(xp, k as [number, number], s as [number, number], 'valid');
  if (includePad || (pad[0] === 0 && pad[1] === 0)) return y;
  // Divide by the real elements per window instead of k·k: pool a mask of ones the same way.
  const ones = pad2d(tf, tf.onesLike(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, 1])), pad[0], pad[1]) as tfc.Tensor4D;
  const share = tf.avgPool(ones, k as [number, number], s as [number, number], 'valid');
  return tf.div(y, share);
}

/** One node forward; inputs and output NHWC for images, [N, F] for vectors. */
export function forwardNode(tf: TF, node: GraphNode, inputs: readonly T[], p: NodeTensors, training: boolean): T {
  const x = inputs[0] as T;
  switch (node.op) {
    case 'input':
      return x;
    case 'conv':
      return conv(tf, x, node.attrs as ConvAttrs, p);
    case 'dense': {
      const y = tf.matMul(x as tfc.Tensor2D, p.param('weight') as tfc.Tensor2D, false, true);
      return (node.attrs as { bias: boolean }).bias ? tf.add(y, p.param('bias')) : y;
    }
    case 'batchnorm':
      return batchNorm(tf, x, node.attrs as BatchNormAttrs, p, training);
    case 'relu':
      return tf.relu(x);
    case 'maxpool': {
      const a = node.attrs as MaxPoolAttrs;
      // Padding counts as −∞ for max pooling, as in PyTorch.
      return maxPoolValid(tf, pad2d(tf, x, a.padding[0], a.padding[1], Number.NEGATIVE_INFINITY) as tfc.Tensor4D, a.kernel, a.stride);
    }
    case 'avgpool': {
      const a = node.attrs as AvgPoolAttrs;
      return avgPool(tf, x, a.kernel, a.stride, a.padding, a.countIncludePad);
    }
    case 'mixedpool': {
      const a = node.attrs as MixedPoolAttrs;
      const parts = tf.split(x, mixedPoolSplits(x.shape[3] as number, a.kernels.length), 3);
      return tf.concat(
        parts.map((part, i) => {
          const k = a.kernels[i] as number;
          const half = Math.floor(k / 2);
          return avgPool(tf, part, [k, k], [a.stride, a.stride], [half, half], a.countIncludePad);
        }),
        3,
      );
    }
    case 'add':
      return tf.add(x, inputs[1] as T);
    case 'sub':
      return tf.sub(x, inputs[1] as T);
    case 'concat':
      return tf.concat(inputs as T[], 3);
    case 'channelshuffle': {
      const g = (node.attrs as ChannelShuffleAttrs).groups;
      const [n, h, w, c] = x.shape as [number, number, number, number];
      return tf.reshape(tf.transpose(tf.reshape(x, [n, h, w, g, c / g]), [0, 1, 2, 4, 3]), [n, h, w, c]);
    }
    case 'globalavgpool':
      return tf.mean(x, [1, 2], true);
    case 'flatten': {
      if (x.rank === 2) return x;
      // PyTorch flattens C-major: go back to NCHW first.
      const n = x.shape[0] as number;
      return tf.reshape(tf.transpose(x, [0, 3, 1, 2]), [n, -1]);
    }
    case 'softmax':
      return tf.softmax(x);
    default:
      return assertNever(node.op);
  }
}
