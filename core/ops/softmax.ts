import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, formatShape, ok } from './shape-math.js';

const schema = opNodeSchema('softmax', {});

/** The node as written in a spec file. */
export type SoftmaxNode = z.infer<typeof schema>;

export const softmaxOp: OpDef<Record<string, never>> = {
  op: 'softmax',
  schema,
  arity: [1, 1],
  resolve: () => ({}),
  outputShape(_a, inputs) {
    const shape = inputs[0] ?? [];
    if (shape.length !== 1) return fail('inputs[0]', `softmax needs a flat [F] input, got ${formatShape(shape)}`);
    return ok(shape);
  },
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  // n exponentials, n - 1 adds for the sum, n divides.
  otherOps: (_a, _inputs, output) => 3 * elementCount(output) - 1,
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
