/*
 * Check 6 (semantics) on STRS and GRPH. The TypeScript decoder decodes the records, rebuilds a spec from
 * them, runs the spec checks and shape inference on it, and finally re-encodes the graph and refuses any
 * byte that differs. This file reaches the same verdicts directly: the record layout, the rules each
 * op's schema sets on its attributes, arity, shape inference from the inputs' (already checked) shapes,
 * and the few places where valid records could still differ from the canonical encoding (string
 * references, unused dimensions, inputs of an input node).
 */
#include <string.h>

#include "common/bytes.h"
#include "common/checked-math.h"
#include "common/utf8.h"
#include "package/package-format.h"

#define MAX_NORMALIZE_CHANNELS 63u

rfw_status rfw_read_string(const rfw_package *pkg, const uint8_t *ref, const char *what, rfw_bytes *out, rfw_diag *diag) {
  const uint32_t offset = rfw_u32le(ref);
  const uint32_t length = rfw_u32le(ref + 4);
  const rfw_bytes t = pkg->strs;
  if ((uint64_t)offset + length >= t.len || t.ptr[offset + length] != 0) {
    return rfw_fail(diag, RFW_REJECT_SEMANTICS, "%s: string at %u+%u is outside STRS or not zero-terminated", what, offset, length);
  }
  if (!rfw_utf8_valid(t.ptr + offset, length)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "%s: string at %u is not valid UTF-8", what, offset);
  out->ptr = t.ptr + offset;
  out->len = length;
  return RFW_OK;
}

static int name_char(uint8_t c, int first) {
  if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_') return 1;
  return !first && ((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '/');
}

/** NODE_NAME_PATTERN: /^[A-Za-z_][A-Za-z0-9_.\-/]*$/ */
static int valid_node_name(rfw_bytes name) {
  if (name.len == 0) return 0;
  for (uint32_t i = 0; i < name.len; i++) {
    if (!name_char(name.ptr[i], i == 0)) return 0;
  }
  return 1;
}

static uint32_t fnv1a(rfw_bytes s) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < s.len; i++) h = (h ^ s.ptr[i]) * 16777619u;
  return h;
}

/** floor(a / b) for b > 0, as Math.floor of the exact quotient. */
static int64_t floor_div(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}

/** PyTorch's floor rule, windowOutputSize in core/ops/shape-math.ts. */
static int64_t window_out(uint64_t size, uint64_t kernel, uint64_t stride, uint64_t padding) {
  return floor_div((int64_t)size + 2 * (int64_t)padding - (int64_t)kernel, (int64_t)stride) + 1;
}

static uint32_t attr(const rfw_node *n, unsigned i) { return rfw_u32le(n->attrs + 4 * i); }
static double attr_f64(const rfw_node *n, unsigned i) { return rfw_f64_from_bits((uint64_t)attr(n, i) | ((uint64_t)attr(n, i + 1) << 32)); }

void rfw_package_node(const rfw_package *pkg, uint32_t index, rfw_node *out) {
  const uint8_t *r = pkg->grph.ptr + pkg->node_at[index];
  out->op = (rfw_op)r[0];
  out->input_count = r[1];
  out->rank = r[2];
  out->attr_count = r[3];
  const uint32_t name_offset = rfw_u32le(r + 4);
  out->name.ptr = pkg->strs.ptr + name_offset;
  out->name.len = rfw_u32le(r + 8);
  out->shape[0] = rfw_u32le(r + 12);
  out->shape[1] = rfw_u32le(r + 16);
  out->shape[2] = rfw_u32le(r + 20);
  out->inputs = r + RFW_NODE_RECORD_FIXED_BYTES;
  out->attrs = out->inputs + ((2u * out->input_count + 3u) & ~3u);
}

uint32_t rfw_package_output(const rfw_package *pkg, uint32_t k) { return rfw_u32le(pkg->outputs + 4 * k); }

static uint32_t input_of(const rfw_node *n, unsigned k) { return rfw_u16le(n->inputs + 2 * k); }

/** Attribute words per op, as fieldsOf in core/package/graph-codec.ts counts them. */
static rfw_status check_attr_words(const rfw_node *n, uint32_t index, rfw_diag *diag) {
  static const int8_t WORDS[16] = {-1, -1, 9, 2, 4, 0, 6, 7, -1, 0, 0, 0, 1, 0, 0, 0};
  const unsigned w = n->attr_count;
  const char *op = rfw_op_name(n->op);
  if (n->op == RFW_OP_MIXEDPOOL) {
    if (w < 3 || w != 3u + attr(n, 2)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: mixedpool attribute words do not match its kernel count", index);
    return RFW_OK;
  }
  if (n->op == RFW_OP_INPUT) {
    if (w == 0) return RFW_OK;
    const uint64_t n_mean = attr(n, 0);
    const uint64_t std_at = 1 + 2 * n_mean;
    if (w <= std_at || w != 2 + 2 * n_mean + 2 * (uint64_t)attr(n, (unsigned)std_at)) {
      return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: input normalisation words do not match their counts", index);
    }
    return RFW_OK;
  }
  if ((int)w != WORDS[n->op]) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: %s takes %d attribute words, has %u", index, op, WORDS[n->op], w);
  return RFW_OK;
}

static rfw_status flag(const rfw_node *n, unsigned i, uint32_t index, const char *field, rfw_diag *diag) {
  if (attr(n, i) > 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: %s must be 0 or 1, is %u", index, field, attr(n, i));
  return RFW_OK;
}

/** The op schemas' rules on attribute values (positive sizes, finite numbers, 0/1 flags). */
static rfw_status check_attr_values(const rfw_node *n, uint32_t index, rfw_diag *diag) {
  rfw_status s = RFW_OK;
  switch (n->op) {
    case RFW_OP_CONV:
      for (unsigned i = 0; i < 8; i++) {
        if ((i < 5 || i == 7) && attr(n, i) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: conv attribute word %u must be at least 1", index, i);
      }
      return flag(n, 8, index, "hasBias", diag);
    case RFW_OP_DENSE:
      if (attr(n, 0) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: outFeatures must be at least 1", index);
      return flag(n, 1, index, "hasBias", diag);
    case RFW_OP_BATCHNORM: {
      const double eps = attr_f64(n, 0), momentum = attr_f64(n, 2);
      if (!rfw_f64_is_finite(eps) || !(eps > 0)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: batchnorm eps must be a positive finite number", index);
      if (!rfw_f64_is_finite(momentum) || !(momentum >= 0 && momentum <= 1)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: batchnorm momentum must be in 0..1", index);
      return RFW_OK;
    }
    case RFW_OP_MAXPOOL:
    case RFW_OP_AVGPOOL:
      for (unsigned i = 0; i < 4; i++) {
        if (attr(n, i) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: pool kernel and stride must be at least 1", index);
      }
      return n->op == RFW_OP_AVGPOOL ? flag(n, 6, index, "countIncludePad", diag) : RFW_OK;
    case RFW_OP_MIXEDPOOL:
      if (attr(n, 0) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: mixedpool stride must be at least 1", index);
      if ((s = flag(n, 1, index, "countIncludePad", diag)) != RFW_OK) return s;
      if (attr(n, 2) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: mixedpool needs at least one kernel", index);
      for (unsigned i = 3; i < n->attr_count; i++) {
        if (attr(n, i) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: mixedpool kernels must be at least 1", index);
      }
      return RFW_OK;
    case RFW_OP_CHANNELSHUFFLE:
      if (attr(n, 0) < 1) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: channelshuffle groups must be at least 1", index);
      return RFW_OK;
    case RFW_OP_INPUT: {
      if (n->attr_count == 0) return RFW_OK;
      const uint32_t n_mean = attr(n, 0), n_std = attr(n, 1 + 2 * n_mean);
      if (n_mean < 1 || n_mean > MAX_NORMALIZE_CHANNELS || n_std < 1 || n_std > MAX_NORMALIZE_CHANNELS) {
        return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: input normalisation needs 1 to 63 means and 1 to 63 standard deviations", index);
      }
      for (uint32_t i = 0; i < n_mean; i++) {
        if (!rfw_f64_is_finite(attr_f64(n, 1 + 2 * i))) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: input mean %u is not finite", index, i);
      }
      for (uint32_t i = 0; i < n_std; i++) {
        const double v = attr_f64(n, 2 + 2 * n_mean + 2 * i);
        if (!rfw_f64_is_finite(v) || !(v > 0)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: input std %u must be a positive finite number", index, i);
      }
      return RFW_OK;
    }
    default:
      return RFW_OK;
  }
}

typedef struct shape {
  uint8_t rank;
  uint64_t d[3];
} shape;

static shape stored_shape_of(const rfw_package *pkg, uint32_t index) {
  rfw_node n;
  rfw_package_node(pkg, index, &n);
  shape s = {n.rank, {n.shape[0], n.rank == 3 ? n.shape[1] : 0, n.rank == 3 ? n.shape[2] : 0}};
  return s;
}

static rfw_status shape_problem(rfw_diag *diag, uint32_t index, const char *message) {
  return rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: node %u: %s", index, message);
}

/** Output shape by the op's rules (outputShape in core/ops/) from the inputs' shapes. */
static rfw_status infer_shape(const rfw_package *pkg, const rfw_node *n, uint32_t index, shape *out, rfw_diag *diag) {
  shape in = {0, {0, 0, 0}};
  if (n->input_count > 0) in = stored_shape_of(pkg, input_of(n, 0));
  *out = in;
  switch (n->op) {
    case RFW_OP_INPUT:
      for (unsigned k = 0; k < n->rank; k++) {
        if (n->shape[k] < 1) return shape_problem(diag, index, "input dimensions must be at least 1");
      }
      out->rank = n->rank;
      for (unsigned k = 0; k < 3; k++) out->d[k] = k < n->rank ? n->shape[k] : 0;
      if (n->attr_count > 0) {
        const uint32_t n_mean = attr(n, 0), n_std = attr(n, 1 + 2 * n_mean);
        if ((n_mean != 1 && n_mean != n->shape[0]) || (n_std != 1 && n_std != n->shape[0])) return shape_problem(diag, index, "normalize needs 1 value or one per channel");
      }
      return RFW_OK;
    case RFW_OP_CONV: {
      if (in.rank != 3) return shape_problem(diag, index, "conv needs a [C,H,W] input");
      const uint32_t out_c = attr(n, 0), groups = attr(n, 7);
      if (in.d[0] % groups != 0 || out_c % groups != 0) return shape_problem(diag, index, "groups do not divide the channels");
      const int64_t oh = window_out(in.d[1], attr(n, 1), attr(n, 3), attr(n, 5));
      const int64_t ow = window_out(in.d[2], attr(n, 2), attr(n, 4), attr(n, 6));
      if (oh < 1 || ow < 1) return shape_problem(diag, index, "the kernel does not fit the padded input");
      out->d[0] = out_c;
      out->d[1] = (uint64_t)oh;
      out->d[2] = (uint64_t)ow;
      return RFW_OK;
    }
    case RFW_OP_DENSE:
      if (in.rank != 1) return shape_problem(diag, index, "dense needs a flat [F] input");
      out->d[0] = attr(n, 0);
      return RFW_OK;
    case RFW_OP_BATCHNORM:
    case RFW_OP_RELU:
      return RFW_OK;
    case RFW_OP_MAXPOOL:
    case RFW_OP_AVGPOOL: {
      if (in.rank != 3) return shape_problem(diag, index, "pooling needs a [C,H,W] input");
      const uint64_t kh = attr(n, 0), kw = attr(n, 1), ph = attr(n, 4), pw = attr(n, 5);
      if (2 * ph > kh || 2 * pw > kw) return shape_problem(diag, index, "padding exceeds half the kernel");
      const int64_t oh = window_out(in.d[1], kh, attr(n, 2), ph), ow = window_out(in.d[2], kw, attr(n, 3), pw);
      if (oh < 1 || ow < 1) return shape_problem(diag, index, "the kernel does not fit the padded input");
      out->d[1] = (uint64_t)oh;
      out->d[2] = (uint64_t)ow;
      return RFW_OK;
    }
    case RFW_OP_MIXEDPOOL: {
      if (in.rank != 3) return shape_problem(diag, index, "mixedpool needs a [C,H,W] input");
      const uint32_t stride = attr(n, 0), kernels = attr(n, 2);
      for (uint32_t i = 0; i < kernels; i++) {
        if (attr(n, 3 + i) % 2 == 0) return shape_problem(diag, index, "mixedpool kernels must be odd");
      }
      if (in.d[0] < kernels) return shape_problem(diag, index, "mixedpool has more kernel groups than channels");
      out->d[1] = (uint64_t)window_out(in.d[1], 1, stride, 0);
      out->d[2] = (uint64_t)window_out(in.d[2], 1, stride, 0);
      return RFW_OK;
    }
    case RFW_OP_ADD:
    case RFW_OP_SUB: {
      const shape b = stored_shape_of(pkg, input_of(n, 1));
      if (b.rank != in.rank || memcmp(b.d, in.d, sizeof b.d) != 0) return shape_problem(diag, index, "the two inputs' shapes differ");
      return RFW_OK;
    }
    case RFW_OP_CONCAT: {
      if (in.rank != 3) return shape_problem(diag, index, "concat needs [C,H,W] inputs");
      uint64_t channels = 0;
      for (unsigned k = 0; k < n->input_count; k++) {
        const shape s = stored_shape_of(pkg, input_of(n, k));
        if (s.rank != 3 || s.d[1] != in.d[1] || s.d[2] != in.d[2]) return shape_problem(diag, index, "concat inputs differ in spatial size");
        channels += s.d[0];
      }
      out->d[0] = channels;
      return RFW_OK;
    }
    case RFW_OP_CHANNELSHUFFLE:
      if (in.rank != 3) return shape_problem(diag, index, "channelshuffle needs a [C,H,W] input");
      if (in.d[0] % attr(n, 0) != 0) return shape_problem(diag, index, "groups do not divide the channels");
      return RFW_OK;
    case RFW_OP_GLOBALAVGPOOL:
      if (in.rank != 3) return shape_problem(diag, index, "globalavgpool needs a [C,H,W] input");
      out->d[1] = 1;
      out->d[2] = 1;
      return RFW_OK;
    case RFW_OP_FLATTEN: {
      /* Saturates instead of wrapping: far above any u32 dimension, which is all a stored shape holds. */
      uint64_t product = 1;
      for (unsigned k = 0; k < in.rank; k++) product = rfw_mul_sat(product, in.d[k]);
      out->rank = 1;
      out->d[0] = product;
      out->d[1] = out->d[2] = 0;
      return RFW_OK;
    }
    case RFW_OP_SOFTMAX:
      if (in.rank != 1) return shape_problem(diag, index, "softmax needs a flat [F] input");
      return RFW_OK;
  }
  return shape_problem(diag, index, "unknown op");
}

static rfw_status check_arity(const rfw_node *n, uint32_t index, rfw_diag *diag) {
  const unsigned k = n->input_count;
  int ok;
  switch (n->op) {
    case RFW_OP_INPUT:
      /* An input's inputs are dropped when the graph is read and missing when it is re-encoded. */
      ok = k == 0;
      break;
    case RFW_OP_ADD:
    case RFW_OP_SUB:
      ok = k == 2;
      break;
    case RFW_OP_CONCAT:
      ok = k >= 2;
      break;
    default:
      ok = k == 1;
  }
  if (!ok) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: node %u (%s) has %u input(s)", index, rfw_op_name(n->op), k);
  return RFW_OK;
}

/** The records themselves (decodeGraph): bounds, codes, earlier inputs, zero padding, attribute counts. */
static rfw_status decode_records(rfw_package *pkg, uint32_t *node_at, rfw_diag *diag) {
  const rfw_bytes g = pkg->grph;
  uint32_t pos = 16 + 4 * pkg->output_count;
  for (uint32_t n = 0; n < pkg->node_count; n++) {
    if (g.len - pos < RFW_NODE_RECORD_FIXED_BYTES) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH ends early: node %u needs %u bytes, has %u", n, pos + RFW_NODE_RECORD_FIXED_BYTES, g.len);
    const uint8_t *r = g.ptr + pos;
    if (r[0] < RFW_OP_INPUT || r[0] > RFW_OP_SOFTMAX) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: unknown op code %u", n, r[0]);
    rfw_bytes name;
    rfw_status s = rfw_read_string(pkg, r + 4, "GRPH node", &name, diag);
    if (s != RFW_OK) return s;
    if (r[2] != 1 && r[2] != 3) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: output rank %u is neither 1 nor 3", n, r[2]);
    const uint32_t inputs_bytes = 2u * r[1], padded = (inputs_bytes + 3u) & ~3u, attr_bytes = 4u * r[3];
    if (g.len - pos - RFW_NODE_RECORD_FIXED_BYTES < padded + attr_bytes) {
      return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH ends early: node %u needs %u bytes, has %u", n, pos + RFW_NODE_RECORD_FIXED_BYTES + padded + attr_bytes, g.len);
    }
    for (unsigned k = 0; k < r[1]; k++) {
      const uint32_t input = rfw_u16le(r + RFW_NODE_RECORD_FIXED_BYTES + 2 * k);
      if (input >= n) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u: input %u is node %u, which does not run before it", n, k, input);
    }
    for (uint32_t p = inputs_bytes; p < padded; p++) {
      if (r[RFW_NODE_RECORD_FIXED_BYTES + p] != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH has non-zero padding at byte %u", pos + RFW_NODE_RECORD_FIXED_BYTES + p);
    }
    node_at[n] = pos;
    rfw_node node;
    rfw_package_node(pkg, n, &node);
    if ((s = check_attr_words(&node, n, diag)) != RFW_OK) return s;
    pos += RFW_NODE_RECORD_FIXED_BYTES + padded + attr_bytes;
  }
  if (pos != g.len) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH: %u bytes follow the last node", g.len - pos);
  return RFW_OK;
}

/** Node names must be unique; an open-addressed table of node indices in scratch memory. */
static rfw_status check_unique_names(const rfw_package *pkg, rfw_arena *arena, rfw_diag *diag) {
  uint32_t slots = 16;
  while (slots < 2 * pkg->node_count) slots *= 2;
  const size_t mark = rfw_arena_mark(arena);
  uint16_t *table = (uint16_t *)rfw_arena_alloc(arena, slots * sizeof *table, sizeof *table, RFW_USE_SCRATCH);
  if (table == NULL) return rfw_fail(diag, RFW_ERR_ARENA, "the arena is too small to check %u node names (%llu bytes wanted)", pkg->node_count, (unsigned long long)arena->wanted);
  memset(table, 0, slots * sizeof *table);
  rfw_status s = RFW_OK;
  for (uint32_t i = 0; i < pkg->node_count && s == RFW_OK; i++) {
    rfw_node n;
    rfw_package_node(pkg, i, &n);
    for (uint32_t h = fnv1a(n.name) & (slots - 1);; h = (h + 1) & (slots - 1)) {
      if (table[h] == 0) {
        table[h] = (uint16_t)(i + 1);
        break;
      }
      rfw_node other;
      rfw_package_node(pkg, table[h] - 1u, &other);
      if (other.name.len == n.name.len && memcmp(other.name.ptr, n.name.ptr, n.name.len) == 0) {
        s = rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: node %u has the name of node %u", i, table[h] - 1u);
        break;
      }
    }
  }
  rfw_arena_release(arena, mark);
  return s;
}

rfw_status rfw_check_graph(rfw_package *pkg, rfw_arena *arena, uint32_t *strs_cursor, rfw_diag *diag) {
  const rfw_bytes strs = pkg->strs, g = pkg->grph;
  if (strs.len > 0 && strs.ptr[strs.len - 1] != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "STRS does not end with a zero byte");
  if (g.len < 16) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH ends early: needs 16 bytes, has %u", g.len);
  rfw_status s = rfw_read_string(pkg, g.ptr, "GRPH model name", &pkg->model_name, diag);
  if (s != RFW_OK) return s;
  pkg->node_count = rfw_u32le(g.ptr + 8);
  pkg->output_count = rfw_u32le(g.ptr + 12);
  if (pkg->node_count < 1 || pkg->node_count > 65535) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH: node count %u is outside 1..65535", pkg->node_count);
  if (pkg->output_count < 1 || pkg->output_count > 64) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH: output count %u is outside 1..64", pkg->output_count);
  /* Every record is at least the fixed part: refuse counts the section cannot hold before allocating. */
  if ((uint64_t)pkg->node_count * RFW_NODE_RECORD_FIXED_BYTES > g.len - 16u) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH: %u nodes do not fit in %u bytes", pkg->node_count, g.len);
  if (g.len - 16u < 4u * pkg->output_count) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH ends early: the output list needs %u bytes", 16 + 4 * pkg->output_count);
  pkg->outputs = g.ptr + 16;
  for (uint32_t k = 0; k < pkg->output_count; k++) {
    const uint32_t o = rfw_package_output(pkg, k);
    if (o >= pkg->node_count) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH: output %u names node %u, but there are %u", k, o, pkg->node_count);
  }
  uint32_t *node_at = (uint32_t *)rfw_arena_alloc(arena, (size_t)pkg->node_count * sizeof *node_at, sizeof *node_at, RFW_USE_GRAPH);
  if (node_at == NULL) return rfw_fail(diag, RFW_ERR_ARENA, "the arena is too small for the index of %u nodes (%llu bytes wanted)", pkg->node_count, (unsigned long long)arena->wanted);
  pkg->node_at = node_at;
  if ((s = decode_records(pkg, node_at, diag)) != RFW_OK) return s;

  /* The spec rules, node by node, and the canonical string references. */
  if (pkg->model_name.len == 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: the model name is empty");
  if (rfw_u32le(g.ptr) != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH is not the canonical encoding of this graph (the model name is not the first string)");
  uint32_t cursor = pkg->model_name.len + 1;
  int inputs = 0;
  for (uint32_t i = 0; i < pkg->node_count; i++) {
    rfw_node n;
    rfw_package_node(pkg, i, &n);
    if ((uint32_t)(n.name.ptr - strs.ptr) != cursor) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH is not the canonical encoding of this graph (node %u's name is not the next string)", i);
    cursor += n.name.len + 1;
    if (!valid_node_name(n.name)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: node %u's name must start with a letter or _ and use only letters, digits, _ . - /", i);
    if (n.rank == 1 && (n.shape[1] != 0 || n.shape[2] != 0)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH is not the canonical encoding of this graph (node %u has unused dimensions set)", i);
    if ((s = check_arity(&n, i, diag)) != RFW_OK) return s;
    if ((s = check_attr_values(&n, i, diag)) != RFW_OK) return s;
    shape inferred;
    if ((s = infer_shape(pkg, &n, i, &inferred, diag)) != RFW_OK) return s;
    const shape stored = stored_shape_of(pkg, i);
    if (inferred.rank != stored.rank || memcmp(inferred.d, stored.d, sizeof stored.d) != 0) {
      return rfw_fail(diag, RFW_REJECT_SEMANTICS, "GRPH node %u (%.*s) stores a shape that inference does not give", i, (int)n.name.len, (const char *)n.name.ptr);
    }
    if (n.op == RFW_OP_INPUT) inputs++;
  }
  if (inputs == 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "the graph is not a valid model: the graph has no input node");
  if ((s = check_unique_names(pkg, arena, diag)) != RFW_OK) return s;
  *strs_cursor = cursor;
  return RFW_OK;
}

unsigned rfw_plan_node_tensors(const rfw_package *pkg, uint32_t index, rfw_planned_tensor out[4]) {
  rfw_node n;
  rfw_package_node(pkg, index, &n);
  const shape in = n.input_count > 0 ? stored_shape_of(pkg, input_of(&n, 0)) : (shape){0, {0, 0, 0}};
  memset(out, 0, 4 * sizeof *out);
  switch (n.op) {
    case RFW_OP_CONV: {
      const uint32_t out_c = attr(&n, 0);
      out[0].role = RFW_ROLE_WEIGHT;
      out[0].rank = 4;
      out[0].shape[0] = out_c;
      out[0].shape[1] = (uint32_t)(in.d[0] / attr(&n, 7));
      out[0].shape[2] = attr(&n, 1);
      out[0].shape[3] = attr(&n, 2);
      if (attr(&n, 8) == 0) return 1;
      out[1].role = RFW_ROLE_BIAS;
      out[1].rank = 1;
      out[1].shape[0] = out_c;
      return 2;
    }
    case RFW_OP_DENSE:
      out[0].role = RFW_ROLE_WEIGHT;
      out[0].rank = 2;
      out[0].shape[0] = attr(&n, 0);
      out[0].shape[1] = (uint32_t)in.d[0];
      if (attr(&n, 1) == 0) return 1;
      out[1].role = RFW_ROLE_BIAS;
      out[1].rank = 1;
      out[1].shape[0] = attr(&n, 0);
      return 2;
    case RFW_OP_BATCHNORM:
      for (unsigned k = 0; k < 4; k++) {
        out[k].role = (rfw_role)k;
        out[k].rank = 1;
        out[k].shape[0] = (uint32_t)in.d[0];
      }
      return 4;
    default:
      return 0;
  }
}
