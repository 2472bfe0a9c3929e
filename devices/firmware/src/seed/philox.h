/*
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3", SC'11), the counter-based
 * generator behind every seed stream (DESIGN.md §5). Word j of a stream is a pure function of (key, j),
 * so a board can regenerate any layer, or any slice of one, without replaying the words before it.
 */
#ifndef RFW_PHILOX_H
#define RFW_PHILOX_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

/**
 * One Philox4x32-10 block.
 * @param[in]  ctr the 128-bit counter as four words
 * @param[in]  key the 64-bit key as two words
 * @param[out] out the four output words (may not alias ctr)
 */
void rfw_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]);

/**
 * Block `block` of a stream: Philox(ctr = (low32(block), high32(block), 0, 0), key).
 * @param[in]  key   the stream's key
 * @param[in]  block the block index (word j lives in block j / 4, lane j % 4)
 * @param[out] out   the block's four words
 */
void rfw_philox_block(const uint32_t key[2], uint64_t block, uint32_t out[4]);

/**
 * Words start .. start + count − 1 of the stream under `key`.
 * @return RFW_ERR_RANGE when the range passes word 2^64 − 1, else RFW_OK
 */
rfw_status rfw_philox_words(const uint32_t key[2], uint64_t start, size_t count, uint32_t *out);

#endif
