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

#define MAX_ELEMENTS (1ull << 53)

/* (word as int32) >> 8 with an arithmetic shift, spelled without implementation-defined behaviour. */
static inline int32_t uniform_draw(uint32_t word) { return (int32_t)(word >> 8) - (int32_t)((word >> 31) << 24); }

/*
 * uniform: value i = f32(f32(k) * mult), k = (word i as int32) >> 8. |k| <= 2^23 converts exactly, so the
 * product is the one rounding.
 */
static inline void block_at(const uint32_t key[2], uint64_t block, uint32_t w[4]) { rfw_philox_rounds((uint32_t)block, (uint32_t)(block >> 32), 0, 0, key[0], key[1], w); }

/* Four blocks from `block` at once when they share the counter's high word, else one at a time. */
static inline void quad_at(const uint32_t key[2], uint64_t block, uint32_t w[16]) {
  if ((uint32_t)block <= 0xfffffffcu) {
    rfw_philox_quad((uint32_t)block, (uint32_t)(block >> 32), key[0], key[1], w);
  } else {
    for (int b = 0; b < 4; b++) block_at(key, block + (uint64_t)b, w + 4 * b);
  }
}

static void fill_uniform(const uint32_t key[2], uint64_t start, size_t count, float mult, float *out) {
  uint64_t block = start >> 2;
  unsigned lane = (unsigned)(start & 3);
  uint32_t w[16];
  size_t o = 0;
  if (lane != 0) {
    block_at(key, block++, w);
    for (; lane < 4 && o < count; lane++) out[o++] = (float)uniform_draw(w[lane]) * mult;
  }
#if RFW_PHILOX_LANES == 4
  for (; count - o >= 16; o += 16, block += 4) {
    quad_at(key, block, w);
    for (int i = 0; i < 16; i++) out[o + (size_t)i] = (float)uniform_draw(w[i]) * mult;
  }
#endif
  for (; count - o >= 4; o += 4) {
    block_at(key, block++, w);
    out[o] = (float)uniform_draw(w[0]) * mult;
    out[o + 1] = (float)uniform_draw(w[1]) * mult;
    out[o + 2] = (float)uniform_draw(w[2]) * mult;
    out[o + 3] = (float)uniform_draw(w[3]) * mult;
  }
  if (o < count) {
    block_at(key, block, w);
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

static void fill_normal(const uint32_t key[2], uint64_t start, size_t count, float mult, float *out) {
  uint32_t w[16];
  size_t o = 0;
#if RFW_PHILOX_LANES == 4
  for (; count - o >= 4; o += 4) {
    quad_at(key, start + o, w);
    for (int e = 0; e < 4; e++) out[o + (size_t)e] = normal_draw(w + 4 * e, mult);
  }
#endif
  for (; o < count; o++) {
    block_at(key, start + o, w);
    out[o] = normal_draw(w, mult);
  }
}

/*
 * sign: bit (i mod 32) of word (i div 32), least significant first: +mult when set, -mult when clear.
 * Negation flips the IEEE sign bit, so each value is mult's bits with bit 31 set from the stream bit:
 * no branch, and a whole word's 32 values vectorise.
 */
static inline void sign_word(uint32_t word, uint32_t mult_bits, unsigned from, unsigned to, float *out) {
  for (unsigned b = from; b < to; b++) {
    const uint32_t bits = mult_bits ^ ((~word >> b & 1u) << 31);
    memcpy(out + (b - from), &bits, sizeof bits);
  }
}

static void fill_sign(const uint32_t key[2], uint64_t start, size_t count, float mult, float *out) {
  uint32_t mult_bits;
  memcpy(&mult_bits, &mult, sizeof mult_bits);
  uint64_t word = start >> 5;
  unsigned bit = (unsigned)(start & 31);
  uint32_t w[4];
  size_t o = 0;
  block_at(key, word >> 2, w);
  while (o < count) {
    const unsigned to = count - o < 32 - bit ? bit + (unsigned)(count - o) : 32;
    sign_word(w[word & 3], mult_bits, bit, to, out + o);
    o += to - bit;
    bit = 0;
    word++;
    if ((word & 3) == 0 && o < count) block_at(key, word >> 2, w);
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
