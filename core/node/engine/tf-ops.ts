import type * as tfc from '@tensorflow/tfjs';
import { assertNever } from '../../assert-never.js';
import type { InputAttrs } from '../../ops/input.js';
import type { GraphNode } from '../../graph/model-graph.js';
import type { AvgPoolAttrs } from '../../ops/avgpool.js';
import type { BatchNormAttrs } from '../../ops/batchnorm.js';
import type { ChannelShuffleAttrs } from '../../ops/channel-shuffle.js';
import type { ConvAttrs } from '../../ops/conv.js';
import type { MaxPoolAttrs } from '../../ops/maxpool.js';
import { mixedPoolSplits, type MixedPoolAttrs } from '../../ops/mixedpool.js';
import { batchNormTrain, convValid, depthwiseValid, maxPoolValid } from './tf-grads.js';
import { batchNormTrainKernel, boxPool, concatChannels, maxPool, splitChannels, usesReframeKernels } from './tf-kernel-ops.js';

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
    const xs = splitChannels(tf, xp, a.groups);
    const ws = tf.split(hwio, a.groups, 3);
    y = concatChannels(
      tf,
      xs.map((xg, g) => convValid(tf, xg as tfc.Tensor4D, ws[g] as tfc.Tensor4D, a.stride, learn)),
    );
  }
  return a.bias ? tf.add(y, p.param('bias')) : y;
}

function updateRunningStats(tf: TF, state: NonNullable<NodeTensors['state']>, momentum: number, mean: T, biased: T, n: number): void {
  // PyTorch keeps the unbiased variance in its running estimate, the biased one in the forward pass.
  const unbiased = tf.mul(biased, n / Math.max(n - 1, 1));
  state.mean.assign(tf.add(tf.mul(state.mean, 1 - momentum), tf.mul(mean, momentum)));
  state.variance.assign(tf.add(tf.mul(state.variance, 1 - momentum), tf.mul(unbiased, momentum)));
}

function batchNorm(tf: TF, x: T, a: BatchNormAttrs, p: NodeTensors, training: boolean): T {
  const axes = x.rank === 4 ? [0, 1, 2] : [0];
  const state = p.state;
  if (state === undefined) throw new Error('batchnorm without running statistics');
  if (training && usesReframeKernels(tf)) {
    const n = x.size / (x.shape[x.rank - 1] as number);
    return batchNormTrainKernel(tf, x, p.param('weight'), p.param('bias'), a.eps, (mean, variance) => updateRunningStats(tf, state, a.momentum, mean, variance, n));
  }
  if (training) {
    const m = tf.moments(x, axes);
    updateRunningStats(tf, state, a.momentum, m.mean, m.variance, axes.reduce((s, ax) => s * (x.shape[ax] as number), 1));
    return batchNormTrain(tf, x, p.param('weight'), p.param('bias'), a.eps);
  }
  return tf.batchNorm(x, state.mean, state.variance, p.param('bias'), p.param('weight'), a.eps);
}

/**
 * Average pooling as two depthwise box filters (k×1, then 1×k): k + k multiplies per output instead of
 * k·k, and a gradient made of forward depthwise convolutions (the stock AvgPoolGrad dominated training
 * time with ReFrame's 11×11 windows). Exact up to float rounding of the 1/k weights.
 */
function avgPool(tf: TF, x: T, k: readonly [number, number], s: readonly [number, number], pad: readonly [number, number], includePad: boolean): T {
  if (usesReframeKernels(tf)) {
    const c = x.shape[3] as number;
    const each = (v: number) => Array.from({ length: c }, () => v);
    return boxPool(tf, x, { kh: each(k[0]), kw: each(k[1]), ph: each(pad[0]), pw: each(pad[1]), stride: s, clipped: !includePad });
  }
  const box = (t: tfc.Tensor4D) => {
    const c = t.shape[3];
    const rows = depthwiseValid(tf, t, tf.fill([k[0], 1, c, 1], 1 / k[0]) as tfc.Tensor4D, [s[0], 1], false);
    return depthwiseValid(tf, rows, tf.fill([1, k[1], c, 1], 1 / k[1]) as tfc.Tensor4D, [1, s[1]], false);
  };
  const y = box(pad2d(tf, x, pad[0], pad[1]) as tfc.Tensor4D);
  if (includePad || (pad[0] === 0 && pad[1] === 0)) return y;
  // Divide by the real elements per window instead of k·k: pool a mask of ones the same way.
  const ones = pad2d(tf, tf.onesLike(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, 1])), pad[0], pad[1]) as tfc.Tensor4D;
  return tf.div(y, box(ones));
}

/**
 * The mixed pool in one pass: one separable depthwise box filter as wide as the largest kernel, each
 * channel's taps 1/k over its own group's k centred taps and 0 elsewhere. With padding K//2 for all,
 * every channel sees exactly its k×k window (the extra taps weigh padding or pixels by 0), with no
 * split or concat of the activations, which are slow to copy on the wasm backend.
 */
function mixedPool(tf: TF, x: T, a: MixedPoolAttrs): T {
  const c = x.shape[3] as number;
  const big = Math.max(...a.kernels);
  const half = Math.floor(big / 2);
  const splits = mixedPoolSplits(c, a.kernels.length);
  if (usesReframeKernels(tf)) {
    const k = splits.flatMap((n, g) => Array.from({ length: n }, () => a.kernels[g] as number));
    const pad = k.map((kk) => Math.floor(kk / 2));
    return boxPool(tf, x, { kh: k, kw: k, ph: pad, pw: pad, stride: [a.stride, a.stride], clipped: !a.countIncludePad });
  }
  const taps = new Float32Array(big * c);
  let channel = 0;
  splits.forEach((n, g) => {
    const k = a.kernels[g] as number;
    for (let j = 0; j < n; j++, channel++) {
      for (let t = half - Math.floor(k / 2); t <= half + Math.floor(k / 2); t++) taps[t * c + channel] = 1 / k;
    }
  });
  const box = (t: tfc.Tensor4D) => {
    const rows = depthwiseValid(tf, t, tf.tensor4d(taps, [big, 1, c, 1]), [a.stride, 1], false);
    return depthwiseValid(tf, rows, tf.tensor4d(taps, [1, big, c, 1]), [1, a.stride], false);
  };
  const y = box(pad2d(tf, x, half, half) as tfc.Tensor4D);
  if (a.countIncludePad) return y;
  // Per-channel share of real pixels in each window, from a mask of ones pooled the same way.
  const ones = pad2d(tf, tf.onesLike(tf.slice(x, [0, 0, 0, 0], [1, -1, -1, -1])), half, half) as tfc.Tensor4D;
  return tf.div(y, box(ones));
}

/** One node forward; inputs and output NHWC for images, [N, F] for vectors. */
export function forwardNode(tf: TF, node: GraphNode, inputs: readonly T[], p: NodeTensors, training: boolean): T {
  const x = inputs[0] as T;
  switch (node.op) {
    case 'input': {
      const n = (node.attrs as InputAttrs).normalize;
      // Channels (features) are the last axis in the engine's layout, so a 1-D tensor broadcasts per channel.
      return n === undefined ? x : tf.div(tf.sub(x, tf.tensor1d(n.mean as number[])), tf.tensor1d(n.std as number[]));
    }
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
      if (usesReframeKernels(tf)) return maxPool(tf, x, { kernel: a.kernel, stride: a.stride, pad: a.padding });
      // Padding counts as −∞ for max pooling, as in PyTorch.
      return maxPoolValid(tf, pad2d(tf, x, a.padding[0], a.padding[1], Number.NEGATIVE_INFINITY) as tfc.Tensor4D, a.kernel, a.stride);
    }
    case 'avgpool': {
      const a = node.attrs as AvgPoolAttrs;
      return avgPool(tf, x, a.kernel, a.stride, a.padding, a.countIncludePad);
    }
    case 'mixedpool':
      return mixedPool(tf, x, node.attrs as MixedPoolAttrs);
    case 'add':
      return tf.add(x, inputs[1] as T);
    case 'sub':
      return tf.sub(x, inputs[1] as T);
    case 'concat':
      return concatChannels(tf, inputs);
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
