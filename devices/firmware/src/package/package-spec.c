/*
 * Check 6 (semantics) on the optional SPEC section, as checkSpecSection in
 * core/package/decode-package.ts: valid UTF-8, valid JSON, a valid spec, and the same model as GRPH and
 * TENS — name, outputs, and per node its name, op, inputs, attributes with the spec's defaults applied,
 * and every parameter's mode and seeded stream. Boards ignore SPEC; the check is what keeps a package
 * from describing one model to the studio and running another.
 *
 * A spec may list its nodes in any order that the studio's execution order turns into GRPH's: nodes are
 * matched by name, then ordered depth-first in spec order, inputs first (executionOrder in
 * core/graph/execution-order.ts), and that order must be GRPH's. The working memory (about 20 bytes a
 * node) comes from the arena's scratch and is released at the end.
 */
#include <string.h>

#include "common/bytes.h"
#include "common/utf8.h"
#include "package/json-scan.h"
#include "package/package-format.h"

typedef enum node_key {
  K_NAME,
  K_OP,
  K_INPUTS,
  K_SHAPE,
  K_NORMALIZE,
  K_OUT_CHANNELS,
  K_KERNEL,
  K_STRIDE,
  K_PADDING,
  K_GROUPS,
  K_BIAS,
  K_PARAMS,
  K_OUT_FEATURES,
  K_EPS,
  K_MOMENTUM,
  K_COUNT_INCLUDE_PAD,
  K_KERNELS,
  K_COUNT
} node_key;

static const char *const KEY_NAMES[K_COUNT] = {"name", "op", "inputs", "shape", "normalize", "outChannels", "kernel", "stride", "padding",
                                               "groups", "bias", "params", "outFeatures", "eps", "momentum", "countIncludePad", "kernels"};

#define BIT(k) (1u << (k))
#define COMMON (BIT(K_NAME) | BIT(K_OP) | BIT(K_INPUTS))

/** The keys each op's strict schema allows, indexed by op code. */
static const uint32_t ALLOWED[16] = {
    0,
    BIT(K_NAME) | BIT(K_OP) | BIT(K_SHAPE) | BIT(K_NORMALIZE),
    COMMON | BIT(K_OUT_CHANNELS) | BIT(K_KERNEL) | BIT(K_STRIDE) | BIT(K_PADDING) | BIT(K_GROUPS) | BIT(K_BIAS) | BIT(K_PARAMS),
    COMMON | BIT(K_OUT_FEATURES) | BIT(K_BIAS) | BIT(K_PARAMS),
    COMMON | BIT(K_EPS) | BIT(K_MOMENTUM) | BIT(K_PARAMS),
    COMMON,
    COMMON | BIT(K_KERNEL) | BIT(K_STRIDE) | BIT(K_PADDING),
    COMMON | BIT(K_KERNEL) | BIT(K_STRIDE) | BIT(K_PADDING) | BIT(K_COUNT_INCLUDE_PAD),
    COMMON | BIT(K_KERNELS) | BIT(K_STRIDE) | BIT(K_COUNT_INCLUDE_PAD),
    COMMON,
    COMMON,
    COMMON,
    COMMON | BIT(K_GROUPS),
    COMMON,
    COMMON,
    COMMON,
};

/** The keys each op's schema requires. */
static const uint32_t REQUIRED[16] = {
    0,
    BIT(K_NAME) | BIT(K_OP) | BIT(K_SHAPE),
    COMMON | BIT(K_OUT_CHANNELS) | BIT(K_KERNEL) | BIT(K_BIAS),
    COMMON | BIT(K_OUT_FEATURES) | BIT(K_BIAS),
    COMMON,
    COMMON,
    COMMON | BIT(K_KERNEL),
    COMMON | BIT(K_KERNEL),
    COMMON | BIT(K_KERNELS),
    COMMON,
    COMMON,
    COMMON,
    COMMON | BIT(K_GROUPS),
    COMMON,
    COMMON,
    COMMON,
};

typedef struct walk {
  const rfw_package *pkg;
  rfw_json j;
  rfw_diag *diag;
} walk;

static rfw_status differ(walk *w, uint32_t node, const char *what) {
  if (node == UINT32_MAX) return rfw_fail(w->diag, RFW_REJECT_SEMANTICS, "SPEC describes a different model than GRPH and TENS (%s)", what);
  return rfw_fail(w->diag, RFW_REJECT_SEMANTICS, "SPEC describes a different model than GRPH and TENS (node %u: %s)", node, what);
}

static int is_number(walk *w, size_t at) { return rfw_json_kind(&w->j, at) == '0'; }

static int number_is(walk *w, size_t at, double want) { return is_number(w, at) && rfw_json_number(&w->j, at) == want; }

static int bool_is(walk *w, size_t at, int want) { return rfw_json_kind(&w->j, at) == (want ? 't' : 'f'); }

/** A size given once for both axes or as [h, w] (intPair), against the resolved pair. */
static int pair_is(walk *w, size_t at, uint32_t h, uint32_t wd) {
  if (is_number(w, at)) return h == wd && number_is(w, at, h);
  if (rfw_json_kind(&w->j, at) != '[' || rfw_json_count(&w->j, at) != 2) return 0;
  size_t cursor = at, v;
  rfw_json_next(&w->j, &cursor, NULL, &v);
  if (!number_is(w, v, h)) return 0;
  rfw_json_next(&w->j, &cursor, NULL, &v);
  return number_is(w, v, wd);
}

static uint32_t attr(const rfw_node *n, unsigned i) { return rfw_u32le(n->attrs + 4 * i); }
static double attr_f64(const rfw_node *n, unsigned i) { return rfw_f64_from_bits((uint64_t)attr(n, i) | ((uint64_t)attr(n, i + 1) << 32)); }

/** An array of numbers against `count` f64 attribute pairs from word `first`. */
static int f64_array_is(walk *w, size_t at, const rfw_node *n, unsigned first, uint32_t count) {
  if (rfw_json_kind(&w->j, at) != '[' || rfw_json_count(&w->j, at) != count) return 0;
  size_t cursor = at, v;
  for (uint32_t i = 0; rfw_json_next(&w->j, &cursor, NULL, &v); i++) {
    if (!number_is(w, v, attr_f64(n, first + 2 * i))) return 0;
  }
  return 1;
}

static int input_attrs_are(walk *w, const size_t *at, const rfw_node *n) {
  if (rfw_json_kind(&w->j, at[K_SHAPE]) != '[' || rfw_json_count(&w->j, at[K_SHAPE]) != n->rank) return 0;
  size_t cursor = at[K_SHAPE], v;
  for (unsigned k = 0; rfw_json_next(&w->j, &cursor, NULL, &v); k++) {
    if (!number_is(w, v, n->shape[k])) return 0;
  }
  if (at[K_NORMALIZE] == 0) return n->attr_count == 0;
  if (n->attr_count == 0 || rfw_json_kind(&w->j, at[K_NORMALIZE]) != '{') return 0;
  const uint32_t n_mean = attr(n, 0), n_std = attr(n, 1 + 2 * n_mean);
  size_t mean = 0, std = 0, key;
  cursor = at[K_NORMALIZE];
  while (rfw_json_next(&w->j, &cursor, &key, &v)) {
    size_t *slot = rfw_json_string_lit(&w->j, key, "mean") ? &mean : rfw_json_string_lit(&w->j, key, "std") ? &std : NULL;
    if (slot == NULL || *slot != 0) return 0;
    *slot = v;
  }
  return mean != 0 && std != 0 && f64_array_is(w, mean, n, 1, n_mean) && f64_array_is(w, std, n, 2 + 2 * n_mean, n_std);
}

/** The attributes of node n, each as its op resolves it (defaults applied), against the GRPH words. */
static int attrs_are(walk *w, const size_t *at, const rfw_node *n) {
  switch (n->op) {
    case RFW_OP_INPUT:
      return input_attrs_are(w, at, n);
    case RFW_OP_CONV:
      return number_is(w, at[K_OUT_CHANNELS], attr(n, 0)) && pair_is(w, at[K_KERNEL], attr(n, 1), attr(n, 2)) &&
             (at[K_STRIDE] == 0 ? attr(n, 3) == 1 && attr(n, 4) == 1 : pair_is(w, at[K_STRIDE], attr(n, 3), attr(n, 4))) &&
             (at[K_PADDING] == 0 ? attr(n, 5) == 0 && attr(n, 6) == 0 : pair_is(w, at[K_PADDING], attr(n, 5), attr(n, 6))) &&
             (at[K_GROUPS] == 0 ? attr(n, 7) == 1 : number_is(w, at[K_GROUPS], attr(n, 7))) && bool_is(w, at[K_BIAS], (int)attr(n, 8));
    case RFW_OP_DENSE:
      return number_is(w, at[K_OUT_FEATURES], attr(n, 0)) && bool_is(w, at[K_BIAS], (int)attr(n, 1));
    case RFW_OP_BATCHNORM:
      return (at[K_EPS] == 0 ? attr_f64(n, 0) == 1e-5 : number_is(w, at[K_EPS], attr_f64(n, 0))) &&
             (at[K_MOMENTUM] == 0 ? attr_f64(n, 2) == 0.1 : number_is(w, at[K_MOMENTUM], attr_f64(n, 2)));
    case RFW_OP_MAXPOOL:
    case RFW_OP_AVGPOOL: {
      /* PyTorch's pools default the stride to the kernel. */
      const size_t stride = at[K_STRIDE] != 0 ? at[K_STRIDE] : at[K_KERNEL];
      const int cip = n->op == RFW_OP_MAXPOOL || (at[K_COUNT_INCLUDE_PAD] == 0 ? attr(n, 6) == 1 : bool_is(w, at[K_COUNT_INCLUDE_PAD], (int)attr(n, 6)));
      return pair_is(w, at[K_KERNEL], attr(n, 0), attr(n, 1)) && pair_is(w, stride, attr(n, 2), attr(n, 3)) &&
             (at[K_PADDING] == 0 ? attr(n, 4) == 0 && attr(n, 5) == 0 : pair_is(w, at[K_PADDING], attr(n, 4), attr(n, 5))) && cip;
    }
    case RFW_OP_MIXEDPOOL: {
      const uint32_t count = attr(n, 2);
      if (rfw_json_kind(&w->j, at[K_KERNELS]) != '[' || rfw_json_count(&w->j, at[K_KERNELS]) != count) return 0;
      size_t cursor = at[K_KERNELS], v;
      for (uint32_t i = 0; rfw_json_next(&w->j, &cursor, NULL, &v); i++) {
        if (!number_is(w, v, attr(n, 3 + i))) return 0;
      }
      return (at[K_STRIDE] == 0 ? attr(n, 0) == 1 : number_is(w, at[K_STRIDE], attr(n, 0))) &&
             (at[K_COUNT_INCLUDE_PAD] == 0 ? attr(n, 1) == 1 : bool_is(w, at[K_COUNT_INCLUDE_PAD], (int)attr(n, 1)));
    }
    case RFW_OP_CHANNELSHUFFLE:
      return number_is(w, at[K_GROUPS], attr(n, 0));
    default:
      return 1;
  }
}

/** "0x" and 1 to 16 hex digits (SEED_PATTERN), as a 64-bit value; escapes decode as JSON.parse does. */
static int seed_is(walk *w, size_t at, uint64_t want) {
  if (rfw_json_kind(&w->j, at) != '"') return 0;
  size_t p = at + 1;
  if (rfw_json_string_next(&w->j, &p) != '0' || rfw_json_string_next(&w->j, &p) != 'x') return 0;
  uint64_t v = 0;
  int digits = 0;
  for (int32_t c; (c = rfw_json_string_next(&w->j, &p)) >= 0; digits++) {
    const int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    if (d < 0 || digits >= 16) return 0;
    v = v << 4 | (uint64_t)d;
  }
  return digits >= 1 && v == want;
}

/** One parameter's spec against its TENS entry (paramKey: mode, and a seeded stream's every field). */
static int param_is(walk *w, size_t at, const rfw_tensor *t) {
  if (rfw_json_kind(&w->j, at) != '{') return 0;
  enum { MODE, DIST, INIT, FAN, GAIN, SEED, FIELDS };
  static const char *const names[FIELDS] = {"mode", "dist", "init", "fan", "gain", "seed"};
  size_t f[FIELDS] = {0}, cursor = at, key, v;
  while (rfw_json_next(&w->j, &cursor, &key, &v)) {
    int k = 0;
    while (k < FIELDS && !rfw_json_string_lit(&w->j, key, names[k])) k++;
    if (k == FIELDS || f[k] != 0) return 0;
    f[k] = v;
  }
  if (f[MODE] == 0) return 0;
  if (rfw_json_string_lit(&w->j, f[MODE], "learnable") || rfw_json_string_lit(&w->j, f[MODE], "frozen")) {
    const rfw_mode mode = rfw_json_string_lit(&w->j, f[MODE], "learnable") ? RFW_MODE_LEARNABLE : RFW_MODE_FROZEN;
    return t->mode == mode && f[DIST] == 0 && f[INIT] == 0 && f[FAN] == 0 && f[GAIN] == 0 && f[SEED] == 0;
  }
  if (!rfw_json_string_lit(&w->j, f[MODE], "seeded") || t->mode != RFW_MODE_SEEDED) return 0;
  if (f[DIST] == 0 || f[INIT] == 0 || f[GAIN] == 0 || f[SEED] == 0) return 0;
  if (!rfw_json_string_lit(&w->j, f[DIST], rfw_dist_name(t->seed.dist))) return 0;
  const unsigned init = t->init_code & 3, fan = t->init_code >> 2;
  if (!rfw_json_string_lit(&w->j, f[INIT], init == 1 ? "kaiming" : "xavier")) return 0;
  if (init == 2) {
    if (f[FAN] != 0) return 0; /* xavier takes no fan */
  } else {
    /* kaiming's fan defaults to fan_in, in the spec and in the table alike */
    const char *want = fan == 2 ? "fan_out" : "fan_in";
    if (f[FAN] == 0 ? fan == 2 : !rfw_json_string_lit(&w->j, f[FAN], want)) return 0;
  }
  const uint64_t seed = (uint64_t)t->seed.seed_hi << 32 | t->seed.seed_lo;
  return number_is(w, f[GAIN], t->gain) && seed_is(w, f[SEED], seed);
}

/** The node's params object (optional) against the tensors it owns from TENS entry `first`. */
static int params_are(walk *w, size_t at, uint32_t index, uint32_t first) {
  rfw_planned_tensor planned[4];
  const unsigned count = rfw_plan_node_tensors(w->pkg, index, planned);
  size_t given[2] = {0, 0};
  if (at != 0) {
    if (rfw_json_kind(&w->j, at) != '{') return 0;
    size_t cursor = at, key, v;
    while (rfw_json_next(&w->j, &cursor, &key, &v)) {
      const int role = rfw_json_string_lit(&w->j, key, "weight") ? 0 : rfw_json_string_lit(&w->j, key, "bias") ? 1 : -1;
      /* A spec for a tensor the node lacks (a bias with bias: false) is an error, as is a repeat. */
      if (role < 0 || (unsigned)role >= count || given[role] != 0) return 0;
      given[role] = v;
    }
  }
  for (unsigned r = 0; r < 2 && r < count; r++) {
    rfw_tensor t;
    rfw_package_tensor(w->pkg, first + r, &t);
    if (given[r] == 0 ? t.mode != RFW_MODE_LEARNABLE : !param_is(w, given[r], &t)) return 0;
  }
  return 1;
}

static rfw_status check_node(walk *w, size_t at, uint32_t index, uint32_t first_tensor) {
  if (rfw_json_kind(&w->j, at) != '{') return differ(w, index, "not an object");
  size_t slot[K_COUNT] = {0}, cursor = at, key, v;
  uint32_t seen = 0;
  while (rfw_json_next(&w->j, &cursor, &key, &v)) {
    int k = 0;
    while (k < K_COUNT && !rfw_json_string_lit(&w->j, key, KEY_NAMES[k])) k++;
    if (k == K_COUNT) return differ(w, index, "a field no op has");
    if (seen & BIT(k)) return differ(w, index, "a repeated key");
    seen |= BIT(k);
    slot[k] = v;
  }
  rfw_node n;
  rfw_package_node(w->pkg, index, &n);
  if (!(seen & BIT(K_OP)) || !rfw_json_string_lit(&w->j, slot[K_OP], rfw_op_name(n.op))) return differ(w, index, "op");
  if ((seen & ~ALLOWED[n.op]) != 0 || (REQUIRED[n.op] & ~seen) != 0) return differ(w, index, "fields");
  if (!rfw_json_string_is(&w->j, slot[K_NAME], n.name.ptr, n.name.len)) return differ(w, index, "name");
  if (n.op != RFW_OP_INPUT) {
    if (rfw_json_kind(&w->j, slot[K_INPUTS]) != '[' || rfw_json_count(&w->j, slot[K_INPUTS]) != n.input_count) return differ(w, index, "inputs");
    size_t c = slot[K_INPUTS];
    for (unsigned k = 0; rfw_json_next(&w->j, &c, NULL, &v); k++) {
      rfw_node in;
      rfw_package_node(w->pkg, rfw_u16le(n.inputs + 2 * k), &in);
      if (!rfw_json_string_is(&w->j, v, in.name.ptr, in.name.len)) return differ(w, index, "inputs");
    }
  }
  if (!attrs_are(w, slot, &n)) return differ(w, index, "attributes");
  if (!params_are(w, slot[K_PARAMS], index, first_tensor)) return differ(w, index, "params");
  return RFW_OK;
}

/** FNV-1a over a JSON string's code points; −1 when one is not ASCII (no node name has such a character). */
static int64_t name_hash(walk *w, size_t at) {
  if (rfw_json_kind(&w->j, at) != '"') return -1;
  uint32_t h = 2166136261u;
  size_t p = at + 1;
  for (int32_t c; (c = rfw_json_string_next(&w->j, &p)) >= 0;) {
    if (c >= 0x80) return -1;
    h = (h ^ (uint32_t)c) * 16777619u;
  }
  return h;
}

static uint32_t bytes_hash(rfw_bytes s) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < s.len; i++) h = (h ^ s.ptr[i]) * 16777619u;
  return h;
}

/** The value of key "name" in the object at `at`, or 0. */
static size_t name_of(walk *w, size_t at) {
  if (rfw_json_kind(&w->j, at) != '{') return 0;
  size_t cursor = at, key, v, found = 0;
  while (rfw_json_next(&w->j, &cursor, &key, &v)) {
    if (rfw_json_string_lit(&w->j, key, "name")) found = v;
  }
  return found;
}

typedef struct scratch {
  uint16_t *table;     /* GRPH node index + 1 by name hash */
  uint32_t slots;
  uint16_t *grph_of;   /* spec position -> GRPH node */
  uint16_t *spec_of;   /* GRPH node -> spec position + 1 */
  uint32_t *first;     /* GRPH node -> its first TENS entry */
  uint16_t *stack;
  uint8_t *next;
  uint8_t *state;
} scratch;

static int alloc_scratch(const rfw_package *pkg, rfw_arena *arena, scratch *s) {
  const uint32_t n = pkg->node_count;
  s->slots = 16;
  while (s->slots < 2 * n) s->slots *= 2;
  s->table = (uint16_t *)rfw_arena_alloc(arena, s->slots * sizeof(uint16_t), sizeof(uint16_t), RFW_USE_SCRATCH);
  s->grph_of = (uint16_t *)rfw_arena_alloc(arena, n * sizeof(uint16_t), sizeof(uint16_t), RFW_USE_SCRATCH);
  s->spec_of = (uint16_t *)rfw_arena_alloc(arena, n * sizeof(uint16_t), sizeof(uint16_t), RFW_USE_SCRATCH);
  s->stack = (uint16_t *)rfw_arena_alloc(arena, n * sizeof(uint16_t), sizeof(uint16_t), RFW_USE_SCRATCH);
  s->first = (uint32_t *)rfw_arena_alloc(arena, n * sizeof(uint32_t), sizeof(uint32_t), RFW_USE_SCRATCH);
  s->next = (uint8_t *)rfw_arena_alloc(arena, n, 1, RFW_USE_SCRATCH);
  s->state = (uint8_t *)rfw_arena_alloc(arena, n, 1, RFW_USE_SCRATCH);
  if (s->table == NULL || s->grph_of == NULL || s->spec_of == NULL || s->stack == NULL || s->first == NULL || s->next == NULL || s->state == NULL) return 0;
  memset(s->table, 0, s->slots * sizeof(uint16_t));
  memset(s->spec_of, 0, n * sizeof(uint16_t));
  memset(s->state, 0, n);
  uint32_t tensor = 0;
  for (uint32_t i = 0; i < n; i++) {
    rfw_node node;
    rfw_package_node(pkg, i, &node);
    uint32_t h = bytes_hash(node.name) & (s->slots - 1);
    while (s->table[h] != 0) h = (h + 1) & (s->slots - 1);
    s->table[h] = (uint16_t)(i + 1);
    s->first[i] = tensor;
    rfw_planned_tensor planned[4];
    tensor += rfw_plan_node_tensors(pkg, i, planned);
  }
  return 1;
}

/** The GRPH node whose name the JSON string at `at` spells, or −1. */
static int32_t find_node(walk *w, const scratch *s, size_t at) {
  const int64_t h = name_hash(w, at);
  if (h < 0) return -1;
  for (uint32_t k = (uint32_t)h & (s->slots - 1); s->table[k] != 0; k = (k + 1) & (s->slots - 1)) {
    rfw_node node;
    rfw_package_node(w->pkg, s->table[k] - 1u, &node);
    if (rfw_json_string_is(&w->j, at, node.name.ptr, node.name.len)) return s->table[k] - 1;
  }
  return -1;
}

/**
 * executionOrder over the spec's nodes: depth-first in spec order, each node after its inputs. The
 * k-th node it finishes must be GRPH's node k.
 */
static rfw_status check_order(walk *w, const scratch *s) {
  const uint32_t n = w->pkg->node_count;
  uint32_t done = 0;
  for (uint32_t start = 0; start < n; start++) {
    if (s->state[start] != 0) continue;
    uint32_t depth = 0;
    s->stack[depth] = (uint16_t)start;
    s->next[depth++] = 0;
    s->state[start] = 1;
    while (depth > 0) {
      const uint32_t p = s->stack[depth - 1];
      rfw_node node;
      rfw_package_node(w->pkg, s->grph_of[p], &node);
      if (s->next[depth - 1] < node.input_count) {
        /* The spec's inputs of p name the GRPH inputs of its node (checked before), so map those back. */
        const uint32_t dep = s->spec_of[rfw_u16le(node.inputs + 2 * s->next[depth - 1]++)] - 1u;
        if (s->state[dep] == 1) return differ(w, p, "inputs form a cycle");
        if (s->state[dep] == 0) {
          s->state[dep] = 1;
          s->stack[depth] = (uint16_t)dep;
          s->next[depth++] = 0;
        }
      } else {
        s->state[p] = 2;
        if (s->grph_of[p] != done++) return differ(w, p, "its execution order is not GRPH's");
        depth--;
      }
    }
  }
  return RFW_OK;
}

rfw_status rfw_check_spec(const rfw_package *pkg, rfw_arena *arena, rfw_diag *diag) {
  if (pkg->spec.ptr == NULL) return RFW_OK;
  if (!rfw_utf8_valid(pkg->spec.ptr, pkg->spec.len)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "SPEC is not valid UTF-8");
  walk w = {pkg, {pkg->spec.ptr, pkg->spec.len}, diag};
  size_t root;
  if (!rfw_json_check(&w.j, &root)) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "SPEC is not a valid spec: not valid JSON");
  if (rfw_json_kind(&w.j, root) != '{') return rfw_fail(diag, RFW_REJECT_SEMANTICS, "SPEC is not a valid spec: not a JSON object");
  enum { FORMAT, VERSION, NAME, DESCRIPTION, NODES, OUTPUTS, FIELDS };
  static const char *const names[FIELDS] = {"format", "version", "name", "description", "nodes", "outputs"};
  size_t f[FIELDS] = {0}, cursor = root, key, v;
  while (rfw_json_next(&w.j, &cursor, &key, &v)) {
    int k = 0;
    while (k < FIELDS && !rfw_json_string_lit(&w.j, key, names[k])) k++;
    if (k == FIELDS || f[k] != 0) return rfw_fail(diag, RFW_REJECT_SEMANTICS, "SPEC is not a valid spec: an unknown or repeated field");
    f[k] = v;
  }
  if (f[FORMAT] == 0 || !rfw_json_string_lit(&w.j, f[FORMAT], "reframe-spec") || f[VERSION] == 0 || !number_is(&w, f[VERSION], 1)) {
    return rfw_fail(diag, RFW_REJECT_SEMANTICS, "SPEC is not a valid spec: format must be \"reframe-spec\", version 1");
  }
  if (f[DESCRIPTION] != 0 && rfw_json_kind(&w.j, f[DESCRIPTION]) != '"') return rfw_fail(diag, RFW_REJECT_SEMANTICS, "SPEC is not a valid spec: description must be a string");
  if (f[NAME] == 0 || !rfw_json_string_is(&w.j, f[NAME], pkg->model_name.ptr, pkg->model_name.len)) return differ(&w, UINT32_MAX, "model name");
  if (f[NODES] == 0 || rfw_json_kind(&w.j, f[NODES]) != '[' || rfw_json_count(&w.j, f[NODES]) != pkg->node_count) return differ(&w, UINT32_MAX, "node count");
  if (f[OUTPUTS] == 0 || rfw_json_kind(&w.j, f[OUTPUTS]) != '[' || rfw_json_count(&w.j, f[OUTPUTS]) != pkg->output_count) return differ(&w, UINT32_MAX, "outputs");
  cursor = f[OUTPUTS];
  for (uint32_t k = 0; rfw_json_next(&w.j, &cursor, NULL, &v); k++) {
    rfw_node out;
    rfw_package_node(pkg, rfw_package_output(pkg, k), &out);
    if (!rfw_json_string_is(&w.j, v, out.name.ptr, out.name.len)) return differ(&w, UINT32_MAX, "outputs");
  }

  const size_t mark = rfw_arena_mark(arena);
  scratch s;
  rfw_status status = RFW_OK;
  if (!alloc_scratch(pkg, arena, &s)) {
    status = rfw_fail(diag, RFW_ERR_ARENA, "the arena is too small to compare SPEC with %u nodes (%llu bytes wanted)", pkg->node_count, (unsigned long long)arena->wanted);
  }
  /* Match the spec's nodes to GRPH's by name: one each, no repeats. */
  cursor = f[NODES];
  for (uint32_t p = 0; status == RFW_OK && rfw_json_next(&w.j, &cursor, NULL, &v); p++) {
    const size_t name = name_of(&w, v);
    const int32_t g = name == 0 ? -1 : find_node(&w, &s, name);
    if (g < 0 || s.spec_of[g] != 0) status = differ(&w, p, "no GRPH node of that name, or a repeated name");
    else {
      s.grph_of[p] = (uint16_t)g;
      s.spec_of[g] = (uint16_t)(p + 1);
    }
  }
  /* Then each node against its GRPH node, and the order execution gives them. */
  cursor = f[NODES];
  for (uint32_t p = 0; status == RFW_OK && rfw_json_next(&w.j, &cursor, NULL, &v); p++) status = check_node(&w, v, s.grph_of[p], s.first[s.grph_of[p]]);
  if (status == RFW_OK) status = check_order(&w, &s);
  rfw_arena_release(arena, mark);
  return status;
}
