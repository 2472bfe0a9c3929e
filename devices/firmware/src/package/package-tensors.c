/*
 * Check 6 (semantics) on TENS and DATA, as readTensorTable and checkData in
 * core/package/decode-package.ts: every entry well-formed, exactly the tensors the graph needs in the
 * encoder's order (ids, roles, modes, dtypes, shapes, multipliers), stored bytes that fit their dtype
 * and shape, one after another in DATA with zero padding, and the tensor ids completing the one
 * canonical STRS.
 */
#include <string.h>

#include "common/bytes.h"
#include "common/checked-math.h"
#include "package/package-format.h"
#include "package/seed-mult.h"

void rfw_package_tensor(const rfw_package *pkg, uint32_t index, rfw_tensor *out) {
  const uint8_t *e = pkg->tens.ptr + 4 + (size_t)index * RFW_TENSOR_ENTRY_BYTES;
  out->id.ptr = pkg->strs.ptr + rfw_u32le(e);
  out->id.len = rfw_u32le(e + 4);
  out->node = rfw_u16le(e + 8);
  out->role = (rfw_role)e[10];
  out->mode = (rfw_mode)e[11];
  out->dtype = (rfw_dtype)e[12];
  out->rank = e[13];
  out->init_code = e[15];
  out->elements = 1;
  for (unsigned k = 0; k < 4; k++) {
    out->shape[k] = rfw_u32le(e + 16 + 4 * k);
    if (k < out->rank) out->elements = rfw_mul_sat(out->elements, out->shape[k]);
  }
  out->seed.dist = (rfw_dist)e[14];
  out->seed.seed_lo = rfw_u32le(e + 32);
  out->seed.seed_hi = rfw_u32le(e + 36);
  out->seed.mult = rfw_f32le(e + 40);
  const uint32_t offset = rfw_u32le(e + 44), length = rfw_u32le(e + 48);
  /* Only a window inside DATA becomes a pointer (the checks refuse any other before it is read). */
  const int inside = length > 0 && (uint64_t)offset + length <= pkg->data.len;
  out->data.ptr = inside ? pkg->data.ptr + offset : NULL;
  out->data.len = inside ? length : 0;
  out->gain = rfw_f64le(e + 56);
  out->digest = e + 64;
}

/** Bytes a tensor of this dtype and shape stores (storedBytes); saturates instead of wrapping. */
static uint64_t stored_bytes(rfw_dtype dtype, const uint32_t *shape, unsigned rank) {
  uint64_t n = 1;
  for (unsigned k = 0; k < rank; k++) n = rfw_mul_sat(n, shape[k]);
  switch (dtype) {
    case RFW_DTYPE_FP32: return rfw_mul_sat(4, n);
    case RFW_DTYPE_FP16: return rfw_mul_sat(2, n);
    case RFW_DTYPE_INT8: return rfw_add_sat(4ull * shape[0], n);
    case RFW_DTYPE_NONE: return 0;
  }
  return 0;
}

/** How the encoder stores a tensor (storedDtype): int8 only for rank >= 2, running statistics fp32. */
static rfw_dtype stored_dtype(rfw_mode mode, unsigned rank, rfw_dtype weights) {
  if (mode == RFW_MODE_SEEDED) return RFW_DTYPE_NONE;
  if (mode == RFW_MODE_STATE) return RFW_DTYPE_FP32;
  if (weights == RFW_DTYPE_INT8 && rank < 2) return RFW_DTYPE_FP32;
  return weights;
}

/** One entry on its own (readTensorTable). */
static rfw_status check_entry(const rfw_package *pkg, uint32_t i, rfw_diag *diag) {
  const uint8_t *e = pkg->tens.ptr + 4 + (size_t)i * RFW_TENSOR_ENTRY_BYTES;
  rfw_bytes id;
  rfw_status s = rfw_read_string(pkg, e, "TENS entry", &id, diag);
  if (s != RFW_OK) return s;
  rfw_tensor t;
  rfw_package_tensor(pkg, i, &t);
  const int name_len = (int)(id.len > 80 ? 80 : id.len);
  const char *name = (const char *)id.ptr;
  if (t.node >= pkg->node_count) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): node %u does not exist", i, name_len, name, t.node);
  if (e[10] > 3 || e[11] > 3 || (e[12] > 2 && e[12] != RFW_DTYPE_NONE)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): unknown role, mode or dtype code", i, name_len, name);
  if (t.rank < 1 || t.rank > 4) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): rank %u is outside 1..4", i, name_len, name, t.rank);
  for (unsigned k = 0; k < 4; k++) {
    if (k < t.rank ? t.shape[k] < 1 : t.shape[k] != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): shape does not fit rank %u", i, name_len, name, t.rank);
  }
  if (rfw_u32le(e + 52) != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): reserved field is not zero", i, name_len, name);
  const unsigned dist = e[14], init = e[15];
  if (t.mode == RFW_MODE_SEEDED) {
    if (dist > 2 || (init & 3) == 0 || (init & 3) == 3 || (init & ~15u) != 0 || ((init >> 2) & 3) == 3) {
      return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): unknown distribution or init code", i, name_len, name);
    }
    if (!rfw_f32_is_finite(t.seed.mult) || t.seed.mult == 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): stream multiplier is not a finite non-zero number", i, name_len, name);
    if (!rfw_f64_is_finite(t.gain) || !(t.gain > 0)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): gain is not a positive number", i, name_len, name);
    /* The spec schema: xavier uses fan_in + fan_out and takes no fan. */
    if ((init & 3) == RFW_INIT_XAVIER && (init >> 2) != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: %.*s is xavier with a fan", name_len, name);
  } else if (dist != 0 || init != 0 || t.seed.seed_lo != 0 || t.seed.seed_hi != 0 || t.seed.mult != 0 || t.gain != 0) {
    /* Compared as numbers, as the TypeScript decoder does: a -0 multiplier or gain counts as zero. */
    return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): seed fields are set on a %s tensor", i, name_len, name, rfw_mode_name(t.mode));
  }
  return RFW_OK;
}

/** Does `id` read "<node name>.<role>"? */
static int id_is(rfw_bytes id, rfw_bytes node, const char *role) {
  const size_t role_len = strlen(role);
  return id.len == node.len + 1 + role_len && memcmp(id.ptr, node.ptr, node.len) == 0 && id.ptr[node.len] == '.' && memcmp(id.ptr + node.len + 1, role, role_len) == 0;
}

/** One entry against the tensor the graph expects at its place (checkData). */
static rfw_status check_planned(const rfw_package *pkg, uint32_t i, uint32_t node_index, const rfw_planned_tensor *want, uint32_t *data_end, rfw_diag *diag) {
  rfw_tensor t;
  rfw_package_tensor(pkg, i, &t);
  rfw_node node;
  rfw_package_node(pkg, node_index, &node);
  const int name_len = (int)(t.id.len > 80 ? 80 : t.id.len);
  const char *name = (const char *)t.id.ptr;
  const char *role = rfw_role_name(want->role);
  if (!id_is(t.id, node.name, role) || t.node != node_index || t.role != want->role) {
    return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): the graph expects %.*s.%s (%s of node %u) here", i, name_len, name, (int)node.name.len, (const char *)node.name.ptr, role, role, node_index);
  }
  /* Parameters take the mode their entry gives (learnable, seeded or frozen); running statistics are state. */
  const int running = want->role == RFW_ROLE_RUNNING_MEAN || want->role == RFW_ROLE_RUNNING_VAR;
  if (running ? t.mode != RFW_MODE_STATE : t.mode == RFW_MODE_STATE) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): mode %s does not fit a %s", i, name_len, name, rfw_mode_name(t.mode), role);
  const rfw_dtype dtype = stored_dtype(t.mode, want->rank, pkg->weight_dtype);
  if (t.dtype != dtype) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): stored as %s, a %s package stores it as %s", i, name_len, name, rfw_dtype_name(t.dtype), rfw_dtype_name(pkg->weight_dtype), rfw_dtype_name(dtype));
  if (t.rank != want->rank || memcmp(t.shape, want->shape, sizeof t.shape) != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): shape disagrees with the graph's", i, name_len, name);
  if (t.mode == RFW_MODE_SEEDED) {
    const float mult = rfw_seeded_mult(t.seed.dist, (rfw_init)(t.init_code & 3), (rfw_fan)(t.init_code >> 2), t.gain, t.shape, t.rank);
    if (t.seed.mult != mult) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): stream multiplier disagrees with its init", i, name_len, name);
  }
  const uint64_t length = rfw_u32le(pkg->tens.ptr + 4 + (size_t)i * RFW_TENSOR_ENTRY_BYTES + 48);
  const uint64_t offset = rfw_u32le(pkg->tens.ptr + 4 + (size_t)i * RFW_TENSOR_ENTRY_BYTES + 44);
  if (length != stored_bytes(t.dtype, t.shape, t.rank)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): %llu data bytes do not fit %s", i, name_len, name, (unsigned long long)length, rfw_dtype_name(t.dtype));
  if (length == 0) {
    if (offset != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): a tensor without data has offset %llu", i, name_len, name, (unsigned long long)offset);
    return RFW_OK;
  }
  /* Stored tensors follow one another in table order: no gaps to hide bytes in, no overlaps. */
  if (offset != *data_end) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): data at %llu, expected at %u (overlapping, out of order or leaving a gap)", i, name_len, name, (unsigned long long)offset, *data_end);
  const rfw_bytes data = pkg->data;
  if (offset + length > data.len) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): data runs past DATA (%u bytes)", i, name_len, name, data.len);
  const uint64_t end = (offset + length + 3) & ~3ull;
  for (uint64_t p = offset + length; p < end; p++) {
    if (p >= data.len || data.ptr[p] != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "DATA byte %llu is padding but not zero", (unsigned long long)p);
  }
  *data_end = (uint32_t)end;
  if (t.dtype == RFW_DTYPE_INT8) {
    for (uint32_t c = 0; c < t.shape[0]; c++) {
      const float scale = rfw_f32le(data.ptr + offset + 4 * c);
      if (!rfw_f32_is_finite(scale) || scale < 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS entry %u (%.*s): int8 scale %u is not a finite non-negative number", i, name_len, name, c);
    }
  }
  return RFW_OK;
}

rfw_status rfw_check_tensors(rfw_package *pkg, uint32_t strs_cursor, rfw_diag *diag) {
  const rfw_bytes tens = pkg->tens;
  if (tens.len < 4) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS ends early: needs 4 bytes, has %u", tens.len);
  const uint32_t count = rfw_u32le(tens.ptr);
  if (count > 65535 || tens.len != 4 + (uint64_t)count * RFW_TENSOR_ENTRY_BYTES) {
    return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS: %u entries need %llu bytes, the section has %u", count, 4 + (unsigned long long)count * RFW_TENSOR_ENTRY_BYTES, tens.len);
  }
  pkg->tensor_count = count;
  rfw_status s;
  for (uint32_t i = 0; i < count; i++) {
    if ((s = check_entry(pkg, i, diag)) != RFW_OK) return s;
  }
  uint32_t planned = 0;
  for (uint32_t n = 0; n < pkg->node_count; n++) {
    rfw_planned_tensor want[4];
    planned += rfw_plan_node_tensors(pkg, n, want);
  }
  if (planned != count) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "TENS has %u tensors, the graph needs %u", count, planned);

  uint32_t i = 0, data_end = 0, cursor = strs_cursor;
  const rfw_bytes strs = pkg->strs;
  for (uint32_t n = 0; n < pkg->node_count; n++) {
    rfw_planned_tensor want[4];
    const unsigned k = rfw_plan_node_tensors(pkg, n, want);
    rfw_node node;
    rfw_package_node(pkg, n, &node);
    for (unsigned j = 0; j < k; j++, i++) {
      if ((s = check_planned(pkg, i, n, &want[j], &data_end, diag)) != RFW_OK) return s;
      /* The ids complete STRS: after the node names, each id in table order. */
      const char *role = rfw_role_name(want[j].role);
      const uint32_t id_len = node.name.len + 1 + (uint32_t)strlen(role);
      rfw_bytes here = {strs.ptr + cursor, id_len};
      if ((uint64_t)cursor + id_len >= strs.len || strs.ptr[cursor + id_len] != 0 || !id_is(here, node.name, role)) {
        return rfw_fail(diag, RFW_REJECT_SEMANTICS, "STRS is not the canonical string table of this graph (extra, missing or reordered bytes)");
      }
      cursor += id_len + 1;
    }
  }
  if (data_end != pkg->data.len) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "DATA has %u bytes, the tensors use %u", pkg->data.len, data_end);
  if (cursor != strs.len) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "STRS is not the canonical string table of this graph (extra, missing or reordered bytes)");
  return RFW_OK;
}
