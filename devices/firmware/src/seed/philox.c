#include "seed/philox.h"

#include "seed/philox-rounds.h"

void rfw_philox4x32_10(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  rfw_philox_rounds(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
}

void rfw_philox_block(const uint32_t key[2], uint64_t block, uint32_t out[4]) {
  rfw_philox_rounds((uint32_t)block, (uint32_t)(block >> 32), 0, 0, key[0], key[1], out);
}

rfw_status rfw_philox_words(const uint32_t key[2], uint64_t start, size_t count, uint32_t *out) {
  if (count == 0) return RFW_OK;
  if (out == NULL) return RFW_ERR_ARGUMENT;
  if ((uint64_t)count - 1 > UINT64_MAX - start) return RFW_ERR_RANGE;
  uint64_t block = start >> 2;
  unsigned lane = (unsigned)(start & 3);
  uint32_t words[4];
  size_t o = 0;
  while (o < count) {
    rfw_philox_block(key, block++, words);
    for (; lane < 4 && o < count; lane++) out[o++] = words[lane];
    lane = 0;
  }
  return RFW_OK;
}
