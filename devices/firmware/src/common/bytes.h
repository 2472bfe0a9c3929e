/*
 * Little-endian reads from byte buffers. A package may sit at any alignment (a flash window, a byte
 * stream), so every multi-byte value is assembled from single bytes; compilers turn these into plain
 * loads where the target allows it.
 */
#ifndef RFW_BYTES_H
#define RFW_BYTES_H

#include <stdint.h>
#include <string.h>

static inline uint16_t rfw_u16le(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }

static inline uint32_t rfw_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

static inline uint64_t rfw_u64le(const uint8_t *p) { return (uint64_t)rfw_u32le(p) | ((uint64_t)rfw_u32le(p + 4) << 32); }

static inline float rfw_f32_from_bits(uint32_t bits) {
  float f;
  memcpy(&f, &bits, sizeof f);
  return f;
}

static inline uint32_t rfw_f32_bits(float f) {
  uint32_t bits;
  memcpy(&bits, &f, sizeof bits);
  return bits;
}

static inline double rfw_f64_from_bits(uint64_t bits) {
  double d;
  memcpy(&d, &bits, sizeof d);
  return d;
}

static inline float rfw_f32le(const uint8_t *p) { return rfw_f32_from_bits(rfw_u32le(p)); }
static inline double rfw_f64le(const uint8_t *p) { return rfw_f64_from_bits(rfw_u64le(p)); }

static inline void rfw_put_u32le(uint8_t *p, uint32_t v) {
  p[0] = (uint8_t)v;
  p[1] = (uint8_t)(v >> 8);
  p[2] = (uint8_t)(v >> 16);
  p[3] = (uint8_t)(v >> 24);
}

/** IEEE-754 finiteness from the bits: no libm, and no reliance on the compiler's float model. */
static inline int rfw_f32_is_finite(float f) { return (rfw_f32_bits(f) & 0x7f800000u) != 0x7f800000u; }

static inline int rfw_f64_is_finite(double d) {
  uint64_t bits;
  memcpy(&bits, &d, sizeof bits);
  return (bits & 0x7ff0000000000000ull) != 0x7ff0000000000000ull;
}

#endif
