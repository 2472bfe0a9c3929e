import type { NamedAttrMap } from '@tensorflow/tfjs';
import { concatLastAxis, sliceLastAxis, splitLastAxis } from './channels.js';
import { batchNormBackward, batchNormForward } from './batch-norm.js';
import { boxPoolBackward, boxPoolForward, boxPoolOutputShape, type BoxPoolWindow } from './box-pool.js';
import type { HeapKernel } from './heap-kernels.js';
import { maxPoolBackward, maxPoolForward, maxPoolOutputShape, type MaxPoolWindow } from './max-pool.js';

export const BOX_POOL = 'ReframeBoxPool';
export const BOX_POOL_GRAD = 'ReframeBoxPoolGrad';
export const MAX_POOL = 'ReframeMaxPool';
export const MAX_POOL_GRAD = 'ReframeMaxPoolGrad';
export const CONCAT_CHANNELS = 'ReframeConcatChannels';
export const SPLIT_CHANNELS = 'ReframeSplitChannels';
export const SLICE_CHANNELS = 'ReframeSliceChannels';
export const BATCH_NORM_TRAIN = 'ReframeBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'ReframeBatchNormTrainGrad';

const nums = (a: NamedAttrMap, key: string): number[] => a[key] as number[];
const pair = (a: NamedAttrMap, key: string): [number, number] => [nums(a, key)[0] ?? 0, nums(a, key)[1] ?? 0];

export function boxWindowAttrs(w: BoxPoolWindow): NamedAttrMap {
  return { kh: [...w.kh], kw: [...w.kw], ph: [...w.ph], pw: [...w.pw], stride: [...w.stride], clipped: w.clipped };
}
const boxWindow = (a: NamedAttrMap): BoxPoolWindow => ({ kh: nums(a, 'kh'), kw: nums(a, 'kw'), ph: nums(a, 'ph'), pw: nums(a, 'pw'), stride: pair(a, 'stride'), clipped: a['clipped'] === true });

export function maxWindowAttrs(w: MaxPoolWindow): NamedAttrMap {
  return { kernel: [...w.kernel], stride: [...w.stride], pad: [...w.pad] };
}
const maxWindow = (a: NamedAttrMap): MaxPoolWindow => ({ kernel: pair(a, 'kernel'), stride: pair(a, 'stride'), pad: pair(a, 'pad') });

const same = (shapes: readonly (readonly number[])[], i = 0): number[] => [...(shapes[i] ?? [])];
const channels = (shape: readonly number[]): number => shape[shape.length - 1] ?? 0;

export const REFRAME_KERNELS: readonly HeapKernel[] = [
  {
    name: BOX_POOL,
    inputs: ['x'],
    outputShapes: (s, a) => [boxPoolOutputShape(same(s), boxWindow(a))],
    body: ([x], [shape], [out], a) => boxPoolForward(x as Float32Array, shape as number[], boxWindow(a), out as Float32Array),
  },
  {
    // dy → dx; the input shape travels as an attribute (the gradient has no x).
    name: BOX_POOL_GRAD,
    inputs: ['dy'],
    outputShapes: (_s, a) => [nums(a, 'inShape')],
    body: ([dy], _shapes, [dx], a) => boxPoolBackward(dy as Float32Array, nums(a, 'inShape'), boxWindow(a), dx as Float32Array),
  },
  {
    name: MAX_POOL,
    inputs: ['x'],
    outputShapes: (s, a) => [maxPoolOutputShape(same(s), maxWindow(a))],
    body: ([x], [shape], [out], a) => maxPoolForward(x as Float32Array, shape as number[], maxWindow(a), out as Float32Array),
  },
  {
    name: MAX_POOL_GRAD,
    inputs: ['x', 'dy'],
    outputShapes: (s) => [same(s)],
    body: ([x, dy], [shape], [dx], a) => maxPoolBackward(x as Float32Array, dy as Float32Array, shape as number[], maxWindow(a), dx as Float32Array),
  },
  {
    name: CONCAT_CHANNELS,
    inputs: 'numbered',
    outputShapes: (s) => [[...(s[0] ?? []).slice(0, -1), s.reduce((sum, shape) => sum + channels(shape), 0)]],
    body: (parts, shapes, [out]) => concatLastAxis(parts, shapes.map(channels), out as Float32Array),
  },
  {
    // attrs.widths: the channels of each part.
    name: SPLIT_CHANNELS,
    inputs: ['x'],
    outputShapes: (s, a) => nums(a, 'widths').map((w) => [...(s[0] ?? []).slice(0, -1), w]),
    body: ([x], _shapes, outs, a) => splitLastAxis(x as Float32Array, nums(a, 'widths'), outs),
  },
  {
    // attrs.begin, attrs.width: the channels taken.
    name: SLICE_CHANNELS,
    inputs: ['x'],
    outputShapes: (s, a) => [[...(s[0] ?? []).slice(0, -1), a['width'] as number]],
    body: ([x], [shape], [out], a) => sliceLastAxis(x as Float32Array, channels(shape as number[]), a['begin'] as number, a['width'] as number, out as Float32Array),
  },
  {
    // → y, batch mean, biased batch variance.
    name: BATCH_NORM_TRAIN,
    inputs: ['x', 'gamma', 'beta'],
    outputShapes: (s) => [same(s), [channels(same(s))], [channels(same(s))]],
    body: ([x, gamma, beta], [shape], [y, mean, variance], a) =>
      batchNormForward({ x: x as Float32Array, gamma: gamma as Float32Array, beta: beta as Float32Array, channels: channels(shape as number[]), eps: a['eps'] as number }, y as Float32Array, mean as Float32Array, variance as Float32Array),
  },
  {
    // → dx, dγ, dβ.
    name: BATCH_NORM_TRAIN_GRAD,
    inputs: ['x', 'gamma', 'mean', 'variance', 'dy'],
    outputShapes: (s) => [same(s), [channels(same(s))], [channels(same(s))]],
    body: ([x, gamma, mean, variance, dy], [shape], [dx, dGamma, dBeta], a) =>
      batchNormBackward(
        { x: x as Float32Array, gamma: gamma as Float32Array, channels: channels(shape as number[]), eps: a['eps'] as number },
        dy as Float32Array,
        mean as Float32Array,
        variance as Float32Array,
        dx as Float32Array,
        dGamma as Float32Array,
        dBeta as Float32Array,
      ),
  },
];
