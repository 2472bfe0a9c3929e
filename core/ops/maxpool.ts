import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { poolOutputShape, poolWindowFields, resolvePoolWindow, type PoolWindow } from './pool-window.js';
import { elementCount } from './shape-math.js';

export type MaxPoolAttrs = PoolWindow;

const schema = opNodeSchema('maxpool', poolWindowFields);

/** The node as written in a spec file. */
export type MaxPoolNode = z.infer<typeof schema>;

export const maxPoolOp: OpDef<MaxPoolAttrs> = {
  op: 'maxpool',
  schema,
  arity: [1, 1],
  resolve: (node) => resolvePoolWindow(node as z.infer<typeof schema>),
  outputShape: (a, inputs) => poolOutputShape(a, inputs, 'maxpool'),
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  // k*k - 1 comparisons per output; padded positions are compared too, as -inf.
  otherOps: (a, _inputs, output) => elementCount(output) * (a.kernel[0] * a.kernel[1] - 1),
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
