import { assertNever } from '../assert-never.js';
import { fillPhiloxWords, fillUniformQuads } from './philox.js';

/**
 * Seed streams (DESIGN.md §5): a seeded tensor is stored as (seed, distribution, float32 multiplier) and
 * every runtime rebuilds the same float32 bits from it. Only integer work and single float32 roundings
 * (`Math.fround` after every float step) happen here, so the C runtime can match bit for bit.
 */

export type SeedDist = 'uniform' | 'normal' | 'sign';

export interface SeededStreamParams {
  /** 64-bit seed: "0x" and 1–16 hex digits, or a bigint in 0 .. 2^64 − 1. */
  readonly seed: string | bigint;
  readonly dist: SeedDist;
  /** float32 multiplier stored in the package (see seededMult); boards never derive it. */
  readonly mult: number;
}

const SEED_HEX = /^0x[0-9a-fA-F]{1,16}$/;
const TWO_POW_64 = 1n << 64n;

/** Philox key of a seed: (low 32 bits, high 32 bits). */
export function seedKey(seed: string | bigint): readonly [number, number] {
  if (typeof seed === 'bigint') {
    if (seed < 0n || seed >= TWO_POW_64) throw new RangeError(`seed ${seed} is outside 0 .. 2^64 − 1`);
    return [Number(seed & 0xffffffffn), Number(seed >> 32n)];
  }
  if (!SEED_HEX.test(seed)) throw new RangeError(`seed "${seed}" must be "0x" and 1 to 16 hex digits`);
  // Split the digits at the 32-bit boundary so each half parses exactly as a double.
  const digits = seed.slice(2);
  const cut = Math.max(0, digits.length - 8);
  const high = cut === 0 ? 0 : Number.parseInt(digits.slice(0, cut), 16);
  return [Number.parseInt(digits.slice(cut), 16), high];
}

/** Words start .. start + count − 1 of a seed's stream, as uint32. */
export function streamWords(seed: string | bigint, start: number, count: number): Uint32Array {
  checkCount(count);
  const out = new Uint32Array(count);
  fillPhiloxWords(seedKey(seed), start, out);
  return out;
}

/** Elements 0 .. count − 1 of a seeded tensor (row-major canonical order) into `out` (or a new array). */
export function regenerate(params: SeededStreamParams, count: number, out?: Float32Array): Float32Array {
  return regenerateRange(params, 0, count, out);
}

/**
 * Elements start .. start + count − 1 of a seeded tensor, written to out[0 .. count − 1]; `out` is
 * returned (a new array of `count` when omitted). Lets a board-sized buffer stream one layer, or one
 * slice of it, at a time: the result is the same slice of the whole tensor.
 */
export function regenerateRange(params: SeededStreamParams, start: number, count: number, out?: Float32Array): Float32Array {
  checkCount(count);
  if (!Number.isSafeInteger(start) || start < 0) throw new RangeError(`start ${start} must be a non-negative integer`);
  const target = out ?? new Float32Array(count);
  if (target.length < count) throw new RangeError(`output holds ${target.length} elements, ${count} were asked for`);
  const key = seedKey(params.seed);
  const mult = Math.fround(params.mult);
  switch (params.dist) {
    case 'uniform':
      fillUniform(key, start, count, mult, target);
      break;
    case 'normal':
      fillNormal(key, start, count, mult, target);
      break;
    case 'sign':
      fillSign(key, start, count, mult, target);
      break;
    default:
      assertNever(params.dist);
  }
  return target;
}

function checkCount(count: number): void {
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError(`count ${count} must be a non-negative integer`);
}

/** Scratch words for the distributions that read more (normal) or fewer (sign) words than elements. */
const CHUNK_WORDS = 4096;
const scratch = new Uint32Array(CHUNK_WORDS);

/**
 * uniform: k = (word i as int32) >> 8, value = f32(f32(k) · mult). |k| ≤ 2^23 converts to float32
 * exactly, and a product of two 24-bit significands is exact in a double, so the outer fround is the one
 * float32 rounding of the product. Word i belongs to element i: the middle of the range, in whole groups
 * of 16 words, takes the fused fast path; the ragged ends are generated into an int32 view of the output
 * and converted in place.
 */
function fillUniform(key: readonly [number, number], start: number, count: number, mult: number, out: Float32Array): void {
  const end = start + count;
  const bodyStart = Math.ceil(start / 16) * 16;
  const bodyEnd = Math.floor(end / 16) * 16;
  if (bodyEnd <= bodyStart) {
    uniformInPlace(key, start, count, mult, out, 0);
    return;
  }
  uniformInPlace(key, start, bodyStart - start, mult, out, 0);
  fillUniformQuads(key, bodyStart / 4, (bodyEnd - bodyStart) / 16, mult, out, bodyStart - start);
  uniformInPlace(key, bodyEnd, end - bodyEnd, mult, out, bodyEnd - start);
}

function uniformInPlace(key: readonly [number, number], start: number, count: number, mult: number, out: Float32Array, at: number): void {
  const words = new Int32Array(out.buffer, out.byteOffset + 4 * at, count);
  fillPhiloxWords(key, start, words);
  for (let i = 0; i < count; i++) out[at + i] = Math.fround(Math.fround((words[i] ?? 0) >> 8) * mult);
}

const TWO_POW_25 = 0x2000000;

/**
 * normal (Irwin–Hall of 4): S = Σ (word 4i+t >>> 8) − 2^25, value = f32(f32(S) · mult). Element i reads
 * exactly Philox block i, so a chunk of elements is one run of whole blocks. S needs 26 bits, so f32(S)
 * is a real rounding (to nearest even, as C's int→float conversion).
 */
function fillNormal(key: readonly [number, number], start: number, count: number, mult: number, out: Float32Array): void {
  const perChunk = CHUNK_WORDS / 4;
  for (let done = 0; done < count; done += perChunk) {
    const n = Math.min(perChunk, count - done);
    const words = scratch.subarray(0, 4 * n);
    fillPhiloxWords(key, 4 * (start + done), words);
    for (let e = 0, w = 0; e < n; e++, w += 4) {
      const s = ((words[w] ?? 0) >>> 8) + ((words[w + 1] ?? 0) >>> 8) + ((words[w + 2] ?? 0) >>> 8) + ((words[w + 3] ?? 0) >>> 8) - TWO_POW_25;
      out[done + e] = Math.fround(Math.fround(s) * mult);
    }
  }
}

/**
 * sign: bit (i mod 32) of word (i div 32), least significant bit first; +mult when set, −mult when clear.
 * One word feeds 32 elements, so a range reads its words into scratch and walks their bits.
 */
function fillSign(key: readonly [number, number], start: number, count: number, mult: number, out: Float32Array): void {
  if (count === 0) return;
  const negative = -mult;
  const firstWord = Math.floor(start / 32);
  const lastWord = Math.floor((start + count - 1) / 32);
  let o = 0;
  let bit = start % 32;
  for (let w0 = firstWord; w0 <= lastWord; w0 += CHUNK_WORDS) {
    const words = scratch.subarray(0, Math.min(CHUNK_WORDS, lastWord - w0 + 1));
    fillPhiloxWords(key, w0, words);
    for (let w = 0; w < words.length; w++) {
      const word = words[w] ?? 0;
      const end = Math.min(32, bit + (count - o));
      for (; bit < end; bit++) out[o++] = (word >>> bit) & 1 ? mult : negative;
      bit = 0;
    }
  }
}
