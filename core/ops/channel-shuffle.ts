import type { z } from 'zod';
import { opNodeSchema, positiveInt } from './attr-schema.js';
import type { OpDef } from './op-def.js';
import { elementCount, fail, isProblem, ok, requireImage } from './shape-math.js';

export interface ChannelShuffleAttrs {
  readonly groups: number;
}

const schema = opNodeSchema('channelshuffle', { groups: positiveInt });

/** The node as written in a spec file. */
export type ChannelShuffleNode = z.infer<typeof schema>;

/**
 * ShuffleNet's shuffle, as torch.nn.ChannelShuffle(groups): view C as [groups, C/groups], transpose.
 * Output channel j*groups + g takes input channel g*(C/groups) + j.
 */
export const channelShuffleOp: OpDef<ChannelShuffleAttrs> = {
  op: 'channelshuffle',
  schema,
  arity: [1, 1],
  resolve: (node) => ({ groups: (node as z.infer<typeof schema>).groups }),
  outputShape(a, inputs) {
    const img = requireImage(inputs, 'channelshuffle');
    if (isProblem(img)) return { ok: false, problem: img };
    if (img.c % a.groups !== 0) return fail('groups', `${a.groups} does not divide in_channels ${img.c}`);
    return ok([img.c, img.h, img.w]);
  },
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  otherOps: () => 0,
  memory: (_a, _inputs, output) => ({ outputElements: elementCount(output), workspaceElements: 0, aliasesInput: false }),
};
