/*
 * rfw_model_load and rfw_model_required_bytes: plan the model (model-plan.c), check that the arena can
 * hold all of it before touching anything, then lay out the plan, the seeded tensors (at load) and the
 * activation region, each recorded under its own arena use.
 */
#include <string.h>

#include "model/model-plan.h"

static void *take(rfw_arena *arena, size_t bytes, rfw_arena_use use) {
  return rfw_arena_alloc(arena, rfw_model_round(bytes), RFW_MODEL_ALIGN, use);
}

static size_t padding_at(const rfw_arena *arena) {
  const uintptr_t at = (uintptr_t)(arena->base + arena->head);
  return (size_t)((RFW_MODEL_ALIGN - (at & (RFW_MODEL_ALIGN - 1))) & (RFW_MODEL_ALIGN - 1));
}

rfw_status rfw_model_required_bytes(const rfw_package *pkg, rfw_regen_mode mode, rfw_arena *work, size_t *bytes, rfw_diag *diag) {
  rfw_diag_clear(diag);
  if (pkg == NULL || pkg->node_at == NULL || work == NULL || bytes == NULL || (mode != RFW_REGEN_AT_LOAD && mode != RFW_REGEN_PER_LAYER)) {
    return rfw_fail(diag, RFW_ERR_ARGUMENT, "rfw_model_required_bytes needs an open package, a mode, an arena to plan in and a result");
  }
  rfw_plan_sizes sizes;
  const rfw_status s = rfw_plan_model(pkg, mode, work, NULL, NULL, &sizes, diag);
  if (s != RFW_OK) return s;
  *bytes = rfw_plan_total_bytes(pkg, mode, &sizes);
  return RFW_OK;
}

/** The seeded tensors, rebuilt once into the weight region. */
static rfw_status regenerate_all(const rfw_package *pkg, struct rfw_model_plan *plan, rfw_diag *diag) {
  size_t at = 0;
  for (uint32_t k = 0; k < pkg->tensor_count; k++) {
    rfw_tensor t;
    rfw_package_tensor(pkg, k, &t);
    plan->tensor_at[k] = RFW_NO_OFFSET;
    if (t.mode != RFW_MODE_SEEDED) continue;
    plan->tensor_at[k] = (uint32_t)at;
    const rfw_status s = rfw_regenerate(&t.seed, 0, (size_t)t.elements, plan->weights + at / sizeof(float));
    if (s != RFW_OK) return rfw_fail(diag, s, "tensor %u (%.*s) could not be regenerated (%s)", k, (int)(t.id.len > 80 ? 80 : t.id.len), (const char *)t.id.ptr, rfw_status_name(s));
    at += (size_t)t.elements * sizeof(float);
  }
  return RFW_OK;
}

rfw_status rfw_model_load(rfw_model *model, const rfw_package *pkg, rfw_regen_mode mode, rfw_arena *arena, rfw_diag *diag) {
  rfw_diag_clear(diag);
  if (model == NULL || pkg == NULL || pkg->node_at == NULL || arena == NULL || (mode != RFW_REGEN_AT_LOAD && mode != RFW_REGEN_PER_LAYER)) {
    return rfw_fail(diag, RFW_ERR_ARGUMENT, "rfw_model_load needs a model, an open package, a mode and an arena");
  }
  memset(model, 0, sizeof *model);
  const size_t start = rfw_arena_mark(arena);

  /* Plan once to learn the sizes, so a model that does not fit is refused before anything is laid out. */
  rfw_plan_sizes sizes;
  rfw_status s = rfw_plan_model(pkg, mode, arena, NULL, NULL, &sizes, diag);
  if (s != RFW_OK) return s;
  const size_t need = padding_at(arena) + rfw_plan_total_bytes(pkg, mode, &sizes);
  if (arena->size - arena->head < need) {
    arena->wanted = arena->head + need;
    return rfw_fail(diag, RFW_ERR_ARENA, "the model needs %llu bytes of arena in all, the arena has %llu", (unsigned long long)arena->wanted, (unsigned long long)arena->size);
  }

  const int per_layer = mode == RFW_REGEN_PER_LAYER;
  struct rfw_model_plan *plan = (struct rfw_model_plan *)take(arena, sizeof *plan, RFW_USE_PLAN);
  uint32_t *out_at = (uint32_t *)take(arena, (size_t)pkg->node_count * sizeof(uint32_t), RFW_USE_PLAN);
  uint32_t *index = (uint32_t *)take(arena, (size_t)(per_layer ? pkg->node_count : pkg->tensor_count) * sizeof(uint32_t), RFW_USE_PLAN);
  /* Cannot fail after the check above; tested anyway, as every allocation is. */
  if (plan == NULL || out_at == NULL || index == NULL) {
    rfw_arena_release(arena, start);
    return rfw_fail(diag, RFW_ERR_ARENA, "the arena is too small for the model's plan");
  }
  memset(plan, 0, sizeof *plan);
  plan->out_at = out_at;
  if (per_layer) plan->scratch_at = index;
  else plan->tensor_at = index;
  if ((s = rfw_plan_model(pkg, mode, arena, out_at, plan->scratch_at, &plan->sizes, diag)) != RFW_OK) {
    rfw_arena_release(arena, start);
    return s;
  }
  if (plan->sizes.row_floats > 0) plan->row = (float *)take(arena, (size_t)plan->sizes.row_floats * sizeof(float), RFW_USE_PLAN);
  if (plan->sizes.weight_bytes > 0) plan->weights = (float *)take(arena, plan->sizes.weight_bytes, RFW_USE_WEIGHTS);
  plan->activations = (uint8_t *)take(arena, plan->sizes.activation_bytes, RFW_USE_ACTIVATIONS);
  if ((plan->sizes.row_floats > 0 && plan->row == NULL) || (plan->sizes.weight_bytes > 0 && plan->weights == NULL) || plan->activations == NULL) {
    rfw_arena_release(arena, start);
    return rfw_fail(diag, RFW_ERR_ARENA, "the arena is too small for the model's buffers");
  }
  if (!per_layer && (s = regenerate_all(pkg, plan, diag)) != RFW_OK) {
    rfw_arena_release(arena, start);
    return s;
  }

  model->pkg = pkg;
  model->mode = mode;
  model->plan = plan;
  model->input_elements = plan->sizes.input_elements;
  model->output_elements = plan->sizes.output_elements;
  model->memory.graph = arena->records[RFW_USE_GRAPH].used + arena->records[RFW_USE_PLAN].used;
  model->memory.weights = per_layer ? plan->sizes.largest_scratch : plan->sizes.weight_bytes;
  model->memory.activations = plan->sizes.activation_bytes;
  model->memory.total = rfw_arena_peak(arena);
  return RFW_OK;
}
