import { describe, expect, it } from 'vitest';
import { avgPoolOp } from './avgpool.js';
import { globalAvgPoolOp } from './global-avgpool.js';
import { maxPoolOp } from './maxpool.js';
import { mixedPoolOp, mixedPoolSplits } from './mixedpool.js';

describe('maxpool and avgpool', () => {
  it('default the stride to the kernel, as PyTorch does', () => {
    const a = avgPoolOp.resolve({ name: 'p', op: 'avgpool', inputs: ['x'], kernel: 4 });
    expect(a).toEqual({ kernel: [4, 4], stride: [4, 4], padding: [0, 0], countIncludePad: true });
    expect(avgPoolOp.outputShape(a, [[512, 4, 4]])).toEqual({ ok: true, shape: [512, 1, 1] });
  });

  it('count comparisons and adds per output', () => {
    const m = maxPoolOp.resolve({ name: 'p', op: 'maxpool', inputs: ['x'], kernel: 3, stride: 1, padding: 1 });
    expect(maxPoolOp.otherOps(m, [[2, 4, 4]], [2, 4, 4])).toBe(32 * 8);
    const a = avgPoolOp.resolve({ name: 'p', op: 'avgpool', inputs: ['x'], kernel: 2 });
    expect(avgPoolOp.otherOps(a, [[1, 4, 4]], [1, 2, 2])).toBe(16);
  });

  it('refuse padding over half the kernel', () => {
    const m = maxPoolOp.resolve({ name: 'p', op: 'maxpool', inputs: ['x'], kernel: 3, padding: 2 });
    expect(maxPoolOp.outputShape(m, [[1, 8, 8]])).toMatchObject({ ok: false, problem: { field: 'padding' } });
  });

  it('global average pooling keeps a 1x1 map per channel', () => {
    expect(globalAvgPoolOp.outputShape({}, [[64, 7, 7]])).toEqual({ ok: true, shape: [64, 1, 1] });
    expect(globalAvgPoolOp.otherOps({}, [[64, 7, 7]], [64, 1, 1])).toBe(64 * 49);
  });
});

describe('mixedpool', () => {
  it('splits channels like ReFrame: near-equal groups, the first takes the remainder', () => {
    expect(mixedPoolSplits(64, 5)).toEqual([16, 12, 12, 12, 12]);
    expect(mixedPoolSplits(10, 5)).toEqual([2, 2, 2, 2, 2]);
    expect(mixedPoolSplits(7, 5)).toEqual([3, 1, 1, 1, 1]);
  });

  it('pads k//2 so every group keeps the same size, at stride 1 and 2', () => {
    const a = mixedPoolOp.resolve({ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 5, 7, 9, 11] });
    expect(mixedPoolOp.outputShape(a, [[64, 32, 32]])).toEqual({ ok: true, shape: [64, 32, 32] });
    const s2 = mixedPoolOp.resolve({ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 5], stride: 2 });
    expect(mixedPoolOp.outputShape(s2, [[4, 7, 7]])).toEqual({ ok: true, shape: [4, 4, 4] });
  });

  it('counts each group with its own window', () => {
    const a = mixedPoolOp.resolve({ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 5] });
    expect(mixedPoolOp.otherOps(a, [[3, 2, 2]], [3, 2, 2])).toBe(2 * 4 * 9 + 1 * 4 * 25);
  });

  it('rejects even kernels and too few channels', () => {
    const even = mixedPoolOp.resolve({ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 4] });
    expect(mixedPoolOp.outputShape(even, [[4, 8, 8]])).toMatchObject({ ok: false, problem: { field: 'kernels[1]' } });
    const many = mixedPoolOp.resolve({ name: 'm', op: 'mixedpool', inputs: ['x'], kernels: [3, 5, 7, 9, 11] });
    expect(mixedPoolOp.outputShape(many, [[4, 8, 8]])).toMatchObject({ ok: false, problem: { field: 'kernels' } });
  });
});
