/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the counter-based
 * generator behind every seed stream (DESIGN.md §5). Counter-based means word j is a pure function of
 * (key, j): a board can regenerate any layer, or any slice of it, without replaying the words before it.
 *
 * Everything here is int32/uint32 arithmetic plus one exact double-precision step for the high half of a
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
 * High 32 bits of a·b for uint32 a and b, as int32 bits like Math.imul returns the low half (either input
 * may arrive as a negative int32; only the bits count).
 *
 * Exact for every input: the low half lo = a·b mod 2^32 is exact from Math.imul. The double product
 * p = fl(a·b) is within 2^10 of the true P = hi·2^32 + lo, and fl(p − lo) within 2^11 of hi·2^32, so
 * (p − lo)·2^-32 is hi give or take 2^-21. Adding 2^52 rounds that to the integer hi (doubles near 2^52
 * are spaced 1 apart), and as 2^52 is a multiple of 2^32, `| 0` keeps exactly hi's 32 bits. This needs
 * three double operations; splitting b into 16-bit halves (two partial products, a floor and a carry)
 * is also exact but measured about 25% slower over a whole stream.
 *
 * A private const arrow, not a function declaration or an export: V8 treats a module's function
 * declarations and exports as reassignable and guards every inlined call, which cost about 5% of a stream.
 */
const mulHi = (a: number, b: number): number => {
  const lo = Math.imul(a, b) >>> 0;
  return (((a >>> 0) * (b >>> 0) - lo) * TWO_POW_MINUS_32 + TWO_POW_52) | 0;
};

/** The generator's high-half product, exported for tests against exact BigInt arithmetic. */
export function mulHi32(a: number, b: number): number {
  return mulHi(a, b);
}

/**
 * One Philox block: 10 rounds on counter (c0..c3) under key (k0, k1), lanes written to out[at..at+3].
 * The reference form of the rounds: the known answers test it, and the four-block form below is tested
 * against it.
 */
function philoxBlockInto(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array | Int32Array, at: number): void {
  let x0 = c0 | 0;
  let x1 = c1 | 0;
  let x2 = c2 | 0;
  let x3 = c3 | 0;
  let key0 = k0 | 0;
  let key1 = k1 | 0;
  for (let r = 0; r < ROUNDS; r++) {
    const hi0 = mulHi(M0, x0);
    const lo0 = Math.imul(M0, x0);
    const hi1 = mulHi(M1, x2);
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

/** Philox4x32-10 of one counter under one key, as four uint32 words. For tests and known answers. */
export function philox4x32(
  ctr: readonly [number, number, number, number],
  key: readonly [number, number],
): [number, number, number, number] {
  const out = new Uint32Array(4);
  philoxBlockInto(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out, 0);
  return [out[0] ?? 0, out[1] ?? 0, out[2] ?? 0, out[3] ?? 0];
}

/**
 * Four consecutive stream blocks, counters (c0 .. c0 + 3, c1, 0, 0); the caller keeps c0 ≤ 2^32 − 4 so
 * no carry falls inside the group. Each round is a long dependent chain (multiply, convert, round, convert
 * back); four independent blocks side by side let the CPU overlap those chains, which is most of the
 * speed of a stream. The 16 words go to `words` as they are, or, when `floats` is given, straight to
 * floats as uniform draws f32(f32(word as int32 >> 8) · mult) (DESIGN.md §5): converting while the words
 * are still in registers saves a pass over memory, worth about 10% of uniform regeneration.
 */
function philoxQuad(c0: number, c1: number, k0: number, k1: number, words: Uint32Array | Int32Array | undefined, floats: Float32Array | undefined, at: number, mult: number): void {
  // Round 1 in the declarations: a stream counter is (c0 + i, c1, 0, 0), and with lanes 2 and 3 at 0 the
  // round needs one product per block, not two.
  let key0 = k0 | 0;
  let key1 = k1 | 0;
  const c1k = c1 ^ key0;
  const cb = (c0 + 1) | 0, cd = (c0 + 2) | 0, ce = (c0 + 3) | 0;
  let a0 = c1k, a1 = 0, a2 = mulHi(M0, c0) ^ key1, a3 = Math.imul(M0, c0);
  let b0 = c1k, b1 = 0, b2 = mulHi(M0, cb) ^ key1, b3 = Math.imul(M0, cb);
  let d0 = c1k, d1 = 0, d2 = mulHi(M0, cd) ^ key1, d3 = Math.imul(M0, cd);
  let e0 = c1k, e1 = 0, e2 = mulHi(M0, ce) ^ key1, e3 = Math.imul(M0, ce);
  key0 = (key0 + W0) | 0;
  key1 = (key1 + W1) | 0;
  for (let r = 1; r < ROUNDS; r++) {
    let hi0 = mulHi(M0, a0), hi1 = mulHi(M1, a2), lo0 = Math.imul(M0, a0), lo1 = Math.imul(M1, a2);
    a0 = hi1 ^ a1 ^ key0; a1 = lo1; a2 = hi0 ^ a3 ^ key1; a3 = lo0;
    hi0 = mulHi(M0, b0); hi1 = mulHi(M1, b2); lo0 = Math.imul(M0, b0); lo1 = Math.imul(M1, b2);
    b0 = hi1 ^ b1 ^ key0; b1 = lo1; b2 = hi0 ^ b3 ^ key1; b3 = lo0;
    hi0 = mulHi(M0, d0); hi1 = mulHi(M1, d2); lo0 = Math.imul(M0, d0); lo1 = Math.imul(M1, d2);
    d0 = hi1 ^ d1 ^ key0; d1 = lo1; d2 = hi0 ^ d3 ^ key1; d3 = lo0;
    hi0 = mulHi(M0, e0); hi1 = mulHi(M1, e2); lo0 = Math.imul(M0, e0); lo1 = Math.imul(M1, e2);
    e0 = hi1 ^ e1 ^ key0; e1 = lo1; e2 = hi0 ^ e3 ^ key1; e3 = lo0;
    key0 = (key0 + W0) | 0;
    key1 = (key1 + W1) | 0;
  }
  if (floats !== undefined) {
    // |word >> 8| ≤ 2^23 is exact in float32, and the product of two 24-bit significands is exact in a
    // double, so the outer fround is the single float32 rounding of the product.
    floats[at] = Math.fround(Math.fround(a0 >> 8) * mult);
    floats[at + 1] = Math.fround(Math.fround(a1 >> 8) * mult);
    floats[at + 2] = Math.fround(Math.fround(a2 >> 8) * mult);
    floats[at + 3] = Math.fround(Math.fround(a3 >> 8) * mult);
    floats[at + 4] = Math.fround(Math.fround(b0 >> 8) * mult);
    floats[at + 5] = Math.fround(Math.fround(b1 >> 8) * mult);
    floats[at + 6] = Math.fround(Math.fround(b2 >> 8) * mult);
    floats[at + 7] = Math.fround(Math.fround(b3 >> 8) * mult);
    floats[at + 8] = Math.fround(Math.fround(d0 >> 8) * mult);
    floats[at + 9] = Math.fround(Math.fround(d1 >> 8) * mult);
    floats[at + 10] = Math.fround(Math.fround(d2 >> 8) * mult);
    floats[at + 11] = Math.fround(Math.fround(d3 >> 8) * mult);
    floats[at + 12] = Math.fround(Math.fround(e0 >> 8) * mult);
    floats[at + 13] = Math.fround(Math.fround(e1 >> 8) * mult);
    floats[at + 14] = Math.fround(Math.fround(e2 >> 8) * mult);
    floats[at + 15] = Math.fround(Math.fround(e3 >> 8) * mult);
  } else if (words !== undefined) {
    words[at] = a0; words[at + 1] = a1; words[at + 2] = a2; words[at + 3] = a3;
    words[at + 4] = b0; words[at + 5] = b1; words[at + 6] = b2; words[at + 7] = b3;
    words[at + 8] = d0; words[at + 9] = d1; words[at + 10] = d2; words[at + 11] = d3;
    words[at + 12] = e0; words[at + 13] = e1; words[at + 14] = e2; words[at + 15] = e3;
  }
}

/**
 * Whole blocks firstBlock .. firstBlock + blocks − 1 as words to out[at ..]. A loop of its own, with
 * nothing after it: V8 compiles long loops on the fly (OSR), and code after such a loop that never ran
 * before has no type feedback, which made the caller deoptimise on every call.
 */
function fillBlocks(k0: number, k1: number, firstBlock: number, blocks: number, out: Uint32Array | Int32Array, at: number): void {
  // The 64-bit block counter lives as two uint32 halves; the high half only changes on a carry.
  let c0 = firstBlock >>> 0;
  let c1 = Math.floor(firstBlock / TWO_POW_32);
  for (let done = 0, o = at; done < blocks; ) {
    // Groups of four blocks, except where a carry into c1 would fall inside the group.
    let step = 1;
    if (blocks - done >= 4 && c0 <= 0xfffffffc) {
      philoxQuad(c0, c1, k0, k1, out, undefined, o, 0);
      step = 4;
    } else {
      philoxBlockInto(c0, c1, 0, 0, k0, k1, out, o);
    }
    done += step;
    o += 4 * step;
    c0 = (c0 + step) >>> 0;
    if (c0 === 0) c1++;
  }
}

/** Holds the one partial block at either end of a range; reused because JS runs one call at a time. */
const edgeBlock = new Uint32Array(4);

/** Copies lanes from .. to − 1 of stream block `block` to out[at ..]. */
function copyLanes(k0: number, k1: number, block: number, from: number, to: number, out: Uint32Array | Int32Array, at: number): void {
  philoxBlockInto(block >>> 0, Math.floor(block / TWO_POW_32), 0, 0, k0, k1, edgeBlock, 0);
  for (let lane = from; lane < to; lane++) out[at + lane - from] = edgeBlock[lane] ?? 0;
}

function checkRange(start: number, count: number): void {
  // Compared as start > 2^53 − count because start + count itself could round back down to 2^53.
  if (!Number.isSafeInteger(start) || start < 0 || start > MAX_STREAM_WORDS - count) {
    throw new RangeError(`stream words ${start} .. ${start + count - 1} are outside 0 .. 2^53 − 1`);
  }
}

/**
 * Fills `out` with words start .. start + out.length − 1 of the stream under `key`, where word j is lane
 * j mod 4 of Philox(ctr = (low32(j div 4), high32(j div 4), 0, 0), key). Any start (not only multiples
 * of 4) and any word index below 2^53 are allowed. An Int32Array receives the same bits.
 */
export function fillPhiloxWords(key: readonly [number, number], start: number, out: Uint32Array | Int32Array): void {
  const n = out.length;
  checkRange(start, n);
  const k0 = key[0];
  const k1 = key[1];
  let block = Math.floor(start / 4);
  let o = 0;
  const lead = start % 4;
  if (lead !== 0 && n > 0) {
    o = Math.min(n, 4 - lead);
    copyLanes(k0, k1, block, lead, lead + o, out, 0);
    block++;
  }
  const whole = Math.floor((n - o) / 4);
  fillBlocks(k0, k1, block, whole, out, o);
  o += 4 * whole;
  if (o < n) copyLanes(k0, k1, block + whole, 0, n - o, out, o);
}

/**
 * Uniform draws for the elements whose words are firstBlock·4 .. (firstBlock + 4·quads)·4 − 1, written to
 * out[at ..]; firstBlock must be a multiple of 4, so no group of four blocks carries. The fused fast path
 * of seed-stream's uniform distribution, which handles the unaligned ends itself.
 */
export function fillUniformQuads(key: readonly [number, number], firstBlock: number, quads: number, mult: number, out: Float32Array, at: number): void {
  checkRange(4 * firstBlock, 16 * quads);
  if (firstBlock % 4 !== 0) throw new RangeError(`block ${firstBlock} does not start a group of four`);
  // A typed array drops writes past its end without a word; refuse instead of losing draws.
  if (!Number.isSafeInteger(quads) || quads < 0 || at < 0 || at + 16 * quads > out.length) {
    throw new RangeError(`${quads} groups of 16 draws from element ${at} do not fit an output of ${out.length}`);
  }
  const k0 = key[0];
  const k1 = key[1];
  for (let q = 0, block = firstBlock, o = at; q < quads; q++, block += 4, o += 16) {
    philoxQuad(block >>> 0, Math.floor(block / TWO_POW_32), k0, k1, undefined, out, o, mult);
  }
}
