/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the counter-based
 * generator behind every seed stream (DESIGN.md §5). Counter-based means word j is a pure function of
 * (key, j): a board can regenerate any layer, or any slice of it, without replaying the words before it.
 *
 * Everything here is int32/uint32 arithmetic plus one exact double-precision trick for the high half of a
 * 32×32-bit product, so the bits match the C runtime on every engine. No BigInt: it is far too slow for
 * the hot loop.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
/** Weyl increments of the key schedule: the golden ratio and √3 − 1, as 32-bit fractions. */
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const ROUNDS = 10;

const TWO_POW_32 = 0x100000000;
const TWO_POW_MINUS_32 = 1 / TWO_POW_32;
const TWO_POW_52 = 2 ** 52;
/** Word indices must stay exact doubles; 2^53 is where consecutive integers stop being representable. */
export const MAX_STREAM_WORDS = 2 ** 53;

/**
 * High 32 bits of a·b for uint32 a and b, returned as int32 bits like Math.imul (either input may arrive as
 * a negative int32; only the bits count).
 * The low half lo = a·b mod 2^32 is exact from Math.imul. The double product p = fl(a·b) is within 2^10
 * of the true product P = hi·2^32 + lo, and fl(p − lo) within 2^11 of hi·2^32, so (p − lo)·2^-32 is hi
 * give or take 2^-21. Adding 2^52 rounds that to the integer hi (doubles near 2^52 are spaced 1 apart),
 * and since 2^52 is a multiple of 2^32, `| 0` keeps exactly hi's 32 bits. Exact for every input, with
 * three double operations instead of the four partial products a 16-bit split needs.
 */
export function mulHi32(a: number, b: number): number {
  const lo = Math.imul(a, b) >>> 0;
  return (((a >>> 0) * (b >>> 0) - lo) * TWO_POW_MINUS_32 + TWO_POW_52) | 0;
}

/**
 * One Philox block: 10 rounds on counter (c0..c3) under key (k0, k1), lanes written to out[at..at+3].
 * The single implementation both the test-facing and the streaming entry points go through.
 */
function philoxBlockInto(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array | Int32Array, at: number): void {
  let x0 = c0 | 0;
  let x1 = c1 | 0;
  let x2 = c2 | 0;
  let x3 = c3 | 0;
  let key0 = k0 | 0;
  let key1 = k1 | 0;
  for (let r = 0; r < ROUNDS; r++) {
    const hi0 = mulHi32(M0, x0);
    const lo0 = Math.imul(M0, x0);
    const hi1 = mulHi32(M1, x2);
    const lo1 = Math.imul(M1, x2);
    x0 = hi1 ^ x1 ^ key0;
    x1 = lo1;
    x2 = hi0 ^ x3 ^ key1;
    x3 = lo0;
    // The key is bumped between rounds; wrapping int32 addition keeps the low 32 bits exactly.
    key0 = (key0 + W0) | 0;
    key1 = (key1 + W1) | 0;
  }
  out[at] = x0;
  out[at + 1] = x1;
  out[at + 2] = x2;
  out[at + 3] = x3;
}

/**
 * Four consecutive stream blocks, counters (c0 .. c0 + 3, c1, 0, 0), written as 16 words to
 * out[at .. at + 15]; the caller keeps c0 ≤ 2^32 − 4 so no carry happens inside the group. Each round
 * has a long dependent chain (multiply, convert, round); running four independent blocks side by side
 * lets the CPU overlap those chains, which roughly doubles throughput over one block at a time. The
 * rounds are philoxBlockInto's, written out per block; tests hold the two to the same words.
 */
export function philoxQuadInto(c0: number, c1: number, k0: number, k1: number, out: Uint32Array | Int32Array, at: number, floats?: Float32Array, mult = 0): void {
  let a0 = c0 | 0, a1 = c1 | 0, a2 = 0, a3 = 0;
  let b0 = (c0 + 1) | 0, b1 = c1 | 0, b2 = 0, b3 = 0;
  let d0 = (c0 + 2) | 0, d1 = c1 | 0, d2 = 0, d3 = 0;
  let e0 = (c0 + 3) | 0, e1 = c1 | 0, e2 = 0, e3 = 0;
  let key0 = k0 | 0;
  let key1 = k1 | 0;
  {
    // Round 1: lanes 2 and 3 of a stream counter are 0, so their product is 0.
    const hia = mulHi32(M0, a0), loa = Math.imul(M0, a0);
    a0 = a1 ^ key0; a1 = 0; a2 = hia ^ key1; a3 = loa;
    const hib = mulHi32(M0, b0), lob = Math.imul(M0, b0);
    b0 = b1 ^ key0; b1 = 0; b2 = hib ^ key1; b3 = lob;
    const hid = mulHi32(M0, d0), lod = Math.imul(M0, d0);
    d0 = d1 ^ key0; d1 = 0; d2 = hid ^ key1; d3 = lod;
    const hie = mulHi32(M0, e0), loe = Math.imul(M0, e0);
    e0 = e1 ^ key0; e1 = 0; e2 = hie ^ key1; e3 = loe;
    key0 = (key0 + W0) | 0;
    key1 = (key1 + W1) | 0;
  }
  for (let r = 1; r < ROUNDS; r++) {
    let hi0 = mulHi32(M0, a0), hi1 = mulHi32(M1, a2), lo0 = Math.imul(M0, a0), lo1 = Math.imul(M1, a2);
    a0 = hi1 ^ a1 ^ key0; a1 = lo1; a2 = hi0 ^ a3 ^ key1; a3 = lo0;
    hi0 = mulHi32(M0, b0); hi1 = mulHi32(M1, b2); lo0 = Math.imul(M0, b0); lo1 = Math.imul(M1, b2);
    b0 = hi1 ^ b1 ^ key0; b1 = lo1; b2 = hi0 ^ b3 ^ key1; b3 = lo0;
    hi0 = mulHi32(M0, d0); hi1 = mulHi32(M1, d2); lo0 = Math.imul(M0, d0); lo1 = Math.imul(M1, d2);
    d0 = hi1 ^ d1 ^ key0; d1 = lo1; d2 = hi0 ^ d3 ^ key1; d3 = lo0;
    hi0 = mulHi32(M0, e0); hi1 = mulHi32(M1, e2); lo0 = Math.imul(M0, e0); lo1 = Math.imul(M1, e2);
    e0 = hi1 ^ e1 ^ key0; e1 = lo1; e2 = hi0 ^ e3 ^ key1; e3 = lo0;
    key0 = (key0 + W0) | 0;
    key1 = (key1 + W1) | 0;
  }
  if (floats !== undefined) {
    floats[at] = Math.fround(Math.fround(a0 >> 8) * mult); floats[at + 1] = Math.fround(Math.fround(a1 >> 8) * mult);
    floats[at + 2] = Math.fround(Math.fround(a2 >> 8) * mult); floats[at + 3] = Math.fround(Math.fround(a3 >> 8) * mult);
    floats[at + 4] = Math.fround(Math.fround(b0 >> 8) * mult); floats[at + 5] = Math.fround(Math.fround(b1 >> 8) * mult);
    floats[at + 6] = Math.fround(Math.fround(b2 >> 8) * mult); floats[at + 7] = Math.fround(Math.fround(b3 >> 8) * mult);
    floats[at + 8] = Math.fround(Math.fround(d0 >> 8) * mult); floats[at + 9] = Math.fround(Math.fround(d1 >> 8) * mult);
    floats[at + 10] = Math.fround(Math.fround(d2 >> 8) * mult); floats[at + 11] = Math.fround(Math.fround(d3 >> 8) * mult);
    floats[at + 12] = Math.fround(Math.fround(e0 >> 8) * mult); floats[at + 13] = Math.fround(Math.fround(e1 >> 8) * mult);
    floats[at + 14] = Math.fround(Math.fround(e2 >> 8) * mult); floats[at + 15] = Math.fround(Math.fround(e3 >> 8) * mult);
    return;
  }
  out[at] = a0; out[at + 1] = a1; out[at + 2] = a2; out[at + 3] = a3;
  out[at + 4] = b0; out[at + 5] = b1; out[at + 6] = b2; out[at + 7] = b3;
  out[at + 8] = d0; out[at + 9] = d1; out[at + 10] = d2; out[at + 11] = d3;
  out[at + 12] = e0; out[at + 13] = e1; out[at + 14] = e2; out[at + 15] = e3;
}

/** Philox4x32-10 of one counter under one key, as four uint32 words. For tests and known answers. */
export function philox4x32(
  ctr: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  const out = new Uint32Array(4);
  philoxBlockInto(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out, 0);
  return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0, out[3] ?? 0];
}

/** Holds the one partial block at either end of a range; reused because JS runs one call at a time. */
const edgeBlock = new Uint32Array(4);

/**
 * Fills `out` with words start .. start + out.length − 1 of the stream under `key`, where word j is lane
 * j mod 4 of Philox(ctr = (low32(j div 4), high32(j div 4), 0, 0), key). Any start (not only multiples
 * of 4) and any word index below 2^53 are allowed. An Int32Array receives the same bits, which lets a
 * caller generate straight into a view of a Float32Array and convert in place.
 */
export function fillPhiloxWords(key: readonly [number, number], start: number, out: Uint32Array | Int32Array): void {
  const n = out.length;
  // Compared as start > 2^53 − n because start + n itself could round back down to 2^53.
  if (!Number.isSafeInteger(start) || start < 0 || start > MAX_STREAM_WORDS - n) {
    throw new RangeError(`stream words ${start} .. ${start + n - 1} are outside 0 .. 2^53 − 1`);
  }
  if (n === 0) return;
  const k0 = key[0];
  const k1 = key[1];
  let block = Math.floor(start / 4);
  // The 64-bit block counter lives as two uint32 halves; the high half only changes on a carry.
  let c0 = block >>> 0;
  let c1 = Math.floor(block / TWO_POW_32);
  let o = 0;

  const lead = start % 4;
  if (lead !== 0) {
    philoxBlockInto(c0, c1, 0, 0, k0, k1, edgeBlock, 0);
    for (let lane = lead; lane < 4 && o < n; lane++) out[o++] = edgeBlock[lane] ?? 0;
    block++;
    c0 = block >>> 0;
    c1 = Math.floor(block / TWO_POW_32);
  }
  while (n - o >= 4) {
    // Groups of four blocks, except where a carry into c1 would fall inside the group.
    let blocks = 1;
    if (n - o >= 16 && c0 <= 0xfffffffc) {
      philoxQuadInto(c0, c1, k0, k1, out, o);
      blocks = 4;
    } else {
      philoxBlockInto(c0, c1, 0, 0, k0, k1, out, o);
    }
    o += 4 * blocks;
    c0 = (c0 + blocks) >>> 0;
    if (c0 === 0) c1++;
  }
  if (o < n) {
    philoxBlockInto(c0, c1, 0, 0, k0, k1, edgeBlock, 0);
    for (let lane = 0; o < n; lane++) out[o++] = edgeBlock[lane] ?? 0;
  }
}
