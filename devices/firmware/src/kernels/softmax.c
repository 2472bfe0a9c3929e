/* Softmax over a vector, shifted by its maximum so no exponential overflows. */
#include <math.h>

#include "kernels/kernels.h"

void rfw_softmax(const float *in, float *out, uint32_t count) {
  float m = in[0];
  for (uint32_t i = 1; i < count; i++) m = in[i] > m ? in[i] : m;
  float sum = 0.0f;
  for (uint32_t i = 0; i < count; i++) {
    out[i] = expf(in[i] - m);
    sum += out[i];
  }
  for (uint32_t i = 0; i < count; i++) out[i] /= sum;
}
