import { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { poolOutputShape, poolWindowFields, resolvePoolWindow, type PoolWindow } from './pool-window.js';
import { elementCount } from './shape-math.js';

export interface AvgPoolAttrs extends PoolWindow {
  readonly countIncludePad: boolean;
}

const schema = opNodeSchema('avgpool', { ...poolWindowFields, countIncludePad: z.boolean().optional() });

/** The node as written in a spec file. */
export type AvgPoolNode = z.infer<typeof schema>;

export const avgPoolOp: OpDef<AvgPoolAttrs> = {
  op: 'avgpool',
  schema,
  arity: [1, 1],
  resolve(node) {
    const n = node as z.infer<typeof schema>;
    return { ...resolvePoolWindow(n), countIncludePad: n.countIncludePad ?? true };
  },
  outputShape: (a, inputs) => poolOutputShape(a, inputs, 'avgpool'),
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  // k*k - 1 adds and one multiply by the reciprocal per output.
  otherOps: (a, _inputs, output) => elementCount(output) * a.kernel[0] * a.kernel[1],
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
