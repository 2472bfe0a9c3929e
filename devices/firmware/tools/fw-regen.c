/*
 * reframe-fw-regen: opens packages with the firmware's decoder, rebuilds their seeded tensors (every
 * tensor with --all) and prints each one's SHA-256 and whether it matches the digest its package records.
 *
 *   reframe-fw-regen [--all] [--json] [--arena N] <package.rfpk>...
 *   reframe-fw-regen --bench [--elements N] [--seconds S]
 *
 * Text output, one line per tensor: "<id> <mode> <dist|dtype> <elements> <sha256> match|MISMATCH".
 * --json prints one JSON object per package instead. --bench times regeneration of an N-element tensor
 * (default 1 Mi) per distribution and prints one JSON line per distribution with weights per second.
 * Exit status: 0 when every package opened and every digest matched, 1 otherwise, 2 for usage errors.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "seed/seed-stream.h"
#include "tools/cli-support.h"

#define SCRATCH_FLOATS 4096

static int usage(void) {
  fprintf(stderr, "usage: reframe-fw-regen [--all] [--json] [--arena N] <package.rfpk>...\n       reframe-fw-regen --bench [--elements N] [--seconds S]\n");
  return 2;
}

static double seconds_of(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int bench(uint64_t elements, double seconds) {
  float *out = (float *)malloc(elements * sizeof(float));
  if (out == NULL) return 2;
  /* A 1 Mi-element tensor, as the studio's seed bench (bench/suites/seed-bench.ts), and its multipliers' magnitude. */
  const rfw_dist dists[3] = {RFW_DIST_UNIFORM, RFW_DIST_NORMAL, RFW_DIST_SIGN};
  const float mults[3] = {1.2e-8f, 2.1e-9f, 0.088f};
  for (int d = 0; d < 3; d++) {
    const rfw_seed_params p = {0x89abcdefu, 0x01234567u, dists[d], mults[d]};
    rfw_regenerate(&p, 0, elements, out); /* warm-up */
    unsigned runs = 0;
    /* Wall time is what a user waits; CPU time says what the code costs on a machine shared with other work. */
    const double start = seconds_of(CLOCK_MONOTONIC), cpu_start = seconds_of(CLOCK_PROCESS_CPUTIME_ID);
    double elapsed = 0;
    float sink = 0;
    do {
      rfw_regenerate(&p, 0, elements, out);
      sink += out[runs % elements];
      runs++;
      elapsed = seconds_of(CLOCK_MONOTONIC) - start;
    } while (elapsed < seconds);
    const double cpu = seconds_of(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
    printf("{\"dist\":\"%s\",\"elements\":%llu,\"runs\":%u,\"seconds\":%.6f,\"cpuSeconds\":%.6f,\"weightsPerSecond\":%.0f,\"cpuWeightsPerSecond\":%.0f,\"check\":%g}\n",
           rfw_dist_name(dists[d]), (unsigned long long)elements, runs, elapsed, cpu, (double)elements * runs / elapsed, (double)elements * runs / cpu, (double)sink);
  }
  free(out);
  return 0;
}

static int regen_file(const char *path, rfw_arena *arena, int all, int json) {
  size_t size = 0;
  uint8_t *bytes = cli_read_file(path, &size);
  if (bytes == NULL) return 2;
  rfw_package pkg;
  rfw_diag diag;
  rfw_arena_reset(arena);
  const rfw_status status = rfw_package_open(&pkg, bytes, size, NULL, arena, &diag);
  if (status != RFW_OK) {
    if (json) {
      printf("{\"file\":");
      cli_print_json_string(stdout, (const uint8_t *)path, strlen(path));
      printf(",\"status\":\"%s\",\"message\":", rfw_status_name(status));
      cli_print_json_string(stdout, (const uint8_t *)diag.text, strlen(diag.text));
      printf("}\n");
    } else {
      printf("%s: package rejected by the %s check: %s\n", path, rfw_status_name(status), diag.text);
    }
    free(bytes);
    return 1;
  }
  static float scratch[SCRATCH_FLOATS];
  int mismatches = 0, printed = 0;
  if (json) {
    printf("{\"file\":");
    cli_print_json_string(stdout, (const uint8_t *)path, strlen(path));
    printf(",\"status\":\"ok\",\"model\":");
    cli_print_json_string(stdout, pkg.model_name.ptr, pkg.model_name.len);
    printf(",\"tensors\":[");
  } else {
    printf("%s: %.*s, %u tensors\n", path, (int)pkg.model_name.len, (const char *)pkg.model_name.ptr, pkg.tensor_count);
  }
  for (uint32_t i = 0; i < pkg.tensor_count; i++) {
    rfw_tensor t;
    rfw_package_tensor(&pkg, i, &t);
    if (!all && t.mode != RFW_MODE_SEEDED) continue;
    uint8_t digest[32] = {0};
    const rfw_status s = rfw_tensor_digest(&t, scratch, SCRATCH_FLOATS, digest);
    const int match = s == RFW_OK && memcmp(digest, t.digest, 32) == 0;
    mismatches += !match;
    const char *kind = t.mode == RFW_MODE_SEEDED ? rfw_dist_name(t.seed.dist) : rfw_dtype_name(t.dtype);
    if (json) {
      printf("%s{\"id\":", printed++ > 0 ? "," : "");
      cli_print_json_string(stdout, t.id.ptr, t.id.len);
      printf(",\"mode\":\"%s\",\"kind\":\"%s\",\"elements\":%llu,\"sha256\":\"", rfw_mode_name(t.mode), kind, (unsigned long long)t.elements);
      cli_print_hex(stdout, digest, 32);
      printf("\",\"match\":%s}", match ? "true" : "false");
    } else {
      printf("%.*s %s %s %llu ", (int)t.id.len, (const char *)t.id.ptr, rfw_mode_name(t.mode), kind, (unsigned long long)t.elements);
      cli_print_hex(stdout, digest, 32);
      printf(" %s\n", match ? "match" : "MISMATCH");
    }
  }
  if (json) printf("],\"arenaBytes\":%llu,\"arenaPeak\":%llu}\n", (unsigned long long)rfw_arena_used(arena), (unsigned long long)rfw_arena_peak(arena));
  free(bytes);
  return mismatches > 0 ? 1 : 0;
}

int main(int argc, char **argv) {
  int all = 0, json = 0, run_bench = 0, first = argc;
  uint64_t arena_bytes = 64u << 20, elements = 1u << 20;
  double seconds = 1.0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (strcmp(a, "--all") == 0) all = 1;
    else if (strcmp(a, "--json") == 0) json = 1;
    else if (strcmp(a, "--bench") == 0) run_bench = 1;
    else if (strcmp(a, "--arena") == 0 && i + 1 < argc) {
      if (cli_parse_size(argv[++i], &arena_bytes) != 0) return usage();
    } else if (strcmp(a, "--elements") == 0 && i + 1 < argc) {
      if (cli_parse_size(argv[++i], &elements) != 0 || elements == 0) return usage();
    } else if (strcmp(a, "--seconds") == 0 && i + 1 < argc) {
      seconds = strtod(argv[++i], NULL);
      if (!(seconds > 0)) return usage();
    } else if (a[0] == '-' && a[1] == '-') {
      return usage();
    } else {
      first = i;
      break;
    }
  }
  if (run_bench) return first == argc ? bench(elements, seconds) : usage();
  if (first == argc) return usage();
  rfw_arena arena;
  if (!cli_arena(&arena, (size_t)arena_bytes)) return 2;
  int result = 0;
  for (int i = first; i < argc; i++) {
    const int r = regen_file(argv[i], &arena, all, json);
    if (r > result) result = r;
  }
  free(arena.base);
  return result;
}
