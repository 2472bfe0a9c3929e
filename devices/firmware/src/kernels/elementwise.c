#include "kernels/kernels.h"

void rfw_add(const float *a, const float *b, float *out, size_t count) {
  for (size_t i = 0; i < count; i++) out[i] = a[i] + b[i];
}

void rfw_sub(const float *a, const float *b, float *out, size_t count) {
  for (size_t i = 0; i < count; i++) out[i] = a[i] - b[i];
}
