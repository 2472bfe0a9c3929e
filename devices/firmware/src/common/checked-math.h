/* Sizes from untrusted bytes: products that stick at UINT64_MAX instead of wrapping. */
#ifndef RFW_CHECKED_MATH_H
#define RFW_CHECKED_MATH_H

#include <stdint.h>

static inline uint64_t rfw_mul_sat(uint64_t a, uint64_t b) { return (b != 0 && a > UINT64_MAX / b) ? UINT64_MAX : a * b; }

static inline uint64_t rfw_add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

#endif
