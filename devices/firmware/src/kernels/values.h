/*
 * A tensor's float32 values as a kernel reads them. Seeded tensors rebuilt into RAM and float32 data
 * that sits aligned in a little-endian package are plain arrays (the fast path of every loop); fp16,
 * int8 and unaligned fp32 data are read through the package (rfw_tensor_read, the same dequantisation
 * the studio applies), one element at a time, where a kernel reads them once per output plane or
 * channel, never once per multiply.
 */
#ifndef RFW_KERNEL_VALUES_H
#define RFW_KERNEL_VALUES_H

#include <stddef.h>

#include "package/package.h"

typedef struct rfw_values {
  const float *f32;         /* the values in memory, or NULL */
  const rfw_tensor *tensor; /* when f32 is NULL: read through the package; both NULL: every value is 0 */
} rfw_values;

/** Element i (checked against the tensor at load, so never out of range here). */
static inline float rfw_value_at(const rfw_values *v, size_t i) {
  if (v->f32 != NULL) return v->f32[i];
  float x = 0.0f;
  if (v->tensor != NULL) (void)rfw_tensor_read(v->tensor, i, 1, &x);
  return x;
}

#endif
