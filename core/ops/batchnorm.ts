import { z } from 'zod';
import { opNodeSchema, paramsSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, ok } from './shape-math.js';

export interface BatchNormAttrs {
  readonly eps: number;
  readonly momentum: number;
}

const schema = opNodeSchema('batchnorm', {
  eps: z.number().positive().optional(),
  momentum: z.number().min(0).max(1).optional(),
  params: paramsSchema(['weight', 'bias']),
});

/** The node as written in a spec file. */
export type BatchNormNode = z.infer<typeof schema>;

export const batchNormOp: OpDef<BatchNormAttrs> = {
  op: 'batchnorm',
  schema,
  arity: [1, 1],
  resolve(node) {
    const n = node as z.infer<typeof schema>;
    return { eps: n.eps ?? 1e-5, momentum: n.momentum ?? 0.1 };
  },
  outputShape(_a, inputs) {
    const shape = inputs[0] ?? [];
    if (shape.length !== 3 && shape.length !== 1) return fail('inputs[0]', `batchnorm needs a [C,H,W] or [F] input`);
    return ok(shape);
  },
  params: (_a, inputs) => {
    const c = inputs[0]?.[0] ?? 0;
    return [
      { param: 'weight', shape: [c] },
      { param: 'bias', shape: [c] },
    ];
  },
  // Running mean and variance; num_batches_tracked is training bookkeeping and never travels.
  stateElements: (_a, inputs) => 2 * (inputs[0]?.[0] ?? 0),
  macs: () => 0,
  // Inference folds BN into one scale and one shift per element.
  otherOps: (_a, _inputs, output) => 2 * elementCount(output),
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
