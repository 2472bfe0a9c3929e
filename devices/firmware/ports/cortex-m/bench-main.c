/*
 * reframe-fw-bench: the bring-up and benchmark program of every Cortex-M port. It needs no protocol and
 * no host but QEMU's semihosting: its options come from QEMU's -append, its output is JSON lines on the
 * semihosting standard output, and it ends with SYS_EXIT (status 0, or 1 when something failed).
 *
 *   --regen N          regenerate N weights of each distribution (default 65536; 0 skips)
 *   --package FILE     read a package (a host path), open it, rebuild every seeded tensor and print its
 *                      SHA-256; last, time regeneration alone (one call per seeded tensor, as the
 *                      executor regenerates)
 *   --input FILE       with --package: run the model on FILE's float32 values (NCHW), one image after
 *                      another when FILE holds several (a multiple of the model's input), and print
 *                      each image's logit bits and instructions
 *   --mode load|layer  the executor's regeneration mode (default load)
 *
 * A package or model too large for the arena gets one `{"fits":false,...}` line saying what did not fit
 * and how many arena bytes it wanted, and the run fails (status 1).
 *
 * Instruction counts are right only under `-icount shift=0` (cm-board.h): the first line checks the
 * clock against a loop of known length, so a run without it is visible in its own output.
 */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "arena/arena.h"
#include "cm-board.h"
#include "common/format.h"
#include "package/package.h"
#include "seed/seed-stream.h"
#include "semihosting.h"
#if RFW_HAVE_MODEL
#include "model/model.h"
#endif

extern uint8_t __arena_start[], __arena_end[], __stack_top[];

#define REGEN_SLICE 2048u
#define DIGEST_SCRATCH 1024u

static int32_t out_handle = -1;

static void emit(const char *fmt, ...) RFW_PRINTF(1, 2);
static void emit(const char *fmt, ...) {
  static char line[1024];
  va_list args;
  va_start(args, fmt);
  size_t n = rfw_vformat(line, sizeof line - 1, fmt, args);
  va_end(args);
  line[n++] = '\n';
  rfw_sh_write(out_handle, line, n);
}

static void hex(char *out, const uint8_t *bytes, size_t n) {
  static const char digits[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 15u];
  }
  out[2 * n] = '\0';
}

/* A JSON string's body: names in packages are UTF-8 without quotes or controls, but be safe. */
static void json_text(char *out, size_t cap, const uint8_t *text, size_t n) {
  size_t o = 0;
  for (size_t i = 0; i < n && o + 2 < cap; i++) out[o++] = text[i] == '"' || text[i] == '\\' || text[i] < 0x20 ? '?' : (char)text[i];
  out[o] = '\0';
}

static const char *json_diag(const rfw_diag *diag) {
  static char text[RFW_DIAG_BYTES];
  json_text(text, sizeof text, (const uint8_t *)diag->text, strlen(diag->text));
  return text;
}

/* The clock check: two spins of known length; their difference cancels the call and timer-read overhead. */
static void calibrate(void) {
  const uint32_t short_loop = 10000u, long_loop = 1010000u;
  uint64_t t0 = rfw_cm_ticks();
  rfw_cm_spin(short_loop);
  uint64_t t1 = rfw_cm_ticks();
  rfw_cm_spin(long_loop);
  uint64_t t2 = rfw_cm_ticks();
  const uint64_t measured = rfw_cm_ticks_to_instructions((t2 - t1) - (t1 - t0));
  emit("{\"calibration\":{\"expectedInstructions\":%llu,\"measuredInstructions\":%llu}}", (unsigned long long)(2ull * (long_loop - short_loop)),
       (unsigned long long)measured);
}

static int regen_bench(uint32_t weights, float *buffer) {
  static const rfw_dist dists[3] = {RFW_DIST_UNIFORM, RFW_DIST_NORMAL, RFW_DIST_SIGN};
  static const float mults[3] = {1.2e-8f, 2.1e-9f, 0.088f}; /* the host bench's multipliers */
  for (int d = 0; d < 3; d++) {
    const rfw_seed_params p = {0x89abcdefu, 0x01234567u, dists[d], mults[d]};
    float sink = 0;
    const uint64_t start = rfw_cm_ticks();
    for (uint32_t at = 0; at < weights; at += REGEN_SLICE) {
      const uint32_t n = weights - at < REGEN_SLICE ? weights - at : REGEN_SLICE;
      if (rfw_regenerate(&p, at, n, buffer) != RFW_OK) return 1;
      sink += buffer[n - 1];
    }
    const uint64_t ticks = rfw_cm_ticks() - start;
    uint32_t sink_bits;
    memcpy(&sink_bits, &sink, sizeof sink_bits);
    emit("{\"regen\":\"%s\",\"weights\":%u,\"slice\":%u,\"instructions\":%llu,\"check\":\"%08x\"}", rfw_dist_name(dists[d]), (unsigned)weights, REGEN_SLICE,
         (unsigned long long)rfw_cm_ticks_to_instructions(ticks), (unsigned)sink_bits);
  }
  return 0;
}

/*
 * A host file into the arena; NULL (with a line saying why) when it cannot be read, or a "fits":false
 * line when it does not fit.
 */
static uint8_t *load_file(const char *path, rfw_arena *arena, size_t *size) {
  const int32_t h = rfw_sh_open(path, RFW_SH_MODE_READ_BINARY);
  const int32_t length = h < 0 ? -1 : rfw_sh_length(h);
  if (length < 0) {
    emit("{\"error\":\"cannot read %s (%s)\"}", path, h < 0 ? "no such file" : "no length");
    if (h >= 0) rfw_sh_close(h);
    return NULL;
  }
  uint8_t *bytes = (uint8_t *)rfw_arena_alloc(arena, (size_t)length + 1, 8, RFW_USE_GRAPH);
  if (bytes == NULL) {
    emit("{\"fits\":false,\"what\":\"package\",\"file\":\"%s\",\"bytes\":%u,\"arenaBytesWanted\":%llu,\"arenaBytes\":%llu}", path, (unsigned)length,
         (unsigned long long)arena->wanted, (unsigned long long)arena->size);
    rfw_sh_close(h);
    return NULL;
  }
  if (rfw_sh_read(h, bytes, (size_t)length) != 0) {
    emit("{\"error\":\"cannot read %s (read failed)\"}", path);
    rfw_sh_close(h);
    return NULL;
  }
  rfw_sh_close(h);
  *size = (size_t)length;
  return bytes;
}

static int package_digests(const rfw_package *pkg, float *scratch) {
  static char id[200], digest_hex[65];
  uint64_t regen_ticks = 0, weights = 0;
  int bad = 0;
  for (uint32_t i = 0; i < pkg->tensor_count; i++) {
    rfw_tensor t;
    rfw_package_tensor(pkg, i, &t);
    if (t.mode != RFW_MODE_SEEDED) continue;
    uint8_t digest[32];
    const uint64_t start = rfw_cm_ticks();
    const rfw_status s = rfw_tensor_digest(&t, scratch, DIGEST_SCRATCH, digest);
    regen_ticks += rfw_cm_ticks() - start;
    weights += t.elements;
    const int match = s == RFW_OK && memcmp(digest, t.digest, 32) == 0;
    bad += !match;
    json_text(id, sizeof id, t.id.ptr, t.id.len);
    hex(digest_hex, digest, 32);
    emit("{\"tensor\":\"%s\",\"dist\":\"%s\",\"elements\":%llu,\"sha256\":\"%s\",\"match\":%s}", id, rfw_dist_name(t.seed.dist), (unsigned long long)t.elements, digest_hex,
         match ? "true" : "false");
  }
  emit("{\"seeded\":{\"weights\":%llu,\"instructions\":%llu,\"note\":\"regeneration and SHA-256 together\"}}", (unsigned long long)weights,
       (unsigned long long)rfw_cm_ticks_to_instructions(regen_ticks));
  return bad > 0;
}

/*
 * Regeneration alone, as the executor does it at load (and per layer, once per inference): one
 * rfw_regenerate per seeded tensor into a buffer of the tensor's size, without the SHA-256 of
 * package_digests or the planning of a model load. A tensor the arena has no room for goes through the
 * scratch in slices (counted in slicedTensors).
 */
static void seeded_regen(const rfw_package *pkg, rfw_arena *arena, float *scratch) {
  uint64_t ticks = 0, weights = 0;
  unsigned tensors = 0, sliced = 0;
  for (uint32_t i = 0; i < pkg->tensor_count; i++) {
    rfw_tensor t;
    rfw_package_tensor(pkg, i, &t);
    if (t.mode != RFW_MODE_SEEDED) continue;
    const size_t mark = rfw_arena_mark(arena);
    const size_t wanted = arena->wanted;
    float *buffer = t.elements <= (uint64_t)(SIZE_MAX / sizeof(float)) ? (float *)rfw_arena_alloc(arena, (size_t)t.elements * sizeof(float), 8, RFW_USE_SCRATCH) : NULL;
    arena->wanted = wanted; /* a tensor that goes in slices is no failure to report */
    const uint64_t start = rfw_cm_ticks();
    if (buffer != NULL) {
      rfw_regenerate(&t.seed, 0, (size_t)t.elements, buffer);
    } else {
      for (uint64_t at = 0; at < t.elements; at += REGEN_SLICE) rfw_regenerate(&t.seed, at, t.elements - at < REGEN_SLICE ? (size_t)(t.elements - at) : REGEN_SLICE, scratch);
      sliced++;
    }
    ticks += rfw_cm_ticks() - start;
    rfw_arena_release(arena, mark);
    weights += t.elements;
    tensors++;
  }
  emit("{\"seededRegen\":{\"tensors\":%u,\"weights\":%llu,\"instructions\":%llu,\"slicedTensors\":%u}}", tensors, (unsigned long long)weights,
       (unsigned long long)rfw_cm_ticks_to_instructions(ticks), sliced);
}

#if RFW_HAVE_MODEL
/*
 * Loads the model once, then runs every image of `input_path` (float32 NCHW, images back to back), read
 * one at a time into the arena through semihosting: the inputs never need room beside the model.
 */
static int run_model(const rfw_package *pkg, rfw_regen_mode mode, const char *input_path, rfw_arena *arena) {
  const int32_t h = rfw_sh_open(input_path, RFW_SH_MODE_READ_BINARY);
  const int32_t length = h < 0 ? -1 : rfw_sh_length(h);
  if (length < 0) {
    emit("{\"error\":\"cannot read %s (%s)\"}", input_path, h < 0 ? "no such file" : "no length");
    if (h >= 0) rfw_sh_close(h);
    return 1;
  }
  const char *mode_name = mode == RFW_REGEN_AT_LOAD ? "load" : "layer";
  rfw_model model;
  rfw_diag diag;
  uint64_t start = rfw_cm_ticks();
  rfw_status s = rfw_model_load(&model, pkg, mode, arena, &diag);
  const uint64_t load_ticks = rfw_cm_ticks() - start;
  if (s == RFW_ERR_ARENA) {
    emit("{\"fits\":false,\"what\":\"model\",\"mode\":\"%s\",\"arenaBytesWanted\":%llu,\"arenaBytes\":%llu,\"message\":\"%s\"}", mode_name,
         (unsigned long long)arena->wanted, (unsigned long long)arena->size, json_diag(&diag));
    rfw_sh_close(h);
    return 1;
  }
  if (s != RFW_OK) {
    emit("{\"error\":\"model load: %s: %s\"}", rfw_status_name(s), json_diag(&diag));
    rfw_sh_close(h);
    return 1;
  }
  const size_t image_bytes = (size_t)model.input_elements * sizeof(float);
  if (length == 0 || (size_t)length % image_bytes != 0) {
    emit("{\"error\":\"the input has %u bytes, not a whole number of images of %u floats (%u bytes)\"}", (unsigned)length, (unsigned)model.input_elements,
         (unsigned)image_bytes);
    rfw_sh_close(h);
    return 1;
  }
  float *logits = (float *)rfw_arena_alloc(arena, model.output_elements * sizeof(float), 8, RFW_USE_SCRATCH);
  float *in = (float *)rfw_arena_alloc(arena, image_bytes, 8, RFW_USE_SCRATCH);
  if (logits == NULL || in == NULL) {
    emit("{\"fits\":false,\"what\":\"input and logits\",\"mode\":\"%s\",\"arenaBytesWanted\":%llu,\"arenaBytes\":%llu}", mode_name,
         (unsigned long long)arena->wanted, (unsigned long long)arena->size);
    rfw_sh_close(h);
    return 1;
  }
  const uint32_t images = (uint32_t)((size_t)length / image_bytes);
  static char bits[16 * 11 + 4];
  for (uint32_t image = 0; image < images; image++) {
    if (rfw_sh_seek(h, (uint32_t)(image * image_bytes)) != 0 || rfw_sh_read(h, in, image_bytes) != 0) {
      emit("{\"error\":\"cannot read image %u of %s\"}", (unsigned)image, input_path);
      rfw_sh_close(h);
      return 1;
    }
    start = rfw_cm_ticks();
    s = rfw_model_infer(&model, in, logits, NULL, NULL, &diag);
    const uint64_t infer_ticks = rfw_cm_ticks() - start;
    if (s != RFW_OK) {
      emit("{\"error\":\"inference of image %u: %s: %s\"}", (unsigned)image, rfw_status_name(s), json_diag(&diag));
      rfw_sh_close(h);
      return 1;
    }
    size_t o = 0;
    for (uint32_t i = 0; i < model.output_elements && o + 12 < sizeof bits; i++) {
      uint32_t b;
      memcpy(&b, &logits[i], sizeof b);
      o += rfw_format(bits + o, sizeof bits - o, "%s\"%08x\"", i > 0 ? "," : "", (unsigned)b);
    }
    emit("{\"infer\":{\"mode\":\"%s\",\"image\":%u,\"loadInstructions\":%llu,\"instructions\":%llu,\"logitBits\":[%s],\"arenaPeak\":%llu,\"memory\":{\"graph\":%llu,\"weights\":%llu,\"activations\":%llu,\"total\":%llu}}}",
         mode_name, (unsigned)image, (unsigned long long)rfw_cm_ticks_to_instructions(load_ticks), (unsigned long long)rfw_cm_ticks_to_instructions(infer_ticks), bits,
         (unsigned long long)rfw_arena_peak(arena), (unsigned long long)model.memory.graph, (unsigned long long)model.memory.weights,
         (unsigned long long)model.memory.activations, (unsigned long long)model.memory.total);
  }
  rfw_sh_close(h);
  return 0;
}
#endif

/* Splits the command line in place; the first word is the program's own name. */
static int words(char *line, char **out, int cap) {
  int n = 0;
  for (char *p = line; *p != '\0' && n < cap;) {
    while (*p == ' ') *p++ = '\0';
    if (*p == '\0') break;
    out[n++] = p;
    while (*p != '\0' && *p != ' ') p++;
  }
  return n;
}

static int parse_count(const char *s, uint32_t *out) {
  uint32_t v = 0;
  if (*s == '\0') return 0;
  for (; *s != '\0'; s++) {
    if (*s < '0' || *s > '9' || v > (UINT32_MAX - 9u) / 10u) return 0;
    v = v * 10u + (uint32_t)(*s - '0');
  }
  *out = v;
  return 1;
}

int main(void) {
  out_handle = rfw_sh_open(":tt", RFW_SH_MODE_WRITE);
  static char command_line[512];
  char *argv[16];
  const int argc = rfw_sh_command_line(command_line, sizeof command_line) == 0 ? words(command_line, argv, 16) : 0;
  uint32_t regen = 65536;
  const char *package_path = NULL, *input_path = NULL;
  int layer_mode = 0;
  for (int i = 1; i < argc; i++) {
    const int has_value = i + 1 < argc;
    if (strcmp(argv[i], "--regen") == 0 && has_value && parse_count(argv[i + 1], &regen)) i++;
    else if (strcmp(argv[i], "--package") == 0 && has_value) package_path = argv[++i];
    else if (strcmp(argv[i], "--input") == 0 && has_value) input_path = argv[++i];
    else if (strcmp(argv[i], "--mode") == 0 && has_value && (strcmp(argv[i + 1], "load") == 0 || strcmp(argv[i + 1], "layer") == 0)) layer_mode = strcmp(argv[++i], "layer") == 0;
    else {
      emit("{\"error\":\"usage: [--regen N] [--package FILE [--input FILE] [--mode load|layer]] (at %s)\"}", argv[i]);
      return 2;
    }
  }

  rfw_arena arena;
  rfw_arena_init(&arena, __arena_start, (size_t)(__arena_end - __arena_start));
  emit("{\"board\":\"%s\",\"clockHz\":%u,\"arenaBytes\":%u,\"model\":%s}", rfw_cm_board_name, (unsigned)rfw_cm_clock_hz, (unsigned)arena.size,
       RFW_HAVE_MODEL ? "true" : "false");
  calibrate();

  int failed = 0;
  float *scratch = (float *)rfw_arena_alloc(&arena, REGEN_SLICE * sizeof(float), 8, RFW_USE_SCRATCH);
  if (scratch == NULL) return 1;
  if (regen > 0) failed |= regen_bench(regen, scratch);
  if (package_path != NULL) {
    size_t size = 0;
    const uint8_t *bytes = load_file(package_path, &arena, &size);
    if (bytes == NULL) return 1;
    rfw_package pkg;
    rfw_diag diag;
    const uint64_t start = rfw_cm_ticks();
    const rfw_status s = rfw_package_open(&pkg, bytes, size, NULL, &arena, &diag);
    const uint64_t open_ticks = rfw_cm_ticks() - start;
    if (s != RFW_OK) {
      emit("{\"package\":\"%s\",\"status\":\"%s\",\"message\":\"%s\"}", package_path, rfw_status_name(s), json_diag(&diag));
      return 1;
    }
    static char name[100];
    json_text(name, sizeof name, pkg.model_name.ptr, pkg.model_name.len);
    emit("{\"package\":\"%s\",\"status\":\"ok\",\"model\":\"%s\",\"bytes\":%u,\"tensors\":%u,\"openInstructions\":%llu}", package_path, name, (unsigned)size,
         (unsigned)pkg.tensor_count, (unsigned long long)rfw_cm_ticks_to_instructions(open_ticks));
    failed |= package_digests(&pkg, scratch);
    if (input_path != NULL) {
#if RFW_HAVE_MODEL
      failed |= run_model(&pkg, layer_mode ? RFW_REGEN_PER_LAYER : RFW_REGEN_AT_LOAD, input_path, &arena);
#else
      (void)layer_mode;
      emit("{\"error\":\"this build has no model executor (src/model/)\"}");
      failed = 1;
#endif
    }
    seeded_regen(&pkg, &arena, scratch);
  }
  emit("{\"stackPeakBytes\":%u,\"stackBytes\":%u}", (unsigned)rfw_cm_stack_peak(), (unsigned)(__stack_top - __arena_end));
  emit("{\"done\":%s}", failed ? "false" : "true");
  return failed;
}
