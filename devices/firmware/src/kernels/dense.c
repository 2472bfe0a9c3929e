/* Dense (fully connected): one dot product per output over a contiguous weight row. */
#include "kernels/kernels.h"

void rfw_dense(const float *in, uint32_t in_features, float *out, uint32_t out_features, const rfw_values *weight, const rfw_values *bias) {
  for (uint32_t o = 0; o < out_features; o++) {
    float acc = 0.0f;
    const size_t row = (size_t)o * in_features;
    if (weight->f32 != NULL) {
      const float *w = weight->f32 + row;
      for (uint32_t i = 0; i < in_features; i++) acc += w[i] * in[i];
    } else {
      /* fp16 / int8 rows dequantised as they are read, exactly as the studio dequantises them. */
      for (uint32_t i = 0; i < in_features; i++) acc += rfw_value_at(weight, row + i) * in[i];
    }
    out[o] = acc + rfw_value_at(bias, o);
  }
}
