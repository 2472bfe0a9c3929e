import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, ok } from './shape-math.js';

const schema = opNodeSchema('flatten', {});

/** The node as written in a spec file. */
export type FlattenNode = z.infer<typeof schema>;

/** [C,H,W] to [C*H*W] in C-major order; a view, so it owns no buffer. */
export const flattenOp: OpDef<Record<string, never>> = {
  op: 'flatten',
  schema,
  arity: [1, 1],
  resolve: () => ({}),
  outputShape: (_a, inputs) => ok([elementCount(inputs[0] ?? [])]),
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  otherOps: () => 0,
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: true }),
};
