import { z } from 'zod';
import { opNodeSchema, positiveInt } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, isProblem, ok, requireImage, windowOutputSize } from './shape-math.js';

export interface MixedPoolAttrs {
  readonly kernels: readonly number[];
  readonly stride: number;
  readonly countIncludePad: boolean;
}

const schema = opNodeSchema('mixedpool', {
  kernels: z.array(positiveInt).min(1),
  stride: positiveInt.optional(),
  countIncludePad: z.boolean().optional(),
});

/** The node as written in a spec file. */
export type MixedPoolNode = z.infer<typeof schema>;

/**
 * Channels split into one group per kernel, near-equal, the first group taking the remainder
 * (ReFrame's `_split_channels`). Exported because the runtimes must split the same way.
 */
export function mixedPoolSplits(channels: number, groups: number): number[] {
  const base = Math.floor(channels / groups);
  const splits = Array.from({ length: groups }, () => base);
  splits[0] = base + (channels - base * groups);
  return splits;
}

export const mixedPoolOp: OpDef<MixedPoolAttrs> = {
  op: 'mixedpool',
  schema,
  arity: [1, 1],
  resolve(node) {
    const n = node as z.infer<typeof schema>;
    return { kernels: n.kernels, stride: n.stride ?? 1, countIncludePad: n.countIncludePad ?? true };
  },
  outputShape(a, inputs) {
    const img = requireImage(inputs, 'mixedpool');
    if (isProblem(img)) return { ok: false, problem: img };
    // Padding is k//2; only odd kernels keep every group at the same output size.
    const even = a.kernels.findIndex((k) => k % 2 === 0);
    if (even >= 0) return fail(`kernels[${even}]`, `${a.kernels[even]} is even; mixedpool kernels must be odd`);
    if (img.c < a.kernels.length) return fail('kernels', `${a.kernels.length} groups need at least as many channels, got ${img.c}`);
    return ok([img.c, windowOutputSize(img.h, 1, a.stride, 0), windowOutputSize(img.w, 1, a.stride, 0)]);
  },
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  otherOps(a, _inputs, output) {
    const [c = 0, h = 0, w = 0] = output;
    const splits = mixedPoolSplits(c, a.kernels.length);
    return splits.reduce((sum, groupChannels, i) => sum + groupChannels * h * w * (a.kernels[i] ?? 0) ** 2, 0);
  },
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
