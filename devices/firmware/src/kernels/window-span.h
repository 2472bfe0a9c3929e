/*
 * Loop bounds that replace per-element padding tests in the windowed kernels. 32-bit arithmetic: the
 * executor refuses windows above 65535 and outputs of 2^30 elements or more, so o·stride − pad + tap
 * stays far inside an int32 (it is at most the padded input's size).
 */
#ifndef RFW_WINDOW_SPAN_H
#define RFW_WINDOW_SPAN_H

#include <stdint.h>

typedef struct rfw_span {
  uint32_t lo, hi; /* [lo, hi); empty when lo == hi */
} rfw_span;

/**
 * The outputs o in [0, out) whose input position o·stride + tap − pad lies inside [0, size): the outputs
 * one kernel tap touches.
 */
static inline rfw_span rfw_tap_span(uint32_t tap, uint32_t pad, uint32_t stride, uint32_t size, uint32_t out) {
  rfw_span s = {0, 0};
  if (tap >= size + pad) return s;
  const uint32_t last = size - 1 + pad - tap; /* o·stride ≤ last */
  const uint32_t lo = tap >= pad ? 0 : (pad - tap + stride - 1) / stride;
  uint32_t hi = last / stride + 1;
  if (hi > out) hi = out;
  if (lo < hi) {
    s.lo = lo;
    s.hi = hi;
  }
  return s;
}

/** The input positions [lo, hi) that window `o` covers, clipped to [0, size). */
static inline rfw_span rfw_window_clip(uint32_t o, uint32_t kernel, uint32_t stride, uint32_t pad, uint32_t size) {
  const int32_t start = (int32_t)(o * stride) - (int32_t)pad;
  const int32_t end = start + (int32_t)kernel;
  rfw_span s;
  s.lo = start < 0 ? 0u : (uint32_t)start;
  s.hi = end > (int32_t)size ? size : (uint32_t)end;
  if (s.hi < s.lo) s.hi = s.lo;
  return s;
}

/**
 * The outputs [lo, hi) whose window lies wholly inside [0, size): no clipping, and the same divisor,
 * for every one of them.
 */
static inline rfw_span rfw_window_inside(uint32_t kernel, uint32_t stride, uint32_t pad, uint32_t size, uint32_t out) {
  rfw_span s = {0, 0};
  if (size + pad < kernel) return s;
  const uint32_t lo = (pad + stride - 1) / stride;
  uint32_t hi = (size + pad - kernel) / stride + 1;
  if (hi > out) hi = out;
  if (lo < hi) {
    s.lo = lo;
    s.hi = hi;
  }
  return s;
}

#endif
