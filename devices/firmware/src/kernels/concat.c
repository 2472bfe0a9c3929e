/* Concatenation along channels: in NCHW each input is one contiguous block after the previous one. */
#include <string.h>

#include "kernels/kernels.h"

float *rfw_concat_append(float *at, const float *in, size_t count) {
  memcpy(at, in, count * sizeof *in);
  return at + count;
}
