/*
 * The Philox4x32-10 rounds as inline functions, for the hot loops of the seed streams: one block, and
 * four consecutive blocks side by side. Each round is a dependent chain (multiply, xor); four
 * independent blocks let a superscalar core overlap the chains, which is most of a stream's speed on a
 * host. A Cortex-M4 has too few registers for four blocks and runs one at a time (see seed-stream.c).
 */
#ifndef RFW_PHILOX_ROUNDS_H
#define RFW_PHILOX_ROUNDS_H

#include <stdint.h>

#define RFW_PHILOX_M0 0xd2511f53u
#define RFW_PHILOX_M1 0xcd9e8d57u
/* Weyl increments of the key schedule: the golden ratio and sqrt(3) - 1 as 32-bit fractions. */
#define RFW_PHILOX_W0 0x9e3779b9u
#define RFW_PHILOX_W1 0xbb67ae85u

/** Ten rounds on (x0..x3) under key (k0, k1); a 32x32->64 product is one instruction (UMULL on Cortex-M4). */
static inline void rfw_philox_rounds(uint32_t x0, uint32_t x1, uint32_t x2, uint32_t x3, uint32_t k0, uint32_t k1, uint32_t out[4]) {
  for (int r = 0; r < 10; r++) {
    const uint64_t p0 = (uint64_t)RFW_PHILOX_M0 * x0;
    const uint64_t p1 = (uint64_t)RFW_PHILOX_M1 * x2;
    x0 = (uint32_t)(p1 >> 32) ^ x1 ^ k0;
    x1 = (uint32_t)p1;
    x2 = (uint32_t)(p0 >> 32) ^ x3 ^ k1;
    x3 = (uint32_t)p0;
    k0 += RFW_PHILOX_W0;
    k1 += RFW_PHILOX_W1;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/**
 * Stream blocks c0 .. c0 + 3 (counter (c0 + i, c1, 0, 0)) into out[0 .. 15]; the caller keeps
 * c0 <= 2^32 - 4 so no carry into c1 falls inside the group.
 */
static inline void rfw_philox_quad(uint32_t c0, uint32_t c1, uint32_t k0, uint32_t k1, uint32_t out[16]) {
  /* Round 1 folded in: lanes 2 and 3 of a stream counter are 0, so it needs one product per block. */
  uint32_t a0 = c1 ^ k0, a1 = 0, a2, a3, b0 = a0, b1 = 0, b2, b3, d0 = a0, d1 = 0, d2, d3, e0 = a0, e1 = 0, e2, e3;
  uint64_t p = (uint64_t)RFW_PHILOX_M0 * c0;
  a2 = (uint32_t)(p >> 32) ^ k1, a3 = (uint32_t)p;
  p = (uint64_t)RFW_PHILOX_M0 * (c0 + 1u);
  b2 = (uint32_t)(p >> 32) ^ k1, b3 = (uint32_t)p;
  p = (uint64_t)RFW_PHILOX_M0 * (c0 + 2u);
  d2 = (uint32_t)(p >> 32) ^ k1, d3 = (uint32_t)p;
  p = (uint64_t)RFW_PHILOX_M0 * (c0 + 3u);
  e2 = (uint32_t)(p >> 32) ^ k1, e3 = (uint32_t)p;
#define RFW_PHILOX_ROUND(x0, x1, x2, x3)                       \
  do {                                                         \
    const uint64_t q0 = (uint64_t)RFW_PHILOX_M0 * x0;          \
    const uint64_t q1 = (uint64_t)RFW_PHILOX_M1 * x2;          \
    x0 = (uint32_t)(q1 >> 32) ^ x1 ^ k0;                       \
    x1 = (uint32_t)q1;                                         \
    x2 = (uint32_t)(q0 >> 32) ^ x3 ^ k1;                       \
    x3 = (uint32_t)q0;                                         \
  } while (0)
  for (int r = 1; r < 10; r++) {
    k0 += RFW_PHILOX_W0;
    k1 += RFW_PHILOX_W1;
    RFW_PHILOX_ROUND(a0, a1, a2, a3);
    RFW_PHILOX_ROUND(b0, b1, b2, b3);
    RFW_PHILOX_ROUND(d0, d1, d2, d3);
    RFW_PHILOX_ROUND(e0, e1, e2, e3);
  }
#undef RFW_PHILOX_ROUND
  out[0] = a0, out[1] = a1, out[2] = a2, out[3] = a3;
  out[4] = b0, out[5] = b1, out[6] = b2, out[7] = b3;
  out[8] = d0, out[9] = d1, out[10] = d2, out[11] = d3;
  out[12] = e0, out[13] = e1, out[14] = e2, out[15] = e3;
}

#endif
