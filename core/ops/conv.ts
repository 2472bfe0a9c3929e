import { z } from 'zod';
import { intPair, nonNegativeInt, opNodeSchema, paramsSchema, positiveInt, toPair } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, isProblem, ok, requireImage, windowOutputSize, windowProblem } from './shape-math.js';

export interface ConvAttrs {
  readonly outChannels: number;
  readonly kernel: readonly [number, number];
  readonly stride: readonly [number, number];
  readonly padding: readonly [number, number];
  readonly groups: number;
  readonly bias: boolean;
}

const schema = opNodeSchema('conv', {
  outChannels: positiveInt,
  kernel: intPair(positiveInt),
  stride: intPair(positiveInt).optional(),
  padding: intPair(nonNegativeInt).optional(),
  groups: positiveInt.optional(),
  // Required on purpose: PyTorch defaults bias to true, and a format that silently did so would surprise.
  bias: z.boolean(),
  params: paramsSchema(['weight', 'bias']),
});

/** The node as written in a spec file. */
export type ConvNode = z.infer<typeof schema>;

export const convOp: OpDef<ConvAttrs> = {
  op: 'conv',
  schema,
  arity: [1, 1],
  resolve(node) {
    const n = node as z.infer<typeof schema>;
    return {
      outChannels: n.outChannels,
      kernel: toPair(n.kernel),
      stride: toPair(n.stride ?? 1),
      padding: toPair(n.padding ?? 0),
      groups: n.groups ?? 1,
      bias: n.bias,
    };
  },
  outputShape(a, inputs) {
    const img = requireImage(inputs, 'conv');
    if (isProblem(img)) return { ok: false, problem: img };
    if (img.c % a.groups !== 0) return fail('groups', `${a.groups} does not divide in_channels ${img.c}`);
    if (a.outChannels % a.groups !== 0) return fail('groups', `${a.groups} does not divide outChannels ${a.outChannels}`);
    const bad = windowProblem(a.kernel, a.stride, a.padding, img.h, img.w, false);
    if (bad !== undefined) return { ok: false, problem: bad };
    return ok([
      a.outChannels,
      windowOutputSize(img.h, a.kernel[0], a.stride[0], a.padding[0]),
      windowOutputSize(img.w, a.kernel[1], a.stride[1], a.padding[1]),
    ]);
  },
  params(a, inputs) {
    const inChannels = inputs[0]?.[0] ?? 0;
    const weight = { param: 'weight', shape: [a.outChannels, inChannels / a.groups, a.kernel[0], a.kernel[1]] };
    return a.bias ? [weight, { param: 'bias', shape: [a.outChannels] }] : [weight];
  },
  stateElements: () => 0,
  macs(a, inputs, output) {
    const inChannels = inputs[0]?.[0] ?? 0;
    return elementCount(output) * (inChannels / a.groups) * a.kernel[0] * a.kernel[1];
  },
  otherOps: (a, _inputs, output) => (a.bias ? elementCount(output) : 0),
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
