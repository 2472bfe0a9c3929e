import type { SeededParamSpec } from '../spec/param-spec.js';
import type { SpecBuilder } from './spec-builder.js';

/** How the NL module's seeded conv is drawn; the paper's code uses Kaiming-normal, fan_out, ReLU gain. */
export type SeededInit = Omit<SeededParamSpec, 'mode' | 'seed'>;

export const KAIMING_NORMAL_FAN_OUT_RELU: SeededInit = { dist: 'normal', init: 'kaiming', fan: 'fan_out', gain: Math.SQRT2 };

export interface NlModuleOptions {
  readonly prefix: string;
  readonly input: string;
  readonly inChannels: number;
  readonly outChannels: number;
  readonly stride: number;
  /** Output channels of the seeded conv: 'dw' means one per input channel. */
  readonly cnl: 'dw' | number;
  readonly pointwiseGroups: number;
  readonly shuffle: boolean;
  readonly seed: string;
  readonly init: SeededInit;
}

export const MIXED_POOL_KERNELS = [3, 5, 7, 9, 11] as const;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/**
 * ReFrame's NL module in place of a 3x3 conv (DESIGN.md §1, jianhayes/ReFrame `NLModule`): a seeded
 * grouped 3x3 conv + ReLU, a 3x3 max-pool and a mixed average pool (minus the input at stride 1),
 * concatenated and mixed by a learnable grouped 1x1 conv, then a channel shuffle.
 */
export function addNlModule(b: SpecBuilder, o: NlModuleOptions): string {
  const cnl = o.cnl === 'dw' ? o.inChannels : o.cnl;
  const p = o.prefix;
  const conv = b.add({
    name: `${p}.conv`,
    op: 'conv',
    inputs: [o.input],
    outChannels: cnl,
    kernel: 3,
    stride: o.stride,
    padding: 1,
    groups: gcd(o.inChannels, cnl),
    bias: false,
    params: { weight: { mode: 'seeded', ...o.init, seed: o.seed } },
  });
  const convRelu = b.add({ name: `${p}.relu`, op: 'relu', inputs: [conv] });
  const maxPool = b.add({ name: `${p}.maxpool`, op: 'maxpool', inputs: [o.input], kernel: 3, stride: o.stride, padding: 1 });
  let mixed = b.add({ name: `${p}.mixpool`, op: 'mixedpool', inputs: [o.input], kernels: [...MIXED_POOL_KERNELS], stride: o.stride });
  // PoolFormer's pool(x) - x; at stride 2 the shapes differ and the paper's code skips it.
  if (o.stride === 1) mixed = b.add({ name: `${p}.mixsub`, op: 'sub', inputs: [mixed, o.input] });
  const cat = b.add({ name: `${p}.cat`, op: 'concat', inputs: [convRelu, maxPool, mixed] });
  let out = b.add({
    name: `${p}.pw`,
    op: 'conv',
    inputs: [cat],
    outChannels: o.outChannels,
    kernel: 1,
    groups: o.pointwiseGroups,
    bias: true,
  });
  if (o.shuffle && o.pointwiseGroups > 1) {
    // The paper's code views C as [C/g, g] and transposes: torch's ChannelShuffle with C/g groups.
    out = b.add({ name: `${p}.shuffle`, op: 'channelshuffle', inputs: [out], groups: o.outChannels / o.pointwiseGroups });
  }
  return out;
}
