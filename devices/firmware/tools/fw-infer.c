/*
 * reframe-fw-infer: runs a package's model on float32 inputs with the firmware's executor and prints the
 * logits and what the arena recorded, as one JSON object.
 *
 *   reframe-fw-infer [--mode at-load|per-layer] [--arena N] [--repeat N] [--layers] [--misalign] <package.rfpk> <inputs.f32>
 *
 * inputs.f32 holds whole inputs, one after another, each the model's input_elements little-endian
 * float32 values in NCHW order. Without --arena the arena is sized from rfw_model_required_bytes: the
 * package is opened in a probe arena, measured, then opened again in an arena of exactly what it needs
 * (so a wrong measurement fails the load). --repeat runs every input N times for the timing; --layers
 * adds each node's mean microseconds; --misalign places the package one byte
 * past an aligned address, so its float32 data is read through rfw_tensor_read instead of in place. Output: {"model", "mode", "images", "inputElements",
 * "outputElements", "logits": [[...], ...], "requiredBytes", "memory": {...}, "arena": {"size", "used",
 * "peak", "records": {use: {"count", "requested", "used"}}}, "microsPerImage"}; on failure
 * {"status", "message", "wanted"} and exit status 1. Usage errors exit with 2.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/bytes.h"
#include "model/model.h"
#include "tools/cli-support.h"

#define PROBE_ARENA_BYTES (8u << 20)

static int usage(void) {
  fprintf(stderr, "usage: reframe-fw-infer [--mode at-load|per-layer] [--arena N] [--repeat N] [--layers] [--misalign] <package.rfpk> <inputs.f32>\n");
  return 2;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int fail(const char *stage, rfw_status s, const rfw_diag *diag, const rfw_arena *arena) {
  printf("{\"status\":\"%s\",\"stage\":\"%s\",\"message\":", rfw_status_name(s), stage);
  cli_print_json_string(stdout, (const uint8_t *)diag->text, strlen(diag->text));
  printf(",\"wanted\":%llu,\"arenaSize\":%llu}\n", (unsigned long long)arena->wanted, (unsigned long long)arena->size);
  return 1;
}

typedef struct layer_times {
  double *micros;
} layer_times;

static void on_layer(void *context, uint32_t step, uint32_t node_index, uint32_t micros) {
  (void)step;
  ((layer_times *)context)->micros[node_index] += micros;
}

static void print_record(const char *name, const rfw_arena_record *r, int last) {
  printf("\"%s\":{\"count\":%u,\"requested\":%llu,\"used\":%llu}%s", name, r->count, (unsigned long long)r->requested, (unsigned long long)r->used, last ? "" : ",");
}

typedef struct settings {
  rfw_regen_mode mode;
  uint64_t arena_bytes; /* 0: from rfw_model_required_bytes */
  uint64_t repeat;
  int layers;
} settings;

/** Everything main allocates, freed on every way out. */
typedef struct owned {
  uint8_t *file, *inputs_file, *shifted;
  void *probe, *arena;
  float *inputs, *logits;
  double *layer_micros;
} owned;

static void release(owned *o) {
  free(o->file);
  free(o->inputs_file);
  free(o->shifted);
  free(o->probe);
  free(o->arena);
  free(o->inputs);
  free(o->logits);
  free(o->layer_micros);
}

/** The arena a model needs after its package's index, measured in a probe arena that is then freed. */
static int measure(const settings *st, const uint8_t *package, size_t size, owned *o, size_t *required, size_t *arena_bytes) {
  rfw_package pkg;
  rfw_diag diag;
  rfw_arena probe;
  rfw_status s;
  if (!cli_arena(&probe, PROBE_ARENA_BYTES)) return 2;
  o->probe = probe.base;
  if ((s = rfw_package_open(&pkg, package, size, NULL, &probe, &diag)) != RFW_OK) return fail("open", s, &diag, &probe);
  if ((s = rfw_model_required_bytes(&pkg, st->mode, &probe, required, &diag)) != RFW_OK) return fail("measure", s, &diag, &probe);
  /* The model starts at the next 16-byte boundary after the package's index (malloc's buffers are 16-byte aligned). */
  const size_t model_start = (rfw_arena_used(&probe) + 15) & ~(size_t)15;
  *arena_bytes = st->arena_bytes != 0 ? (size_t)st->arena_bytes : model_start + *required > rfw_arena_peak(&probe) ? model_start + *required : rfw_arena_peak(&probe);
  return 0;
}

static void print_report(const settings *st, const rfw_package *pkg, const rfw_model *model, const rfw_arena *arena, size_t required, size_t images, const float *logits, double seconds, const double *layer_micros) {
  printf("{\"model\":");
  cli_print_json_string(stdout, pkg->model_name.ptr, pkg->model_name.len);
  printf(",\"mode\":\"%s\",\"images\":%llu,\"inputElements\":%u,\"outputElements\":%u,\"logits\":[", st->mode == RFW_REGEN_AT_LOAD ? "at-load" : "per-layer", (unsigned long long)images,
         model->input_elements, model->output_elements);
  for (size_t i = 0; i < images; i++) {
    printf("%s[", i > 0 ? "," : "");
    for (uint32_t k = 0; k < model->output_elements; k++) printf("%s%.9g", k > 0 ? "," : "", (double)logits[i * model->output_elements + k]);
    printf("]");
  }
  printf("],\"requiredBytes\":%llu,\"memory\":{\"graph\":%llu,\"weights\":%llu,\"activations\":%llu,\"total\":%llu}", (unsigned long long)required, (unsigned long long)model->memory.graph,
         (unsigned long long)model->memory.weights, (unsigned long long)model->memory.activations, (unsigned long long)rfw_arena_peak(arena));
  printf(",\"arena\":{\"size\":%llu,\"used\":%llu,\"peak\":%llu,\"records\":{", (unsigned long long)arena->size, (unsigned long long)rfw_arena_used(arena), (unsigned long long)rfw_arena_peak(arena));
  print_record("graph", &arena->records[RFW_USE_GRAPH], 0);
  print_record("scratch", &arena->records[RFW_USE_SCRATCH], 0);
  print_record("plan", &arena->records[RFW_USE_PLAN], 0);
  print_record("weights", &arena->records[RFW_USE_WEIGHTS], 0);
  print_record("activations", &arena->records[RFW_USE_ACTIVATIONS], 1);
  printf("}},\"microsPerImage\":%.1f", seconds * 1e6 / (double)(images * st->repeat));
  if (layer_micros != NULL) {
    printf(",\"layerMicros\":[");
    for (uint32_t i = 0; i < pkg->node_count; i++) printf("%s%.1f", i > 0 ? "," : "", layer_micros[i] / (double)(images * st->repeat));
    printf("]");
  }
  printf("}\n");
}

static int infer(const settings *st, const uint8_t *package, size_t size, const uint8_t *input_bytes, size_t input_size, const char *input_path, owned *o) {
  size_t required = 0, arena_bytes = 0;
  int code = measure(st, package, size, o, &required, &arena_bytes);
  if (code != 0) return code;
  rfw_package pkg;
  rfw_diag diag;
  rfw_arena arena;
  rfw_status s;
  if (!cli_arena(&arena, arena_bytes)) return 2;
  o->arena = arena.base;
  if ((s = rfw_package_open(&pkg, package, size, NULL, &arena, &diag)) != RFW_OK) return fail("open", s, &diag, &arena);
  rfw_model model;
  if ((s = rfw_model_load(&model, &pkg, st->mode, &arena, &diag)) != RFW_OK) return fail("load", s, &diag, &arena);

  const size_t per_input = (size_t)model.input_elements * sizeof(float);
  if (input_size == 0 || input_size % per_input != 0) {
    fprintf(stderr, "%s has %llu bytes, not a whole number of %u-float inputs\n", input_path, (unsigned long long)input_size, model.input_elements);
    return 2;
  }
  const size_t images = input_size / per_input;
  o->inputs = (float *)malloc(input_size);
  o->logits = (float *)malloc(images * model.output_elements * sizeof(float));
  o->layer_micros = (double *)calloc(pkg.node_count, sizeof(double));
  if (o->inputs == NULL || o->logits == NULL || o->layer_micros == NULL) return 2;
  for (size_t i = 0; i < input_size / sizeof(float); i++) o->inputs[i] = rfw_f32le(input_bytes + 4 * i);

  layer_times times = {o->layer_micros};
  const double start = now();
  for (uint64_t r = 0; r < st->repeat; r++) {
    for (size_t i = 0; i < images; i++) {
      s = rfw_model_infer(&model, o->inputs + i * model.input_elements, o->logits + i * model.output_elements, st->layers ? on_layer : NULL, &times, &diag);
      if (s != RFW_OK) return fail("infer", s, &diag, &arena);
    }
  }
  print_report(st, &pkg, &model, &arena, required, images, o->logits, now() - start, st->layers ? o->layer_micros : NULL);
  return 0;
}

int main(int argc, char **argv) {
  settings st = {RFW_REGEN_AT_LOAD, 0, 1, 0};
  int misalign = 0, a = 1;
  for (; a < argc && strncmp(argv[a], "--", 2) == 0; a++) {
    if (strcmp(argv[a], "--mode") == 0 && a + 1 < argc) {
      const char *m = argv[++a];
      if (strcmp(m, "at-load") == 0) st.mode = RFW_REGEN_AT_LOAD;
      else if (strcmp(m, "per-layer") == 0) st.mode = RFW_REGEN_PER_LAYER;
      else return usage();
    } else if (strcmp(argv[a], "--arena") == 0 && a + 1 < argc) {
      if (cli_parse_size(argv[++a], &st.arena_bytes) != 0 || st.arena_bytes == 0) return usage();
    } else if (strcmp(argv[a], "--repeat") == 0 && a + 1 < argc) {
      if (cli_parse_size(argv[++a], &st.repeat) != 0 || st.repeat == 0) return usage();
    } else if (strcmp(argv[a], "--layers") == 0) {
      st.layers = 1;
    } else if (strcmp(argv[a], "--misalign") == 0) {
      misalign = 1;
    } else {
      return usage();
    }
  }
  if (argc - a != 2) return usage();
  owned o;
  memset(&o, 0, sizeof o);
  size_t size = 0, input_size = 0;
  int code = 2;
  o.file = cli_read_file(argv[a], &size);
  if (o.file != NULL) o.inputs_file = cli_read_file(argv[a + 1], &input_size);
  if (o.inputs_file != NULL && misalign) o.shifted = (uint8_t *)malloc(size + 1);
  if (o.inputs_file != NULL && (!misalign || o.shifted != NULL)) {
    if (misalign) memcpy(o.shifted + 1, o.file, size);
    code = infer(&st, misalign ? o.shifted + 1 : o.file, size, o.inputs_file, input_size, argv[a + 1], &o);
  }
  release(&o);
  return code;
}
