import { describe, expect, it } from 'vitest';
import { convOp } from './conv.js';

const attrs = (o: Record<string, unknown>) => convOp.resolve({ name: 'c', op: 'conv', inputs: ['x'], bias: false, ...o });

describe('conv', () => {
  it('follows PyTorch: floor output size, explicit symmetric padding', () => {
    const a = attrs({ outChannels: 16, kernel: 3, stride: 2, padding: 1 });
    expect(convOp.outputShape(a, [[3, 32, 32]])).toEqual({ ok: true, shape: [16, 16, 16] });
    expect(convOp.outputShape(a, [[3, 7, 8]])).toEqual({ ok: true, shape: [16, 4, 4] });
    const rect = attrs({ outChannels: 4, kernel: [1, 3], padding: [0, 1] });
    expect(convOp.outputShape(rect, [[2, 5, 6]])).toEqual({ ok: true, shape: [4, 5, 6] });
  });

  it('owns an OIHW weight with in_channels / groups and counts MACs per output element', () => {
    const a = attrs({ outChannels: 64, kernel: 3, padding: 1, groups: 64 });
    expect(convOp.params(a, [[64, 32, 32]])).toEqual([{ param: 'weight', shape: [64, 1, 3, 3] }]);
    expect(convOp.macs(a, [[64, 32, 32]], [64, 32, 32])).toBe(64 * 32 * 32 * 9);
  });

  it('counts the bias as other ops, never as MACs', () => {
    const a = attrs({ outChannels: 8, kernel: 1, bias: true });
    expect(convOp.params(a, [[4, 2, 2]])).toEqual([
      { param: 'weight', shape: [8, 4, 1, 1] },
      { param: 'bias', shape: [8] },
    ]);
    expect(convOp.macs(a, [[4, 2, 2]], [8, 2, 2])).toBe(8 * 4 * 4);
    expect(convOp.otherOps(a, [[4, 2, 2]], [8, 2, 2])).toBe(32);
  });

  it('names what is wrong with groups and windows', () => {
    expect(convOp.outputShape(attrs({ outChannels: 6, kernel: 3, groups: 3 }), [[64, 8, 8]])).toEqual({
      ok: false,
      problem: { field: 'groups', message: '3 does not divide in_channels 64' },
    });
    expect(convOp.outputShape(attrs({ outChannels: 6, kernel: 3, groups: 4 }), [[64, 8, 8]])).toMatchObject({
      ok: false,
      problem: { field: 'groups', message: '4 does not divide outChannels 6' },
    });
    expect(convOp.outputShape(attrs({ outChannels: 6, kernel: 5 }), [[1, 3, 3]])).toMatchObject({
      ok: false,
      problem: { field: 'kernel', message: 'kernel 5x5 does not fit the padded input 3x3' },
    });
    expect(convOp.outputShape(attrs({ outChannels: 6, kernel: 1 }), [[10]])).toMatchObject({
      ok: false,
      problem: { field: 'inputs[0]', message: 'conv needs a [C,H,W] input, got [10]' },
    });
  });
});
