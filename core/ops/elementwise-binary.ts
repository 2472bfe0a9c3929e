import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, formatShape, ok } from './shape-math.js';

const addSchema = opNodeSchema('add', {});
const subSchema = opNodeSchema('sub', {});

/** The nodes as written in a spec file. */
export type AddNode = z.infer<typeof addSchema>;
export type SubNode = z.infer<typeof subSchema>;

/** add and sub: same shapes in, one op per element; no broadcasting, so a mismatch is a spec error. */
function binaryOp(op: 'add' | 'sub', schema: z.ZodType): OpDef<Record<string, never>> {
  return {
    op,
    schema,
    arity: [2, 2],
    resolve: () => ({}),
    outputShape(_a, inputs) {
      const [a = [], b = []] = inputs;
      if (formatShape(a) !== formatShape(b)) {
        return fail('inputs[1]', `shape ${formatShape(b)} does not match inputs[0] shape ${formatShape(a)}`);
      }
      return ok(a);
    },
    params: () => [],
    stateElements: () => 0,
    macs: () => 0,
    otherOps: (_a, _inputs, output) => elementCount(output),
    memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
  };
}

export const addOp = binaryOp('add', addSchema);
export const subOp = binaryOp('sub', subSchema);
