/*
 * Running an open package: the model executor. It plans every node's buffers in the caller's arena
 * (the activation schedule of docs/budget.md §6, so the arena's records can be checked against the
 * studio's budget), folds batch norm into a scale and a shift, and runs the graph in execution order.
 *
 * Two regeneration modes (docs/budget.md §7):
 *   - RFW_REGEN_AT_LOAD: every seeded tensor is rebuilt into the arena once, at load;
 *   - RFW_REGEN_PER_LAYER: a node's seeded tensors are rebuilt just before it runs into a scratch that
 *     lives only while it runs (planned with the activations), so RAM holds one layer's weights.
 * Stored tensors are never copied: float32 data is read in place from the package, fp16 and int8 data
 * are dequantised as the kernels read them (once per weight and output plane in a conv), so RAM holds
 * the seeded tensors and the activations only, as docs/budget.md §7 counts.
 *
 * Memory, all in the caller's arena and recorded by use: the plan (RFW_USE_PLAN: an offset per node, per
 * seeded tensor or per-layer scratch, and a row of partial sums or maxima for the pools), the seeded tensors at
 * load (RFW_USE_WEIGHTS) and one activation region (RFW_USE_ACTIVATIONS) in which every buffer, and in
 * per-layer mode every node's seeded scratch, sits at an offset planned from the budget's schedule.
 *
 * Nothing here allocates outside the arena, and nothing aborts: every failure is a status and a sentence.
 */
#ifndef RFW_MODEL_H
#define RFW_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "arena/arena.h"
#include "common/diag.h"
#include "common/status.h"
#include "package/package.h"

typedef enum rfw_regen_mode { RFW_REGEN_AT_LOAD = 0, RFW_REGEN_PER_LAYER = 1 } rfw_regen_mode;

/** The arena bytes a model needs, by what they hold, as the recording arena measured them. */
typedef struct rfw_model_memory {
  size_t graph;       /* the package's node index and the executor's plan */
  size_t weights;     /* at load: the seeded tensors kept for the model's life; per layer: the largest node's
                         seeded scratch (which lives inside `activations`) */
  size_t activations; /* the activation region (per layer: with the seeded scratch planned into it) */
  size_t total;       /* the arena's high-water mark over load and one inference */
} rfw_model_memory;

struct rfw_model_plan; /* private to the executor */

typedef struct rfw_model {
  const rfw_package *pkg;
  rfw_regen_mode mode;
  struct rfw_model_plan *plan;
  uint32_t input_elements;  /* float32 values one input has (C·H·W or F), NCHW order */
  uint32_t output_elements; /* logits of the first graph output */
  rfw_model_memory memory;
} rfw_model;

/**
 * Prepares an open package for inference in `arena` (after the package's own node index).
 * @return RFW_OK; RFW_ERR_ARENA when the arena is too small (arena->wanted then says how many bytes the
 *         model needs in all, so a board can refuse a model before overwriting anything; only when the
 *         arena cannot even hold the planning's working memory does it say less); RFW_ERR_UNSUPPORTED
 *         for a graph this runtime cannot run (the sentence says which node and why)
 */
rfw_status rfw_model_load(rfw_model *model, const rfw_package *pkg, rfw_regen_mode mode, rfw_arena *arena, rfw_diag *diag);

/**
 * The arena bytes rfw_model_load plus one inference would take for an open package, without loading it:
 * what COMMIT compares with the board's arena before it writes anything. The count starts at a 16-byte
 * aligned cursor (add up to 15 for another); inference allocates nothing.
 * @param[in,out] work memory to plan in (about 24 bytes a node, released before returning; the board's
 *                     arena above what it holds): the offsets of the greedy plan cannot be found without it
 * @return RFW_OK; RFW_ERR_ARENA when `work` cannot hold the planning; RFW_ERR_UNSUPPORTED as rfw_model_load
 */
rfw_status rfw_model_required_bytes(const rfw_package *pkg, rfw_regen_mode mode, rfw_arena *work, size_t *bytes, rfw_diag *diag);

/** Called after each node when timing a run: node index (execution order position is `step`) and micros. */
typedef void (*rfw_layer_hook)(void *context, uint32_t step, uint32_t node_index, uint32_t micros);

/**
 * Runs one input (input_elements float32 values, NCHW) and writes output_elements logits.
 * @param[in] hook called after every node with its time (NULL: not timed)
 */
rfw_status rfw_model_infer(rfw_model *model, const float *input, float *logits, rfw_layer_hook hook, void *context, rfw_diag *diag);

#endif
