/*
 * ReFrame's mixed average pool: the channels split into one group per kernel (the first group takes the
 * remainder, core/ops/mixedpool.ts mixedPoolSplits), each group pooled with its own k×k window, padding
 * k / 2, and the common stride. Odd kernels keep every group at the same output size.
 */
#include "common/bytes.h"
#include "kernels/kernels.h"

uint32_t rfw_mixedpool_split(uint32_t channels, uint32_t groups, uint32_t g) {
  const uint32_t base = channels / groups;
  return g == 0 ? channels - base * (groups - 1) : base;
}

void rfw_mixedpool(const float *in, rfw_dims in_dims, float *out, rfw_dims out_dims, const uint8_t *kernel_words, uint32_t kernel_count, uint32_t stride, int count_include_pad, float *row) {
  const size_t in_plane = (size_t)in_dims.h * in_dims.w, out_plane = (size_t)out_dims.h * out_dims.w;
  uint32_t first = 0;
  for (uint32_t g = 0; g < kernel_count; g++) {
    const uint32_t k = rfw_u32le(kernel_words + 4 * g);
    const uint32_t n = rfw_mixedpool_split(in_dims.c, kernel_count, g);
    const rfw_window win = {k, k, stride, stride, k / 2, k / 2};
    const rfw_dims gi = {n, in_dims.h, in_dims.w}, go = {n, out_dims.h, out_dims.w};
    rfw_avgpool(in + first * in_plane, gi, out + first * out_plane, go, &win, count_include_pad, row);
    first += n;
  }
}
