#include "kernels/kernels.h"

void rfw_global_avgpool(const float *in, float *out, uint32_t channels, size_t plane) {
  for (uint32_t c = 0; c < channels; c++) {
    const float *x = in + c * plane;
    float s = 0.0f;
    for (size_t j = 0; j < plane; j++) s += x[j];
    out[c] = s / (float)plane;
  }
}
