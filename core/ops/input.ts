import { z } from 'zod';
import { nodeName, positiveInt } from './attr-schema.js';
import type { OpDef, Shape } from './op-def.js';
import { elementCount, ok } from './shape-math.js';

export interface InputAttrs {
  readonly shape: Shape;
}

const schema = z.strictObject({
  name: nodeName,
  op: z.literal('input'),
  // [C,H,W] for images or [F] for vectors; the batch axis is never part of a spec.
  shape: z.union([z.tuple([positiveInt]), z.tuple([positiveInt, positiveInt, positiveInt])]),
});

/** The node as written in a spec file. */
export type InputNode = z.infer<typeof schema>;

export const inputOp: OpDef<InputAttrs> = {
  op: 'input',
  schema,
  arity: [0, 0],
  resolve: (node) => ({ shape: (node as z.infer<typeof schema>).shape }),
  outputShape: (a) => ok(a.shape),
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  otherOps: () => 0,
  memory: (a) => ({ outputElements: elementCount(a.shape), workspaceElements: 0, aliasesInput: false }),
};
