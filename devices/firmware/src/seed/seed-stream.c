#include "seed/seed-stream.h"

#include <string.h>

#include "seed/philox-rounds.h"

/*
 * Blocks generated side by side in the bulk of a range: 4 where there are registers for it (64-bit
 * hosts), 1 on 32-bit cores (a Cortex-M4 would spill four blocks' state to the stack).
 */
#ifndef RFW_PHILOX_LANES
#if defined(__x86_64__) || defined(__aarch64__)
#define RFW_PHILOX_LANES 4
#else
#define RFW_PHILOX_LANES 1
#endif
#endif

/*
 * The bulk loops of a run (uniform_run, normal_run) stay out of line on purpose: inside them the run's
 * key table is memory reached through a parameter, so each round reads its two key words with one
 * 64-bit load (LDRD on a Cortex-M4). Inlined beside the local table, the compiler knows the loop's
 * stores cannot touch it, hoists its 19 words into registers a Cortex-M4 does not have and reloads them
 * from the stack one word at a time: about 4 instructions more per block.
 */
#if defined(__GNUC__)
#define OUT_OF_LINE __attribute__((noinline))
#else
#define OUT_OF_LINE
#endif

#define MAX_ELEMENTS (1ull << 53)

/*
 * The stream's blocks in runs that share the counter's high word (rfw_philox_run): a range of elements
 * crosses into the next run only past block 2^32 − 1, so the fills below prepare a run once (twice at
 * such a crossing) and loop on a 32-bit block counter.
 */
typedef struct stream {
  rfw_philox_run run;
  uint32_t k0, k1, c1;
} stream;

static void stream_init(stream *s, const uint32_t key[2], uint64_t block) {
  s->k0 = key[0];
  s->k1 = key[1];
  s->c1 = (uint32_t)(block >> 32);
  rfw_philox_run_init(&s->run, s->k0, s->k1, s->c1);
}

/* The run of `block`, prepared again only when the high word changed. */
static inline const rfw_philox_run *stream_run(stream *s, uint64_t block) {
  if ((uint32_t)(block >> 32) != s->c1) {
    s->c1 = (uint32_t)(block >> 32);
    rfw_philox_run_init(&s->run, s->k0, s->k1, s->c1);
  }
  return &s->run;
}

static inline void block_at(stream *s, uint64_t block, uint32_t w[4]) { rfw_philox_run_block(stream_run(s, block), (uint32_t)block, w); }

/* How many of `blocks` blocks from `block` on stay in its run. */
static inline size_t run_blocks(uint64_t block, size_t blocks) {
  const uint64_t left = (1ull << 32) - (uint32_t)block;
  return (uint64_t)blocks < left ? blocks : (size_t)left;
}

/*
 * (word as int32) >> 8, rounding down, spelled without implementation-defined behaviour (a conversion
 * that cannot overflow, and shifts of non-negative values only): GCC 12 and Clang 14 compile it to one
 * arithmetic shift (ASR), where the earlier spelling with an unsigned shift took three instructions.
 */
static inline int32_t uniform_draw(uint32_t word) {
  const int32_t s = word >> 31 ? (int32_t)(word - 0x80000000u) - INT32_MAX - 1 : (int32_t)word;
  return s < 0 ? ~(~s >> 8) : s >> 8;
}

/*
 * uniform: value i = f32(f32(k) * mult), k = (word i as int32) >> 8. |k| <= 2^23 converts exactly, so the
 * product is the one rounding.
 */
OUT_OF_LINE static void uniform_run(const rfw_philox_run *run, uint32_t c0, size_t blocks, float mult, float *out) {
  uint32_t w[4];
  for (size_t b = 0; b < blocks; b++, out += 4) {
    rfw_philox_run_block(run, c0 + (uint32_t)b, w);
    out[0] = (float)uniform_draw(w[0]) * mult;
    out[1] = (float)uniform_draw(w[1]) * mult;
    out[2] = (float)uniform_draw(w[2]) * mult;
    out[3] = (float)uniform_draw(w[3]) * mult;
  }
}

static void fill_uniform(const uint32_t key[2], uint64_t start, size_t count, float mult, float *out) {
  uint64_t block = start >> 2;
  unsigned lane = (unsigned)(start & 3);
  stream s;
  stream_init(&s, key, block);
  uint32_t w[16];
  size_t o = 0;
  if (lane != 0) {
    block_at(&s, block++, w);
    for (; lane < 4 && o < count; lane++) out[o++] = (float)uniform_draw(w[lane]) * mult;
  }
  while (count - o >= 4) {
    const rfw_philox_run *run = stream_run(&s, block);
    const size_t n = run_blocks(block, (count - o) / 4);
    size_t b = 0;
#if RFW_PHILOX_LANES == 4
    const uint32_t c1 = (uint32_t)(block >> 32);
    for (; n - b >= 4; b += 4) {
      rfw_philox_quad((uint32_t)block + (uint32_t)b, c1, key[0], key[1], w);
      for (int i = 0; i < 16; i++) out[o + 4 * b + (size_t)i] = (float)uniform_draw(w[i]) * mult;
    }
#endif
    uniform_run(run, (uint32_t)block + (uint32_t)b, n - b, mult, out + o + 4 * b);
    block += n;
    o += 4 * n;
  }
  if (o < count) {
    block_at(&s, block, w);
    for (lane = 0; o < count; lane++) out[o++] = (float)uniform_draw(w[lane]) * mult;
  }
}

/*
 * normal (Irwin-Hall of 4): S = sum of (word 4i+t >>> 8) - 2^25, value = f32(f32(S) * mult). Element i
 * reads exactly block i. S needs 26 bits, so f32(S) is a real rounding, to nearest even as the C
 * conversion from int does.
 */
static inline float normal_draw(const uint32_t w[4], float mult) {
  const int32_t s = (int32_t)((w[0] >> 8) + (w[1] >> 8) + (w[2] >> 8) + (w[3] >> 8)) - (int32_t)0x2000000;
  return (float)s * mult;
}

OUT_OF_LINE static void normal_run(const rfw_philox_run *run, uint32_t c0, size_t n, float mult, float *out) {
  uint32_t w[4];
  for (size_t e = 0; e < n; e++) {
    rfw_philox_run_block(run, c0 + (uint32_t)e, w);
    out[e] = normal_draw(w, mult);
  }
}

static void fill_normal(const uint32_t key[2], uint64_t start, size_t count, float mult, float *out) {
  stream s;
  stream_init(&s, key, start);
  for (size_t o = 0; o < count;) {
    const uint64_t block = start + o;
    const rfw_philox_run *run = stream_run(&s, block);
    const size_t n = run_blocks(block, count - o);
    size_t e = 0;
#if RFW_PHILOX_LANES == 4
    uint32_t w[16];
    const uint32_t c1 = (uint32_t)(block >> 32);
    for (; n - e >= 4; e += 4) {
      rfw_philox_quad((uint32_t)block + (uint32_t)e, c1, key[0], key[1], w);
      for (int i = 0; i < 4; i++) out[o + e + (size_t)i] = normal_draw(w + 4 * i, mult);
    }
#endif
    normal_run(run, (uint32_t)block + (uint32_t)e, n - e, mult, out + o + e);
    o += n;
  }
}

/*
 * sign: bit (i mod 32) of word (i div 32), least significant first: +mult when set, -mult when clear.
 * Negation flips the IEEE sign bit, so each value is mult's bits with bit 31 set from the stream bit:
 * no branch. sign_word takes part of a word (a range's first and last), sign_word32 a whole one.
 */
static inline void sign_word(uint32_t word, uint32_t mult_bits, unsigned from, unsigned to, float *out) {
  for (unsigned b = from; b < to; b++) {
    const uint32_t bits = mult_bits ^ ((~word >> b & 1u) << 31);
    memcpy(out + (b - from), &bits, sizeof bits);
  }
}

/*
 * A whole word: a copy of the complemented word moves down one bit per value, so each value's sign bit
 * is the copy's bit 0 shifted to bit 31 (on a Cortex-M4 three instructions a value: EOR with a shifted
 * operand, store, shift).
 */
static inline void sign_word32(uint32_t word, uint32_t mult_bits, float *out) {
  uint32_t v = ~word;
  for (unsigned b = 0; b < 32; b++, v >>= 1) {
    const uint32_t bits = mult_bits ^ (v << 31);
    memcpy(out + b, &bits, sizeof bits);
  }
}

static void fill_sign(const uint32_t key[2], uint64_t start, size_t count, float mult, float *out) {
  uint32_t mult_bits;
  memcpy(&mult_bits, &mult, sizeof mult_bits);
  uint64_t word = start >> 5;
  unsigned bit = (unsigned)(start & 31);
  stream s;
  stream_init(&s, key, word >> 2);
  uint32_t w[4];
  size_t o = 0;
  /* Up to the first whole block: word by word, the first one from `bit`. */
  if (bit != 0 || (word & 3) != 0) {
    block_at(&s, word >> 2, w);
    do {
      const unsigned to = count - o < 32 - bit ? bit + (unsigned)(count - o) : 32;
      sign_word(w[word & 3], mult_bits, bit, to, out + o);
      o += to - bit;
      bit = 0;
      word++;
    } while ((word & 3) != 0 && o < count);
  }
  /* Whole blocks: 128 values each. */
  for (; count - o >= 128; o += 128, word += 4) {
    block_at(&s, word >> 2, w);
    for (int i = 0; i < 4; i++) sign_word32(w[i], mult_bits, out + o + 32 * (size_t)i);
  }
  /* The last block's words. */
  if (o < count) {
    block_at(&s, word >> 2, w);
    for (unsigned i = 0; o < count; i++) {
      const unsigned to = count - o < 32 ? (unsigned)(count - o) : 32;
      sign_word(w[i], mult_bits, 0, to, out + o);
      o += to;
    }
  }
}

rfw_status rfw_regenerate(const rfw_seed_params *params, uint64_t start, size_t count, float *out) {
  if (params == NULL || (out == NULL && count > 0)) return RFW_ERR_ARGUMENT;
  if (start > MAX_ELEMENTS || (uint64_t)count > MAX_ELEMENTS - start) return RFW_ERR_RANGE;
  if (count == 0) return RFW_OK;
  const uint32_t key[2] = {params->seed_lo, params->seed_hi};
  switch (params->dist) {
    case RFW_DIST_UNIFORM:
      fill_uniform(key, start, count, params->mult, out);
      return RFW_OK;
    case RFW_DIST_NORMAL:
      fill_normal(key, start, count, params->mult, out);
      return RFW_OK;
    case RFW_DIST_SIGN:
      fill_sign(key, start, count, params->mult, out);
      return RFW_OK;
  }
  return RFW_ERR_ARGUMENT;
}
