/*
 * The executor's memory plan (docs/budget.md §6 and §7). Every node's output gets a buffer from the
 * moment its node starts until its last reader has run (graph outputs to the end; a view such as flatten
 * shares its input's buffer), and in regenerate-per-layer mode each node with seeded tensors also gets a
 * weight scratch that lives only while it runs. Those lifetimes are exactly the budget's schedule; the
 * buffers are then placed at offsets in one region, largest first, each at the lowest offset that no
 * buffer of overlapping lifetime uses (a greedy offset planner, as tflite-micro's). On the presets this
 * packing leaves no gap: the region is the budget's peak.
 */
#ifndef RFW_MODEL_PLAN_H
#define RFW_MODEL_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "model/model.h"

#define RFW_NO_OFFSET UINT32_MAX
/** Every allocation of a loaded model is aligned to, and padded to a multiple of, this many bytes. */
#define RFW_MODEL_ALIGN 16u

/** What the plan needs, in bytes, before any of it is allocated. */
typedef struct rfw_plan_sizes {
  size_t activation_bytes; /* the region every activation (and per-layer scratch) is placed in */
  size_t weight_bytes;     /* at load: float32 of every seeded tensor; per layer: 0 */
  size_t largest_scratch;  /* per layer: the largest node's seeded float32 bytes; at load: 0 */
  uint32_t row_floats;     /* the widest input of a pool (its row of partial sums or maxima) */
  uint32_t input_node;     /* the first input node */
  uint32_t output_node;    /* the first graph output */
  uint32_t input_elements, output_elements;
  size_t work_bytes;       /* the planning's own working memory */
} rfw_plan_sizes;

/**
 * Checks that this runtime can run the graph, and plans it.
 * @param[in,out] work  working memory (about 24 bytes a buffer), released before returning
 * @param[out] out_at     NULL, or node_count offsets: where each node's output lives in the region
 * @param[out] scratch_at NULL, or node_count offsets of each node's per-layer weight scratch (RFW_NO_OFFSET: none)
 * @return RFW_OK; RFW_ERR_ARENA when `work` is too small for the planning itself; RFW_ERR_UNSUPPORTED
 */
rfw_status rfw_plan_model(const rfw_package *pkg, rfw_regen_mode mode, rfw_arena *work, uint32_t *out_at, uint32_t *scratch_at, rfw_plan_sizes *sizes, rfw_diag *diag);

/** The bytes rfw_model_load takes from an arena whose cursor is RFW_MODEL_ALIGN-aligned. */
size_t rfw_plan_total_bytes(const rfw_package *pkg, rfw_regen_mode mode, const rfw_plan_sizes *sizes);

/** Rounded up to RFW_MODEL_ALIGN. */
static inline size_t rfw_model_round(size_t bytes) { return (bytes + RFW_MODEL_ALIGN - 1) & ~(size_t)(RFW_MODEL_ALIGN - 1); }

/** The private part of rfw_model. */
struct rfw_model_plan {
  uint32_t *out_at;     /* byte offset of each node's output in `activations` */
  uint32_t *scratch_at; /* per layer: byte offset of each node's weight scratch in `activations`, or RFW_NO_OFFSET */
  uint32_t *tensor_at;  /* at load: byte offset of each seeded tensor's values in `weights`, or RFW_NO_OFFSET */
  uint8_t *activations;
  float *weights;
  float *row;
  rfw_plan_sizes sizes;
};

#endif
