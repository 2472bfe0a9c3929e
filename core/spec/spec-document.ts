import { z } from 'zod';
import type { AddNode, SubNode } from '../ops/elementwise-binary.js';
import type { AvgPoolNode } from '../ops/avgpool.js';
import type { BatchNormNode } from '../ops/batchnorm.js';
import type { ChannelShuffleNode } from '../ops/channel-shuffle.js';
import type { ConcatNode } from '../ops/concat.js';
import type { ConvNode } from '../ops/conv.js';
import type { DenseNode } from '../ops/dense.js';
import type { FlattenNode } from '../ops/flatten.js';
import type { GlobalAvgPoolNode } from '../ops/global-avgpool.js';
import type { InputNode } from '../ops/input.js';
import type { MaxPoolNode } from '../ops/maxpool.js';
import type { MixedPoolNode } from '../ops/mixedpool.js';
import type { ReluNode } from '../ops/relu.js';
import type { SoftmaxNode } from '../ops/softmax.js';
import { nodeName } from '../ops/attr-schema.js';

export const SPEC_FORMAT = 'reframe-spec';
export const SPEC_VERSION = 1;

/** One node as written in a spec file (the format type; the in-memory graph is `ModelGraph`). */
export type SpecNode =
  | InputNode
  | ConvNode
  | DenseNode
  | BatchNormNode
  | ReluNode
  | MaxPoolNode
  | AvgPoolNode
  | MixedPoolNode
  | AddNode
  | SubNode
  | ConcatNode
  | ChannelShuffleNode
  | GlobalAvgPoolNode
  | FlattenNode
  | SoftmaxNode;

export interface SpecDocument {
  readonly format: typeof SPEC_FORMAT;
  readonly version: typeof SPEC_VERSION;
  readonly name: string;
  readonly description?: string;
  readonly nodes: readonly SpecNode[];
  readonly outputs: readonly string[];
}

/**
 * The document around the nodes. Nodes are checked one by one against their op's own schema, so an
 * unknown op or a wrong field gets one precise message instead of a union's list of near-misses.
 */
export const documentSchema = z.strictObject({
  format: z.literal(SPEC_FORMAT),
  version: z.literal(SPEC_VERSION),
  name: z.string().min(1),
  description: z.string().optional(),
  nodes: z.array(z.record(z.string(), z.unknown())).min(1),
  outputs: z.array(nodeName).min(1),
});
