/*
 * Lifetimes by the budget's schedule (core/budget/activation-plan.ts), then a greedy offset planner:
 * buffers sorted largest first (earlier first among equals), each placed at the lowest offset where it
 * overlaps no placed buffer that is live at the same time.
 */
#include <string.h>

#include "common/bytes.h"
#include "common/checked-math.h"
#include "model/model-plan.h"

/** A view owns no buffer: its output is its input's buffer. flatten is the one view (memory().aliasesInput). */
static int is_view(rfw_op op) { return op == RFW_OP_FLATTEN; }

static uint64_t node_elements(const rfw_node *n) {
  return n->rank == 3 ? (uint64_t)n->shape[0] * n->shape[1] * n->shape[2] : n->shape[0];
}

static uint32_t input_of(const rfw_node *n, unsigned k) { return rfw_u16le(n->inputs + 2 * k); }

/**
 * The next node's seeded tensors, from tensor *k on (the package lists tensors in node order): the node
 * and their bytes together. Returns 0 when no seeded tensor is left. The sizes pass counts these groups
 * and the placement pass plans one per-layer scratch for each, so both walk them the same way.
 */
static int next_seeded_group(const rfw_package *pkg, uint32_t *k, uint32_t *node, uint64_t *bytes) {
  rfw_tensor t;
  *bytes = 0;
  *node = UINT32_MAX;
  for (; *k < pkg->tensor_count; (*k)++) {
    rfw_package_tensor(pkg, *k, &t);
    if (t.mode != RFW_MODE_SEEDED) continue;
    if (*node != UINT32_MAX && t.node != *node) break;
    *node = t.node;
    *bytes = rfw_add_sat(*bytes, rfw_mul_sat(t.elements, sizeof(float)));
  }
  return *node != UINT32_MAX;
}

typedef struct plan_work {
  uint32_t *size, *first, *last, *off, *order, *next;
  uint32_t count; /* items: one per node (size 0 for views), then one per per-layer scratch */
} plan_work;

static void *work_alloc(rfw_arena *work, size_t bytes, size_t *taken) {
  *taken += rfw_model_round(bytes);
  return rfw_arena_alloc(work, rfw_model_round(bytes), RFW_MODEL_ALIGN, RFW_USE_SCRATCH);
}

/** Largest first; among equals the earlier one; then by index, so the plan is one for a given graph. */
static int before(const plan_work *w, uint32_t a, uint32_t b) {
  if (w->size[a] != w->size[b]) return w->size[a] > w->size[b];
  if (w->first[a] != w->first[b]) return w->first[a] < w->first[b];
  return a < b;
}

/** Whether items a and b are live at a common node. */
static int overlap(const plan_work *w, uint32_t a, uint32_t b) { return w->first[a] <= w->last[b] && w->first[b] <= w->last[a]; }

/** Places every item with a size; returns the region's size (UINT64_MAX past 4 GiB). */
static uint64_t place(plan_work *w) {
  uint32_t n = 0;
  for (uint32_t i = 0; i < w->count; i++) {
    if (w->size[i] == 0) continue;
    /* Insertion sort: a few hundred buffers for the largest preset, and placing is quadratic anyway. */
    uint32_t j = n++;
    while (j > 0 && before(w, i, w->order[j - 1])) {
      w->order[j] = w->order[j - 1];
      j--;
    }
    w->order[j] = i;
  }
  const uint32_t none = UINT32_MAX;
  uint32_t head = none; /* placed items in order of offset */
  uint64_t top = 0;
  for (uint32_t k = 0; k < n; k++) {
    const uint32_t b = w->order[k];
    /* Walk the placed items up in offset; skip those live at other times; stop at the first gap that fits. */
    uint64_t at = 0;
    for (uint32_t p = head; p != none; p = w->next[p]) {
      if (!overlap(w, p, b)) continue;
      if (w->off[p] >= at + w->size[b]) break;
      if ((uint64_t)w->off[p] + w->size[p] > at) at = (uint64_t)w->off[p] + w->size[p];
    }
    if (at + w->size[b] > UINT32_MAX) return UINT64_MAX;
    w->off[b] = (uint32_t)at;
    if (at + w->size[b] > top) top = at + w->size[b];
    /* Keep the list in order of offset. */
    uint32_t prev = none, q = head;
    while (q != none && w->off[q] <= at) {
      prev = q;
      q = w->next[q];
    }
    w->next[b] = q;
    if (prev == none) head = b;
    else w->next[prev] = b;
  }
  return top;
}

static rfw_status unsupported(rfw_diag *diag, uint32_t index, const rfw_node *n, const char *why) {
  return rfw_fail(diag, RFW_ERR_UNSUPPORTED, "node %u (%.*s): %s", index, (int)(n->name.len > 80 ? 80 : n->name.len), (const char *)n->name.ptr, why);
}

#define MAX_WINDOW 65535u

/** Kernels, strides and paddings small enough for the kernels' 32-bit window arithmetic. */
static int window_fits(const rfw_node *n) {
  unsigned from = 0, to = 0;
  switch (n->op) {
    case RFW_OP_CONV: from = 1, to = 7; break;
    case RFW_OP_MAXPOOL:
    case RFW_OP_AVGPOOL: from = 0, to = 6; break;
    case RFW_OP_MIXEDPOOL:
      if (rfw_u32le(n->attrs) > MAX_WINDOW) return 0;
      from = 3, to = n->attr_count;
      break;
    default: return 1;
  }
  for (unsigned i = from; i < to; i++) {
    if (rfw_u32le(n->attrs + 4 * i) > MAX_WINDOW) return 0;
  }
  return 1;
}

/** Facts about the graph that need no working memory: inputs, outputs, pools' rows, seeded bytes. */
static rfw_status survey(const rfw_package *pkg, rfw_plan_sizes *sizes, uint32_t *scratch_items, rfw_diag *diag) {
  const uint32_t n_nodes = pkg->node_count;
  rfw_node first_input;
  int have_input = 0;
  for (uint32_t i = 0; i < n_nodes; i++) {
    rfw_node n;
    rfw_package_node(pkg, i, &n);
    if (node_elements(&n) > (UINT32_MAX - RFW_MODEL_ALIGN) / sizeof(float)) return unsupported(diag, i, &n, "its output is larger than this runtime's 4 GiB region");
    if (!window_fits(&n)) return unsupported(diag, i, &n, "a kernel, stride or padding above 65535");
    if (n.op == RFW_OP_INPUT) {
      if (!have_input) {
        first_input = n;
        have_input = 1;
        sizes->input_node = i;
        sizes->input_elements = (uint32_t)node_elements(&n);
      } else if (n.rank != first_input.rank || memcmp(n.shape, first_input.shape, sizeof n.shape) != 0) {
        /* The studio's engine feeds its one input tensor to every input node. */
        return unsupported(diag, i, &n, "a second input node of another shape (every input node gets the same input)");
      }
    }
    if ((n.op == RFW_OP_MAXPOOL || n.op == RFW_OP_AVGPOOL || n.op == RFW_OP_MIXEDPOOL) && n.input_count == 1) {
      rfw_node in;
      rfw_package_node(pkg, input_of(&n, 0), &in);
      if (in.shape[2] > sizes->row_floats) sizes->row_floats = in.shape[2];
    }
  }
  if (!have_input) return rfw_fail(diag, RFW_ERR_UNSUPPORTED, "the graph has no input node");
  rfw_node out;
  sizes->output_node = rfw_package_output(pkg, 0);
  rfw_package_node(pkg, sizes->output_node, &out);
  sizes->output_elements = (uint32_t)node_elements(&out);

  /* Seeded tensors: all of them at load; per layer, each node's together. Tensors come in node order. */
  uint64_t all = 0, node_bytes = 0, largest = 0;
  uint32_t node = 0;
  *scratch_items = 0;
  for (uint32_t k = 0; next_seeded_group(pkg, &k, &node, &node_bytes);) {
    (*scratch_items)++;
    all = rfw_add_sat(all, node_bytes);
    if (node_bytes > largest) largest = node_bytes;
  }
  if (all > UINT32_MAX) return rfw_fail(diag, RFW_ERR_UNSUPPORTED, "the seeded tensors need more than 4 GiB");
  sizes->weight_bytes = (size_t)all;
  sizes->largest_scratch = (size_t)largest;
  return RFW_OK;
}

rfw_status rfw_plan_model(const rfw_package *pkg, rfw_regen_mode mode, rfw_arena *work, uint32_t *out_at, uint32_t *scratch_at, rfw_plan_sizes *sizes, rfw_diag *diag) {
  memset(sizes, 0, sizeof *sizes);
  uint32_t scratch_items = 0;
  rfw_status s = survey(pkg, sizes, &scratch_items, diag);
  if (s != RFW_OK) return s;
  if (mode == RFW_REGEN_PER_LAYER) sizes->weight_bytes = 0;
  else sizes->largest_scratch = 0;

  const uint32_t n_nodes = pkg->node_count;
  plan_work w;
  w.count = n_nodes + (mode == RFW_REGEN_PER_LAYER ? scratch_items : 0);
  const size_t mark = rfw_arena_mark(work);
  size_t taken = 0;
  const size_t words = (size_t)w.count * sizeof(uint32_t);
  w.size = (uint32_t *)work_alloc(work, words, &taken);
  w.first = (uint32_t *)work_alloc(work, words, &taken);
  w.last = (uint32_t *)work_alloc(work, words, &taken);
  w.off = (uint32_t *)work_alloc(work, words, &taken);
  w.order = (uint32_t *)work_alloc(work, words, &taken);
  w.next = (uint32_t *)work_alloc(work, words, &taken);
  if (w.size == NULL || w.first == NULL || w.last == NULL || w.off == NULL || w.order == NULL || w.next == NULL) {
    rfw_arena_release(work, mark);
    return rfw_fail(diag, RFW_ERR_ARENA, "the arena is too small to plan %u buffers (%llu bytes wanted)", w.count, (unsigned long long)work->wanted);
  }
  sizes->work_bytes = taken;

  /* w.off doubles as each node's owner (the node whose buffer holds its output) until placing. */
  uint32_t *owner = w.off;
  for (uint32_t i = 0; i < n_nodes; i++) {
    rfw_node n;
    rfw_package_node(pkg, i, &n);
    owner[i] = is_view(n.op) ? owner[input_of(&n, 0)] : i;
    w.size[i] = is_view(n.op) ? 0 : (uint32_t)(node_elements(&n) * sizeof(float));
    w.first[i] = w.last[i] = i;
    for (unsigned k = 0; k < n.input_count; k++) {
      const uint32_t b = owner[input_of(&n, k)];
      if (w.last[b] < i) w.last[b] = i;
    }
  }
  /* Graph outputs stay to the end. */
  for (uint32_t k = 0; k < pkg->output_count; k++) w.last[owner[rfw_package_output(pkg, k)]] = n_nodes;
  if (out_at != NULL) {
    for (uint32_t i = 0; i < n_nodes; i++) out_at[i] = owner[i];
  }

  if (mode == RFW_REGEN_PER_LAYER) {
    uint32_t item = n_nodes, node = 0;
    uint64_t bytes = 0;
    for (uint32_t k = 0; next_seeded_group(pkg, &k, &node, &bytes); item++) {
      w.size[item] = (uint32_t)bytes;
      w.first[item] = w.last[item] = node;
    }
  }

  const uint64_t top = place(&w);
  if (top > UINT32_MAX - RFW_MODEL_ALIGN) {
    rfw_arena_release(work, mark);
    return rfw_fail(diag, RFW_ERR_UNSUPPORTED, "the activations need more than 4 GiB");
  }
  sizes->activation_bytes = (size_t)top;
  if (out_at != NULL) {
    for (uint32_t i = 0; i < n_nodes; i++) out_at[i] = w.off[out_at[i]];
  }
  if (scratch_at != NULL) {
    for (uint32_t i = 0; i < n_nodes; i++) scratch_at[i] = RFW_NO_OFFSET;
    for (uint32_t item = n_nodes; item < w.count; item++) scratch_at[w.first[item]] = w.off[item];
  }
  rfw_arena_release(work, mark);
  return RFW_OK;
}

size_t rfw_plan_total_bytes(const rfw_package *pkg, rfw_regen_mode mode, const rfw_plan_sizes *sizes) {
  const size_t index_words = mode == RFW_REGEN_PER_LAYER ? pkg->node_count : pkg->tensor_count;
  const size_t fixed = rfw_model_round(sizeof(struct rfw_model_plan)) + rfw_model_round((size_t)pkg->node_count * sizeof(uint32_t)) + rfw_model_round(index_words * sizeof(uint32_t));
  const size_t kept = fixed + rfw_model_round((size_t)sizes->row_floats * sizeof(float)) + rfw_model_round(sizes->weight_bytes) + rfw_model_round(sizes->activation_bytes);
  /* Planning runs above the plan's own arrays before the rest is allocated over it. */
  const size_t planning = fixed + sizes->work_bytes;
  return kept > planning ? kept : planning;
}
