/*
 * A tensor's float32 values, in slices: regenerated from its seed, or read back from DATA (fp32 as
 * stored, fp16 widened exactly, int8 as f32(q · scale)), as core/package/tensor-storage.ts loadTensor.
 * Digests hash the values as little-endian float32 in canonical order, slice by slice, so a board
 * proves a rebuild with a scratch buffer of any size.
 */
#include <string.h>

#include "common/bytes.h"
#include "crypto/sha256.h"
#include "package/package.h"

/* binary16 to binary32, exact; every NaN becomes the canonical quiet NaN, as JavaScript's NaN does. */
static float half_to_float(uint16_t h) {
  const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
  const uint32_t exp = (h >> 10) & 0x1f, mant = h & 0x3ffu;
  if (exp == 0x1f) return rfw_f32_from_bits(mant == 0 ? sign | 0x7f800000u : 0x7fc00000u);
  if (exp != 0) return rfw_f32_from_bits(sign | ((exp + 112) << 23) | (mant << 13));
  /* Subnormal half: mant · 2^-24, exact in float32. */
  const float v = (float)mant * 0x1p-24f;
  return sign ? -v : v;
}

rfw_status rfw_tensor_read(const rfw_tensor *t, uint64_t start, size_t count, float *out) {
  if (t == NULL || (out == NULL && count > 0)) return RFW_ERR_ARGUMENT;
  if (start > t->elements || (uint64_t)count > t->elements - start) return RFW_ERR_RANGE;
  const uint8_t *d = t->data.ptr;
  switch (t->dtype) {
    case RFW_DTYPE_NONE:
      return rfw_regenerate(&t->seed, start, count, out);
    case RFW_DTYPE_FP32:
      for (size_t i = 0; i < count; i++) out[i] = rfw_f32le(d + 4 * (start + i));
      return RFW_OK;
    case RFW_DTYPE_FP16:
      for (size_t i = 0; i < count; i++) out[i] = half_to_float(rfw_u16le(d + 2 * (start + i)));
      return RFW_OK;
    case RFW_DTYPE_INT8: {
      /* C float32 scales (axis 0), then the codes; each channel holds elements / C codes. */
      const uint64_t channels = t->shape[0], per = t->elements / channels;
      const uint8_t *codes = d + 4 * channels;
      for (size_t i = 0; i < count; i++) {
        const uint64_t at = start + i;
        const float scale = rfw_f32le(d + 4 * (at / per));
        out[i] = (float)(int8_t)codes[at] * scale;
      }
      return RFW_OK;
    }
  }
  return RFW_ERR_ARGUMENT;
}

static int little_endian(void) {
  const uint32_t one = 1;
  uint8_t first;
  memcpy(&first, &one, 1);
  return first == 1;
}

rfw_status rfw_tensor_digest(const rfw_tensor *t, float *scratch, size_t scratch_count, uint8_t out[32]) {
  if (t == NULL || scratch == NULL || scratch_count == 0) return RFW_ERR_ARGUMENT;
  rfw_sha256_ctx ctx;
  rfw_sha256_init(&ctx);
  const int le = little_endian();
  for (uint64_t at = 0; at < t->elements;) {
    const size_t n = t->elements - at < scratch_count ? (size_t)(t->elements - at) : scratch_count;
    rfw_status s = rfw_tensor_read(t, at, n, scratch);
    if (s != RFW_OK) return s;
    if (!le) {
      for (size_t i = 0; i < n; i++) {
        uint8_t b[4];
        rfw_put_u32le(b, rfw_f32_bits(scratch[i]));
        memcpy(&scratch[i], b, 4);
      }
    }
    rfw_sha256_update(&ctx, scratch, n * sizeof(float));
    at += n;
  }
  rfw_sha256_final(&ctx, out);
  return RFW_OK;
}

rfw_status rfw_package_verify_tensors(const rfw_package *pkg, int seeded_only, float *scratch, size_t scratch_count, uint32_t *bad_index, rfw_diag *diag) {
  for (uint32_t i = 0; i < pkg->tensor_count; i++) {
    rfw_tensor t;
    rfw_package_tensor(pkg, i, &t);
    if (seeded_only && t.mode != RFW_MODE_SEEDED) continue;
    uint8_t digest[32];
    rfw_status s = rfw_tensor_digest(&t, scratch, scratch_count, digest);
    if (s != RFW_OK) return rfw_fail(diag, s, "tensor %u could not be rebuilt (%s)", i, rfw_status_name(s));
    if (memcmp(digest, t.digest, 32) != 0) {
      if (bad_index != NULL) *bad_index = i;
      return rfw_fail(diag, RFW_ERR_TENSOR_DIGEST, "tensor %u (%.*s) rebuilds to a different SHA-256 than its package records", i, (int)(t.id.len > 80 ? 80 : t.id.len), (const char *)t.id.ptr);
    }
  }
  return RFW_OK;
}
