/*
 * INFER and BENCH on the active package. The model is loaded into the board's arena on the first
 * INFER or BENCH after the active package changed (regenerating its seeded weights at load when that
 * fits, else per layer), with its input, logits and per-layer timing records beside it. INFER input
 * arrives in parts, in order from offset 0; BENCH times each node through the executor's layer hook.
 */
#include <string.h>

#include "board/board-internal.h"

#define ALIGN_SLACK 64u

static uint32_t elements_of(const rfw_node *n) {
  uint32_t e = 1;
  for (uint8_t i = 0; i < n->rank && i < 3; i++) e *= n->shape[i];
  return e;
}

void board_run_shapes(const rfw_package *pkg, uint32_t *inputs, uint32_t *outputs) {
  rfw_node n;
  *inputs = 0;
  *outputs = 0;
  for (uint32_t i = 0; i < pkg->node_count; i++) {
    rfw_package_node(pkg, i, &n);
    if (n.op == RFW_OP_INPUT) {
      *inputs = elements_of(&n);
      break;
    }
  }
  if (pkg->output_count > 0) {
    rfw_package_node(pkg, rfw_package_output(pkg, 0), &n);
    *outputs = elements_of(&n);
  }
}

size_t board_run_extras(const rfw_package *pkg) {
  uint32_t inputs = 0, outputs = 0;
  board_run_shapes(pkg, &inputs, &outputs);
  return ((size_t)inputs + outputs) * sizeof(float) + (size_t)pkg->node_count * (sizeof(uint64_t) + sizeof(uint32_t)) + 4 * 16;
}

void board_run_unload(rfw_board *b) {
  b->run.loaded = 0;
  b->run.input_open = 0;
}

static rfw_proto_error no_model(rfw_board *b) { return board_error(b, RFW_PE_NO_MODEL, "no model is active on this board: push a package first"); }

/** Loads the active package unless it is loaded already. */
static rfw_proto_error load(rfw_board *b) {
  const rfw_board_slot *active = &b->slots.active;
  if (active->region == RFW_NO_REGION) return no_model(b);
  rfw_board_run *r = &b->run;
  if (r->loaded && memcmp(r->digest, active->digest, 32) == 0) return RFW_PE_NONE;
  board_run_unload(b);
  rfw_arena_reset(&b->arena);
  char d[24];
  /* Checked on every load: storage that rots after the commit must not run a model nobody verified. */
  uint8_t digest[32];
  uint8_t scratch[256];
  if (board_store_hash(active->region, active->size, scratch, sizeof scratch, digest) != RFW_OK || memcmp(digest, active->digest, 32) != 0) {
    return board_error(b, RFW_PE_STORAGE, "the active package no longer matches its digest %s: the board's storage is failing; push the package again", board_short(active->digest, 1, d));
  }
  const uint8_t *bytes = rfw_port_storage_map((rfw_storage_region)active->region);
  if (bytes == NULL) {
    uint8_t *copy = (uint8_t *)rfw_arena_alloc(&b->arena, active->size, 16, RFW_USE_GRAPH);
    if (copy == NULL) return board_error(b, RFW_PE_TOO_LARGE, "the package has %u bytes, more than this board's %u bytes of RAM", (unsigned)active->size, (unsigned)b->arena.size);
    if (rfw_port_storage_read((rfw_storage_region)active->region, 0, copy, active->size) != RFW_OK) return board_error(b, RFW_PE_STORAGE, "the board could not read its storage back");
    bytes = copy;
  }
  const rfw_package_options options = {b->region_bytes, 0, NULL, 0, RFW_SIGNATURE_OPTIONAL};
  rfw_diag diag;
  rfw_status s = rfw_package_open(&r->pkg, bytes, active->size, &options, &b->arena, &diag);
  if (s != RFW_OK) return board_error(b, RFW_PE_INTERNAL, "the active package no longer opens (%s): %s", rfw_status_name(s), diag.text);
  /* Regenerating every seeded tensor once is faster; per layer keeps only one layer's weights in RAM. */
  const size_t extras = board_run_extras(&r->pkg);
  size_t at_load = 0;
  rfw_regen_mode mode = RFW_REGEN_PER_LAYER;
  if (rfw_model_required_bytes(&r->pkg, RFW_REGEN_AT_LOAD, &b->arena, &at_load, &diag) == RFW_OK && b->arena.head + at_load + extras + ALIGN_SLACK <= b->arena.size) mode = RFW_REGEN_AT_LOAD;
  s = rfw_model_load(&r->model, &r->pkg, mode, &b->arena, &diag);
  if (s == RFW_ERR_ARENA) {
    return board_error(b, RFW_PE_TOO_LARGE, "the model needs %llu bytes of RAM, the board has %llu: %s", (unsigned long long)b->arena.wanted, (unsigned long long)b->arena.size, diag.text);
  }
  if (s != RFW_OK) return board_error(b, RFW_PE_INTERNAL, "the model could not be loaded (%s): %s", rfw_status_name(s), diag.text);
  const uint32_t nodes = r->pkg.node_count;
  r->input = (float *)rfw_arena_alloc(&b->arena, (size_t)r->model.input_elements * sizeof(float), 16, RFW_USE_GRAPH);
  r->logits = (float *)rfw_arena_alloc(&b->arena, (size_t)r->model.output_elements * sizeof(float), 16, RFW_USE_GRAPH);
  r->bench_sum = (uint64_t *)rfw_arena_alloc(&b->arena, (size_t)nodes * sizeof(uint64_t), 8, RFW_USE_GRAPH);
  r->bench_node = (uint32_t *)rfw_arena_alloc(&b->arena, (size_t)nodes * sizeof(uint32_t), 4, RFW_USE_GRAPH);
  if (r->input == NULL || r->logits == NULL || r->bench_sum == NULL || r->bench_node == NULL) {
    return board_error(b, RFW_PE_TOO_LARGE, "the model needs %llu bytes of RAM with its input and output, the board has %llu", (unsigned long long)b->arena.wanted,
                       (unsigned long long)b->arena.size);
  }
  r->bench_steps = 0;
  memcpy(r->digest, active->digest, 32);
  r->loaded = 1;
  rfw_port_log(RFW_LOG_INFO, mode == RFW_REGEN_AT_LOAD ? "loaded the active model (regenerated at load)" : "loaded the active model (regenerating per layer)");
  return RFW_PE_NONE;
}

rfw_proto_error board_infer(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint32_t offset = rfw_wire_u32(w);
  const uint32_t total = rfw_wire_u32(w);
  if (w->short_at != 0) return board_wire_end(b, w, RFW_MSG_INFER);
  const size_t n = rfw_wire_remaining(w);
  const uint8_t *bytes = w->p + w->pos;
  if ((uint64_t)offset + n > total) return board_error(b, RFW_PE_BAD_MESSAGE, "INFER part %u+%u runs past its %u-byte input", (unsigned)offset, (unsigned)n, (unsigned)total);
  rfw_proto_error e = load(b);
  if (e != RFW_PE_NONE) return e;
  rfw_board_run *r = &b->run;
  const uint32_t elements = r->model.input_elements;
  if ((uint64_t)total != (uint64_t)elements * 4) {
    r->input_open = 0;
    return board_error(b, RFW_PE_BAD_INPUT, "the model takes %u float32 values (%llu bytes, NCHW order); this input has %u bytes", (unsigned)elements, (unsigned long long)elements * 4,
                       (unsigned)total);
  }
  if (offset == 0) {
    r->input_open = 1;
    r->input_received = 0;
  }
  if (!r->input_open || offset != r->input_received) {
    const uint32_t expected = r->input_open ? r->input_received : 0;
    r->input_open = 0;
    return board_error(b, RFW_PE_BAD_MESSAGE, "INFER part at byte %u, expected %u: send the input again from offset 0", (unsigned)offset, (unsigned)expected);
  }
  memcpy((uint8_t *)r->input + offset, bytes, n);
  r->input_received += (uint32_t)n;
  if (r->input_received < total) {
    board_answer_ack(b, id, r->input_received);
    return RFW_PE_NONE;
  }
  r->input_open = 0;
  /* The wire is little-endian; this is a no-op on little-endian boards. */
  for (uint32_t i = 0; i < elements; i++) r->input[i] = rfw_f32le((const uint8_t *)&r->input[i]);
  rfw_diag diag;
  const uint32_t start = rfw_port_micros();
  const rfw_status s = rfw_model_infer(&r->model, r->input, r->logits, NULL, NULL, &diag);
  const uint32_t micros = rfw_port_micros() - start;
  if (s != RFW_OK) return board_error(b, RFW_PE_INTERNAL, "inference failed (%s): %s", rfw_status_name(s), diag.text);
  board_answer_result(b, id, micros);
  return RFW_PE_NONE;
}

static void time_layer(void *context, uint32_t step, uint32_t node_index, uint32_t micros) {
  rfw_board_run *r = (rfw_board_run *)context;
  if (step >= r->pkg.node_count) return;
  r->bench_sum[step] += micros;
  r->bench_node[step] = node_index;
  if (step + 1 > r->bench_steps) r->bench_steps = step + 1;
}

rfw_proto_error board_bench(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint16_t runs = rfw_wire_u16(w);
  rfw_proto_error e = board_wire_end(b, w, RFW_MSG_BENCH);
  if (e != RFW_PE_NONE) return e;
  if (runs == 0) return board_error(b, RFW_PE_BAD_MESSAGE, "BENCH asks for 0 runs; ask for at least 1");
  e = load(b);
  if (e != RFW_PE_NONE) return e;
  rfw_board_run *r = &b->run;
  r->input_open = 0;
  /* Any input does: the time of a float network hardly depends on the values. */
  for (uint32_t i = 0; i < r->model.input_elements; i++) r->input[i] = (float)((int)(i % 17u) - 8) / 8.0f;
  rfw_diag diag;
  rfw_status s = rfw_model_infer(&r->model, r->input, r->logits, NULL, NULL, &diag); /* once unmeasured */
  memset(r->bench_sum, 0, (size_t)r->pkg.node_count * sizeof(uint64_t));
  r->bench_steps = 0;
  uint64_t elapsed_us = 0;
  uint16_t done = 0;
  while (s == RFW_OK && done < runs) {
    const uint32_t start = rfw_port_micros();
    s = rfw_model_infer(&r->model, r->input, r->logits, time_layer, r, &diag);
    elapsed_us += (uint32_t)(rfw_port_micros() - start);
    done++;
    if (elapsed_us > (uint64_t)b->config.bench_budget_ms * 1000u) break;
    board_service(b);
  }
  if (s != RFW_OK) return board_error(b, RFW_PE_INTERNAL, "inference failed (%s): %s", rfw_status_name(s), diag.text);
  board_answer_bench(b, id, done);
  return RFW_PE_NONE;
}
