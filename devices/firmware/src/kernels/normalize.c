#include "common/bytes.h"
#include "kernels/kernels.h"

void rfw_normalize(const float *in, float *out, uint32_t channels, size_t plane, const uint8_t *mean_words, uint32_t mean_count, const uint8_t *std_words, uint32_t std_count) {
  for (uint32_t c = 0; c < channels; c++) {
    /* The engine holds the spec's float64 numbers as float32 tensors: round once, then subtract and divide in float32. */
    const float m = (float)rfw_f64le(mean_words + 8 * (mean_count == 1 ? 0 : c));
    const float s = (float)rfw_f64le(std_words + 8 * (std_count == 1 ? 0 : c));
    const float *x = in + c * plane;
    float *y = out + c * plane;
    for (size_t j = 0; j < plane; j++) y[j] = (x[j] - m) / s;
  }
}
