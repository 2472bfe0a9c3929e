/*
 * Batch norm at inference. Folding γ, β and the running statistics into one scale and one shift per
 * channel at the start of each run costs a square root per channel and no memory, where folding them
 * once at load would keep 8 bytes a channel for the model's life (and the package's own tensors stay
 * read-only in flash).
 */
#include <math.h>

#include "kernels/kernels.h"

void rfw_batchnorm(const float *in, float *out, uint32_t channels, size_t plane, const rfw_values *gamma, const rfw_values *beta, const rfw_values *mean, const rfw_values *var, double eps) {
  for (uint32_t c = 0; c < channels; c++) {
    const double s = (double)rfw_value_at(gamma, c) / sqrt((double)rfw_value_at(var, c) + eps);
    const float scale = (float)s;
    const float shift = (float)((double)rfw_value_at(beta, c) - (double)rfw_value_at(mean, c) * s);
    const float *x = in + c * plane;
    float *y = out + c * plane;
    for (size_t j = 0; j < plane; j++) y[j] = x[j] * scale + shift;
  }
}
