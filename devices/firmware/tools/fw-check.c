/*
 * reframe-fw-check: runs the firmware's package decoder on package files and prints, per package, "ok"
 * or the check that refused it, worded as the studio's TypeScript decoder words it:
 *
 *   reframe-fw-check [--trust <key.pub|hex>]... [--require-signature|--optional-signature]
 *                    [--max-bytes N] [--arena N] [--digests] <package.rfpk>...
 *   reframe-fw-check [options] --batch <file>
 *
 * --digests also rebuilds every tensor and compares it with its recorded digest (a board's last step).
 * --batch reads many packages from one file, each a base package with byte runs replaced (the format
 * test/firmware-host.test.ts writes), and prints "<index> <verdict>[ <detail>]" per package; the test
 * suite feeds it the TypeScript fuzz corpus. Exit status: 0 when every package passed, 1 when any was
 * refused, 2 for a usage or I/O error.
 */
#include <stdlib.h>
#include <string.h>

#include "common/bytes.h"
#include "tools/cli-support.h"

#define MAX_KEYS 16
#define SCRATCH_FLOATS 1024

typedef struct settings {
  rfw_package_options options;
  rfw_key keys[MAX_KEYS];
  size_t arena_bytes;
  int digests;
  const char *batch;
} settings;

static int usage(void) {
  fprintf(stderr,
          "usage: reframe-fw-check [--trust <key.pub|64 hex>]... [--require-signature|--optional-signature]\n"
          "                        [--max-bytes N] [--arena N] [--digests] (<package.rfpk>... | --batch <file>)\n");
  return 2;
}

/** The verdict on one package: "ok", a check name, "tensor-digest" or another status name. */
static rfw_status check_one(const settings *s, rfw_arena *arena, const uint8_t *bytes, size_t size, rfw_package *pkg, rfw_diag *diag) {
  rfw_arena_reset(arena);
  rfw_status status = rfw_package_open(pkg, bytes, size, &s->options, arena, diag);
  if (status == RFW_OK && s->digests) {
    static float scratch[SCRATCH_FLOATS];
    status = rfw_package_verify_tensors(pkg, 0, scratch, SCRATCH_FLOATS, NULL, diag);
  }
  return status;
}

static void print_verdict(FILE *f, rfw_status status, const rfw_diag *diag) {
  if (RFW_IS_REJECTION(status)) fprintf(f, "package rejected by the %s check: %s", rfw_status_name(status), diag->text);
  else fprintf(f, "%s: %s", rfw_status_name(status), diag->text);
}

static int check_files(const settings *s, rfw_arena *arena, int count, char **paths) {
  int failures = 0;
  for (int i = 0; i < count; i++) {
    size_t size = 0;
    uint8_t *bytes = cli_read_file(paths[i], &size);
    if (bytes == NULL) return 2;
    rfw_package pkg;
    rfw_diag diag;
    const rfw_status status = check_one(s, arena, bytes, size, &pkg, &diag);
    printf("%s: ", paths[i]);
    if (status == RFW_OK) {
      printf("ok (%.*s: %u nodes, %u tensors, %s%s; arena %llu bytes, peak %llu)\n", (int)pkg.model_name.len, (const char *)pkg.model_name.ptr, pkg.node_count, pkg.tensor_count,
             pkg.is_signed ? (pkg.signature_verified ? "signature verified" : "signed, not verified") : "unsigned", s->digests ? ", every tensor digest matches" : "",
             (unsigned long long)rfw_arena_used(arena), (unsigned long long)rfw_arena_peak(arena));
    } else {
      print_verdict(stdout, status, &diag);
      putchar('\n');
      failures++;
    }
    free(bytes);
  }
  return failures > 0 ? 1 : 0;
}

static int read_u32(FILE *f, uint32_t *v) {
  uint8_t b[4];
  if (fread(b, 1, 4, f) != 4) return 0;
  *v = rfw_u32le(b);
  return 1;
}

/*
 * Batch file: "RFWB", u32 version 1, u32 base count, each base as u32 length + bytes; then records to the
 * end: u32 base index, u32 length, u32 run count, each run as u32 offset, u32 length, bytes. A record's
 * package is its base cut or zero-extended to `length` with the runs written over it.
 */
static int check_batch(const settings *s, rfw_arena *arena) {
  FILE *f = fopen(s->batch, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s\n", s->batch);
    return 2;
  }
  uint8_t magic[4];
  uint32_t version = 0, base_count = 0;
  if (fread(magic, 1, 4, f) != 4 || memcmp(magic, "RFWB", 4) != 0 || !read_u32(f, &version) || version != 1 || !read_u32(f, &base_count) || base_count > 64) {
    fprintf(stderr, "%s is not a batch file (RFWB version 1)\n", s->batch);
    fclose(f);
    return 2;
  }
  uint8_t *bases[64];
  uint32_t base_len[64];
  int status = 0;
  uint32_t loaded = 0;
  for (; loaded < base_count; loaded++) {
    if (!read_u32(f, &base_len[loaded]) || base_len[loaded] > (1u << 28) || (bases[loaded] = (uint8_t *)malloc(base_len[loaded] + 1u)) == NULL ||
        fread(bases[loaded], 1, base_len[loaded], f) != base_len[loaded]) {
      fprintf(stderr, "%s: base %u is truncated\n", s->batch, loaded);
      status = 2;
      break;
    }
  }
  int failures = 0;
  for (uint32_t index = 0; status == 0; index++) {
    uint32_t base, length, runs;
    if (!read_u32(f, &base)) break;
    if (!read_u32(f, &length) || !read_u32(f, &runs) || base >= base_count || length > (1u << 28)) {
      fprintf(stderr, "%s: record %u is malformed\n", s->batch, index);
      status = 2;
      break;
    }
    /* A buffer of exactly the package's size: AddressSanitizer catches any read past its end. */
    uint8_t *bytes = (uint8_t *)malloc(length > 0 ? length : 1);
    if (bytes == NULL) {
      status = 2;
      break;
    }
    const uint32_t keep = length < base_len[base] ? length : base_len[base];
    memcpy(bytes, bases[base], keep);
    memset(bytes + keep, 0, length - keep);
    for (uint32_t r = 0; r < runs && status == 0; r++) {
      uint32_t at, n;
      if (!read_u32(f, &at) || !read_u32(f, &n) || at > length || n > length - at || fread(bytes + at, 1, n, f) != n) {
        fprintf(stderr, "%s: record %u has a bad run\n", s->batch, index);
        status = 2;
      }
    }
    if (status == 0) {
      rfw_package pkg;
      rfw_diag diag;
      const rfw_status verdict = check_one(s, arena, bytes, length, &pkg, &diag);
      printf("%u %s", index, verdict == RFW_OK ? "ok" : rfw_status_name(verdict));
      if (verdict != RFW_OK) {
        printf(" ");
        print_verdict(stdout, verdict, &diag);
        failures++;
      }
      putchar('\n');
    }
    free(bytes);
  }
  for (uint32_t i = 0; i < loaded; i++) free(bases[i]);
  fclose(f);
  return status != 0 ? status : failures > 0 ? 1 : 0;
}

int main(int argc, char **argv) {
  static settings s;
  memset(&s, 0, sizeof s);
  s.arena_bytes = 64u << 20;
  size_t keys = 0;
  int first_file = argc;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    uint64_t v = 0;
    if (strcmp(a, "--trust") == 0 && i + 1 < argc) {
      if (keys == MAX_KEYS || !cli_load_key(argv[++i], &s.keys[keys])) return 2;
      keys++;
      s.options.verify_signatures = 1;
    } else if (strcmp(a, "--require-signature") == 0) {
      s.options.policy = RFW_SIGNATURE_REQUIRED;
    } else if (strcmp(a, "--optional-signature") == 0) {
      s.options.policy = RFW_SIGNATURE_OPTIONAL;
    } else if (strcmp(a, "--max-bytes") == 0 && i + 1 < argc) {
      if (cli_parse_size(argv[++i], &v) != 0 || v > UINT32_MAX) return usage();
      s.options.max_bytes = (uint32_t)v;
    } else if (strcmp(a, "--arena") == 0 && i + 1 < argc) {
      if (cli_parse_size(argv[++i], &v) != 0) return usage();
      s.arena_bytes = (size_t)v;
    } else if (strcmp(a, "--digests") == 0) {
      s.digests = 1;
    } else if (strcmp(a, "--batch") == 0 && i + 1 < argc) {
      s.batch = argv[++i];
    } else if (a[0] == '-' && a[1] == '-') {
      return usage();
    } else {
      first_file = i;
      break;
    }
  }
  s.options.keys = s.keys;
  s.options.key_count = keys;
  if ((s.batch == NULL) == (first_file == argc)) return usage();
  rfw_arena arena;
  if (!cli_arena(&arena, s.arena_bytes)) return 2;
  const int result = s.batch != NULL ? check_batch(&s, &arena) : check_files(&s, &arena, argc - first_file, argv + first_file);
  free(arena.base);
  return result;
}
