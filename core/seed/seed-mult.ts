import { assertNever } from '../assert-never.js';
import type { SeedDist } from './seed-stream.js';

/**
 * The float32 multiplier of a seeded tensor, from its init parameters (DESIGN.md §5). It is computed
 * once, here in the studio, and stored in the package; boards only multiply by it. Math.sqrt is
 * correctly rounded in every engine, so computing it in doubles is reproducible.
 */

export interface SeededInit {
  readonly dist: SeedDist;
  readonly init: 'kaiming' | 'xavier';
  /** kaiming only; fan_in when absent. */
  readonly fan?: 'fan_in' | 'fan_out';
  readonly gain: number;
}

export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/**
 * PyTorch's _calculate_fan_in_and_fan_out for OIHW / [out, in] weights: the receptive field is the product
 * of the dimensions after the first two. A 1-D tensor (a bias) uses its length for both fans.
 */
export function tensorFans(shape: readonly number[]): Fans {
  if (shape.length === 0) throw new RangeError('a scalar has no fan; seeded tensors need at least one dimension');
  const [out = 0, inp = 0, ...window] = shape;
  if (shape.length === 1) return { fanIn: out, fanOut: out };
  let receptive = 1;
  for (const d of window) receptive *= d;
  return { fanIn: inp * receptive, fanOut: out * receptive };
}

/** 2^-23 and 2^-24: scale a 24- or 26-bit integer draw down to the target range; exact in doubles. */
const UNIFORM_SCALE = 2 ** -23;
const NORMAL_SCALE = 2 ** -24;

/** The multiplier `mult` of DESIGN.md §5 as a float32 value (a double that float32 holds exactly). */
export function seededMult(spec: SeededInit, shape: readonly number[]): number {
  const { fanIn, fanOut } = tensorFans(shape);
  if (!(spec.gain > 0) || !Number.isFinite(spec.gain)) throw new RangeError(`gain ${spec.gain} must be a positive finite number`);
  let sigma: number;
  let bound: number;
  if (spec.init === 'kaiming') {
    const fan = spec.fan === 'fan_out' ? fanOut : fanIn;
    if (!(fan > 0)) throw new RangeError(`${spec.fan ?? 'fan_in'} of shape [${shape.join(',')}] is ${fan}; it must be positive`);
    sigma = spec.gain / Math.sqrt(fan);
    bound = spec.gain * Math.sqrt(3 / fan);
  } else {
    const fans = fanIn + fanOut;
    if (!(fans > 0)) throw new RangeError(`fan_in + fan_out of shape [${shape.join(',')}] is ${fans}; it must be positive`);
    sigma = spec.gain * Math.sqrt(2 / fans);
    bound = spec.gain * Math.sqrt(6 / fans);
  }
  switch (spec.dist) {
    case 'uniform':
      // k spans ±2^23, so k · a · 2^-23 spans ±a.
      return Math.fround(bound * UNIFORM_SCALE);
    case 'normal':
      // S spans ±2^25 with variance 4 · (2^24)^2 / 12 = 2^48 / 3, so √3 · 2^-24 scales it to variance 1.
      return Math.fround(sigma * Math.sqrt(3) * NORMAL_SCALE);
    case 'sign':
      return Math.fround(sigma);
    default:
      return assertNever(spec.dist);
  }
}

/** Shared by the two bit views below; JS runs one call at a time, so one cell suffices. */
const cell = new Float32Array(1);
const cellBits = new Uint32Array(cell.buffer);

/** The IEEE-754 binary32 bits of x (rounded to float32 first), as a uint32. */
export function f32Bits(x: number): number {
  cell[0] = x;
  return cellBits[0] ?? 0;
}

/** The float32 value whose IEEE-754 bits are the uint32 `bits`. */
export function f32FromBits(bits: number): number {
  cellBits[0] = bits;
  return cell[0] ?? 0;
}
