import { z } from 'zod';
import { opNodeSchema, paramsSchema, positiveInt } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, formatShape, ok } from './shape-math.js';

export interface DenseAttrs {
  readonly outFeatures: number;
  readonly bias: boolean;
}

const schema = opNodeSchema('dense', {
  outFeatures: positiveInt,
  bias: z.boolean(),
  params: paramsSchema(['weight', 'bias']),
});

/** The node as written in a spec file. */
export type DenseNode = z.infer<typeof schema>;

export const denseOp: OpDef<DenseAttrs> = {
  op: 'dense',
  schema,
  arity: [1, 1],
  resolve(node) {
    const n = node as z.infer<typeof schema>;
    return { outFeatures: n.outFeatures, bias: n.bias };
  },
  outputShape(a, inputs) {
    const shape = inputs[0] ?? [];
    // PyTorch's Linear would act on the last axis of an image; that is almost always a missing flatten.
    if (shape.length !== 1) return fail('inputs[0]', `dense needs a flat [F] input, got ${formatShape(shape)}; add a flatten node`);
    return ok([a.outFeatures]);
  },
  params(a, inputs) {
    const weight = { param: 'weight', shape: [a.outFeatures, inputs[0]?.[0] ?? 0] };
    return a.bias ? [weight, { param: 'bias', shape: [a.outFeatures] }] : [weight];
  },
  stateElements: () => 0,
  macs: (a, inputs) => a.outFeatures * (inputs[0]?.[0] ?? 0),
  otherOps: (a) => (a.bias ? a.outFeatures : 0),
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
