/*
 * Seed streams (DESIGN.md §5): a seeded tensor travels as (64-bit seed, distribution, float32 multiplier)
 * and every runtime rebuilds the same float32 bits from it. Only integer work and single float32
 * roundings happen here, and the build uses -ffp-contract=off, so no multiply-add is ever fused.
 */
#ifndef RFW_SEED_STREAM_H
#define RFW_SEED_STREAM_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

typedef enum rfw_dist { RFW_DIST_UNIFORM = 0, RFW_DIST_NORMAL = 1, RFW_DIST_SIGN = 2 } rfw_dist;

typedef struct rfw_seed_params {
  uint32_t seed_lo; /* low 32 bits of the seed: key word 0 */
  uint32_t seed_hi; /* high 32 bits: key word 1 */
  rfw_dist dist;
  float mult; /* stored in the package; never derived on a board */
} rfw_seed_params;

/**
 * Elements start .. start + count − 1 of a seeded tensor (row-major canonical order) into out[0 ..
 * count − 1]. The result is the same slice of the whole tensor whatever the slicing, so a board can
 * regenerate a layer in pieces as small as its scratch buffer.
 * @param[in]  params the stream
 * @param[in]  start  first element
 * @param[in]  count  number of elements
 * @param[out] out    count floats
 * @return RFW_OK; RFW_ERR_ARGUMENT for an unknown distribution or a NULL output; RFW_ERR_RANGE when the
 *         range passes element 2^53 − 1 (the TypeScript streams' limit)
 */
rfw_status rfw_regenerate(const rfw_seed_params *params, uint64_t start, size_t count, float *out);

#endif
