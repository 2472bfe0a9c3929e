import type { z } from 'zod';
import { opNodeSchema } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, formatShape, ok } from './shape-math.js';

const schema = opNodeSchema('concat', {});

/** The node as written in a spec file. */
export type ConcatNode = z.infer<typeof schema>;

/** Concatenation along channels (axis 1 in NCHW), the only axis our graphs join on. */
export const concatOp: OpDef<Record<string, never>> = {
  op: 'concat',
  schema,
  arity: [2, Number.POSITIVE_INFINITY],
  resolve: () => ({}),
  outputShape(_a, inputs) {
    const first = inputs[0] ?? [];
    if (first.length !== 3) return fail('inputs[0]', `concat needs [C,H,W] inputs, got ${formatShape(first)}`);
    let channels = 0;
    for (const [i, shape] of inputs.entries()) {
      if (shape.length !== 3 || shape[1] !== first[1] || shape[2] !== first[2]) {
        return fail(`inputs[${i}]`, `shape ${formatShape(shape)} does not match the spatial size ${first[1]}x${first[2]} of inputs[0]`);
      }
      channels += shape[0] ?? 0;
    }
    return ok([channels, first[1] ?? 0, first[2] ?? 0]);
  },
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  otherOps: () => 0,
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
