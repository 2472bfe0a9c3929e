import { describe, expect, it } from 'vitest';
import { batchNormOp } from './batchnorm.js';
import { channelShuffleOp } from './channel-shuffle.js';
import { concatOp } from './concat.js';
import { denseOp } from './dense.js';
import { addOp } from './elementwise-binary.js';
import { flattenOp } from './flatten.js';
import { softmaxOp } from './softmax.js';

describe('shape-only and elementwise ops', () => {
  it('concat joins channels and insists on one spatial size', () => {
    expect(concatOp.outputShape({}, [[2, 4, 4], [3, 4, 4]])).toEqual({ ok: true, shape: [5, 4, 4] });
    expect(concatOp.outputShape({}, [[2, 4, 4], [3, 2, 2]])).toMatchObject({ ok: false, problem: { field: 'inputs[1]' } });
  });

  it('add refuses broadcasting', () => {
    expect(addOp.outputShape({}, [[2, 4, 4], [2, 4, 4]])).toEqual({ ok: true, shape: [2, 4, 4] });
    expect(addOp.outputShape({}, [[2, 4, 4], [1, 4, 4]])).toMatchObject({
      ok: false,
      problem: { message: 'shape [1,4,4] does not match inputs[0] shape [2,4,4]' },
    });
  });

  it('flatten is a view and channelshuffle needs divisible channels', () => {
    expect(flattenOp.outputShape({}, [[64, 2, 2]])).toEqual({ ok: true, shape: [256] });
    expect(flattenOp.memory({}, [[64, 2, 2]], [256]).aliasesInput).toBe(true);
    expect(channelShuffleOp.outputShape({ groups: 3 }, [[8, 2, 2]])).toMatchObject({ ok: false, problem: { field: 'groups' } });
  });

  it('batchnorm keeps running statistics as state, not parameters', () => {
    const a = batchNormOp.resolve({ name: 'b', op: 'batchnorm', inputs: ['x'] });
    expect(a).toEqual({ eps: 1e-5, momentum: 0.1 });
    expect(batchNormOp.params(a, [[16, 4, 4]]).map((p) => p.shape)).toEqual([[16], [16]]);
    expect(batchNormOp.stateElements(a, [[16, 4, 4]])).toBe(32);
    expect(batchNormOp.otherOps(a, [[16, 4, 4]], [16, 4, 4])).toBe(512);
  });

  it('dense wants a flat input and owns an [out, in] weight', () => {
    const a = denseOp.resolve({ name: 'fc', op: 'dense', inputs: ['x'], outFeatures: 10, bias: true });
    expect(denseOp.outputShape(a, [[512, 1, 1]])).toMatchObject({ ok: false, problem: { message: 'dense needs a flat [F] input, got [512,1,1]; add a flatten node' } });
    expect(denseOp.params(a, [[512]]).map((p) => p.shape)).toEqual([[10, 512], [10]]);
    expect(denseOp.macs(a, [[512]], [10])).toBe(5120);
    expect(softmaxOp.otherOps({}, [[10]], [10])).toBe(29);
  });
});
