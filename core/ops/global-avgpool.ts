import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, isProblem, ok, requireImage } from './shape-math.js';

const schema = opNodeSchema('globalavgpool', {});

/** The node as written in a spec file. */
export type GlobalAvgPoolNode = z.infer<typeof schema>;

/** Averages each channel to one value; the output is [C,1,1] as PyTorch's AdaptiveAvgPool2d(1). */
export const globalAvgPoolOp: OpDef<Record<string, never>> = {
  op: 'globalavgpool',
  schema,
  arity: [1, 1],
  resolve: () => ({}),
  outputShape(_a, inputs) {
    const img = requireImage(inputs, 'globalavgpool');
    if (isProblem(img)) return { ok: false, problem: img };
    return ok([img.c, 1, 1]);
  },
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  // H*W - 1 adds and one multiply per channel.
  otherOps: (_a, inputs) => elementCount(inputs[0] ?? []),
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
