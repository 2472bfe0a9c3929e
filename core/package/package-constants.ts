import type { OpName } from '../ops/op-registry.js';
import type { WeightDtype } from '../budget/weight-dtype.js';

export const MAGIC = [0x52, 0x46, 0x50, 0x4b] as const; // "RFPK"
export const FORMAT_VERSION = 1;
export const HEADER_BYTES = 32;
export const DIRECTORY_ENTRY_BYTES = 16;
export const DIGEST_BYTES = 32;
export const KEY_ID_BYTES = 16;
export const SIGNATURE_BLOCK_BYTES = KEY_ID_BYTES + 64;
export const TENSOR_ENTRY_BYTES = 96;
export const NODE_RECORD_FIXED_BYTES = 24;
export const MAX_SECTIONS = 8;
export const MAX_PACKAGE_BYTES = 256 * 1024 * 1024;
export const NO_BASE_TENSOR = 0xffffffff;
export const SIGNATURE_CONTEXT = 'RFPK-SIG1';

export const FLAG_SIGNED = 1;
export const FLAG_DELTA = 2;
export const KNOWN_FLAGS = FLAG_SIGNED | FLAG_DELTA;

export function fourcc(tag: string): number {
  return (tag.charCodeAt(0) | (tag.charCodeAt(1) << 8) | (tag.charCodeAt(2) << 16) | (tag.charCodeAt(3) << 24)) >>> 0;
}

export function fourccName(code: number): string {
  const chars = [code & 0xff, (code >>> 8) & 0xff, (code >>> 16) & 0xff, code >>> 24];
  return chars.every((c) => c >= 0x20 && c < 0x7f) ? String.fromCharCode(...chars) : `0x${code.toString(16).padStart(8, '0')}`;
}

export const SECTION = {
  STRS: fourcc('STRS'),
  GRPH: fourcc('GRPH'),
  TENS: fourcc('TENS'),
  SPEC: fourcc('SPEC'),
  DATA: fourcc('DATA'),
  DLTA: fourcc('DLTA'),
  TPRE: fourcc('TPRE'),
  TSUF: fourcc('TSUF'),
} as const;

export const OP_CODES: Readonly<Record<OpName, number>> = {
  input: 1,
  conv: 2,
  dense: 3,
  batchnorm: 4,
  relu: 5,
  maxpool: 6,
  avgpool: 7,
  mixedpool: 8,
  add: 9,
  sub: 10,
  concat: 11,
  channelshuffle: 12,
  globalavgpool: 13,
  flatten: 14,
  softmax: 15,
};

export const DTYPE_CODES: Readonly<Record<WeightDtype, number>> = { fp32: 0, fp16: 1, int8: 2 };
export const DTYPE_NONE = 255;

export const ROLES = ['weight', 'bias', 'running_mean', 'running_var'] as const;
export type TensorRole = (typeof ROLES)[number];

export const MODES = ['learnable', 'seeded', 'frozen', 'state'] as const;
export type TensorMode = (typeof MODES)[number];

export const DISTS = ['uniform', 'normal', 'sign'] as const;
export const INITS = [undefined, 'kaiming', 'xavier'] as const;
export const FANS = [undefined, 'fan_in', 'fan_out'] as const;

export function align4(n: number): number {
  return (n + 3) & ~3;
}
