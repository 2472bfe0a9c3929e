import { addOp, subOp } from './elementwise-binary.js';
import { avgPoolOp } from './avgpool.js';
import { batchNormOp } from './batchnorm.js';
import { channelShuffleOp } from './channel-shuffle.js';
import { concatOp } from './concat.js';
import { convOp } from './conv.js';
import { denseOp } from './dense.js';
import { flattenOp } from './flatten.js';
import { globalAvgPoolOp } from './global-avgpool.js';
import { inputOp } from './input.js';
import { maxPoolOp } from './maxpool.js';
import { mixedPoolOp } from './mixedpool.js';
import type { OpDef } from './op-def.js';
import { reluOp } from './relu.js';
import { softmaxOp } from './softmax.js';

export const OP_NAMES = [
  'input',
  'conv',
  'dense',
  'batchnorm',
  'relu',
  'maxpool',
  'avgpool',
  'mixedpool',
  'add',
  'sub',
  'concat',
  'channelshuffle',
  'globalavgpool',
  'flatten',
  'softmax',
] as const;

export type OpName = (typeof OP_NAMES)[number];

// The registry erases each op's attribute type: callers pass back exactly what that op's resolve returned.
export const OPS: Readonly<Record<OpName, OpDef<unknown>>> = {
  input: inputOp as OpDef<unknown>,
  conv: convOp as OpDef<unknown>,
  dense: denseOp as OpDef<unknown>,
  batchnorm: batchNormOp as OpDef<unknown>,
  relu: reluOp as OpDef<unknown>,
  maxpool: maxPoolOp as OpDef<unknown>,
  avgpool: avgPoolOp as OpDef<unknown>,
  mixedpool: mixedPoolOp as OpDef<unknown>,
  add: addOp as OpDef<unknown>,
  sub: subOp as OpDef<unknown>,
  concat: concatOp as OpDef<unknown>,
  channelshuffle: channelShuffleOp as OpDef<unknown>,
  globalavgpool: globalAvgPoolOp as OpDef<unknown>,
  flatten: flattenOp as OpDef<unknown>,
  softmax: softmaxOp as OpDef<unknown>,
};

export function isOpName(value: unknown): value is OpName {
  return typeof value === 'string' && (OP_NAMES as readonly string[]).includes(value);
}
