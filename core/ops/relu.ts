import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, ok } from './shape-math.js';

const schema = opNodeSchema('relu', {});

/** The node as written in a spec file. */
export type ReluNode = z.infer<typeof schema>;

export const reluOp: OpDef<Record<string, never>> = {
  op: 'relu',
  schema,
  arity: [1, 1],
  resolve: () => ({}),
  outputShape: (_a, inputs) => ok(inputs[0] ?? []),
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  otherOps: (_a, _inputs, output) => elementCount(output),
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
