/*
 * The Philox4x32-10 rounds as inline functions, for the hot loops of the seed streams: one block, one
 * block of a stream run (its first rounds worked out once per run), and four consecutive blocks side by
 * side. Each round is a dependent chain (multiply, xor); four independent blocks let a superscalar core
 * overlap the chains, which is most of a stream's speed on a host. A Cortex-M4 has too few registers for
 * four blocks and runs one at a time (see seed-stream.c).
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

/*
 * A run of stream blocks: counters (c0, c1, 0, 0) under one key with one high word c1, which is how
 * every seeded tensor reads its stream. Such a block's first rounds meet zeros and terms that depend on
 * the key and c1 alone:
 *   round 1: x0 = c1 ^ k0 (the same for the whole run), x1 = 0, x2 = hi(M0·c0) ^ k1, x3 = lo(M0·c0);
 *   round 2: the product M0·x0 is the run's constant A, x1 = 0 drops an XOR, and x2 = hi(A) ^ x3 ^ k1'
 *            takes hi(A) ^ k1' as one word; x3 becomes lo(A);
 *   round 3: x2 = hi(M0·x0) ^ lo(A) ^ k1'' takes lo(A) ^ k1'' as one word.
 * rfw_philox_run_init works these out once. A block then takes 18 products instead of 20 and 34 XORs
 * instead of 40, and every round from the second reads its two key words with one 64-bit load (LDRD on
 * a Cortex-M4) instead of computing them: 63 instructions a block on a Cortex-M4 instead of 80.
 */
typedef struct rfw_philox_run {
  uint32_t k1; /* round 1's key word 1 */
  /* Rounds 2 to 10: the word XORed into x0 in the low half, the word XORed into x2 in the high half. */
  uint64_t keys[9];
} rfw_philox_run;

/** Prepares the blocks (c0, c1, 0, 0) under key (k0, k1), any c0. */
static inline void rfw_philox_run_init(rfw_philox_run *run, uint32_t k0, uint32_t k1, uint32_t c1) {
  const uint64_t a = (uint64_t)RFW_PHILOX_M0 * (c1 ^ k0); /* round 2's product of x0 = c1 ^ k0 */
  run->k1 = k1;
  for (int r = 0; r < 9; r++) {
    k0 += RFW_PHILOX_W0;
    k1 += RFW_PHILOX_W1;
    const uint32_t x2_word = r == 0 ? k1 ^ (uint32_t)(a >> 32) : r == 1 ? k1 ^ (uint32_t)a : k1;
    run->keys[r] = (uint64_t)x2_word << 32 | k0;
  }
}

/*
 * One round's new x0 and x2 as one 64-bit XOR with the round's key pair: x0 in the low half, x2 in the
 * high half, so each round reads its two key words with one load (LDRD on a Cortex-M4).
 */
#define RFW_PHILOX_RUN_ROUND(x0_word, x2_word, key) ((((uint64_t)(x2_word) << 32) | (x0_word)) ^ (key))

/** Block (c0, c1, 0, 0) of a run: the same four words as rfw_philox_rounds(c0, c1, 0, 0, k0, k1). */
static inline void rfw_philox_run_block(const rfw_philox_run *run, uint32_t c0, uint32_t out[4]) {
  /* Rounds 1 and 2: one product each. */
  uint64_t p0 = (uint64_t)RFW_PHILOX_M0 * c0;
  uint64_t p1 = (uint64_t)RFW_PHILOX_M1 * ((uint32_t)(p0 >> 32) ^ run->k1);
  uint64_t x02 = RFW_PHILOX_RUN_ROUND((uint32_t)(p1 >> 32), (uint32_t)p0, run->keys[0]);
  uint32_t x1 = (uint32_t)p1;
  /* Round 3: x3 (lo(A)) is in the key's high word. */
  p0 = (uint64_t)RFW_PHILOX_M0 * (uint32_t)x02;
  p1 = (uint64_t)RFW_PHILOX_M1 * (uint32_t)(x02 >> 32);
  x02 = RFW_PHILOX_RUN_ROUND((uint32_t)(p1 >> 32) ^ x1, (uint32_t)(p0 >> 32), run->keys[1]);
  x1 = (uint32_t)p1;
  uint32_t x3 = (uint32_t)p0;
  for (int r = 2; r < 9; r++) {
    p0 = (uint64_t)RFW_PHILOX_M0 * (uint32_t)x02;
    p1 = (uint64_t)RFW_PHILOX_M1 * (uint32_t)(x02 >> 32);
    x02 = RFW_PHILOX_RUN_ROUND((uint32_t)(p1 >> 32) ^ x1, (uint32_t)(p0 >> 32) ^ x3, run->keys[r]);
    x1 = (uint32_t)p1;
    x3 = (uint32_t)p0;
  }
  out[0] = (uint32_t)x02;
  out[1] = x1;
  out[2] = (uint32_t)(x02 >> 32);
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
