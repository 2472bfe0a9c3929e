#include "kernels/kernels.h"

void rfw_relu(const float *in, float *out, size_t count) {
  /* "x < 0 ? 0 : x" rather than "x > 0 ? x : 0": a NaN passes through, as in PyTorch. */
  for (size_t i = 0; i < count; i++) out[i] = in[i] < 0.0f ? 0.0f : in[i];
}
