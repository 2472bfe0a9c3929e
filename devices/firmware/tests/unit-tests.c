/*
 * Unit tests of the firmware's building blocks, with known answers from their references: Philox
 * (DESIGN.md §5), the seed streams' worked example, SHA-256 (FIPS 180-4 examples), CRC-32C (the check
 * value of RFC 3720), UTF-8, the JSON scanner, the arena and the formatter. test/firmware-host.test.ts
 * builds and runs this program; it prints one line per group and exits 1 if any check failed.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "arena/arena.h"
#include "common/bytes.h"
#include "common/format.h"
#include "common/utf8.h"
#include "crypto/crc32c.h"
#include "crypto/sha256.h"
#include "package/json-scan.h"
#include "seed/philox.h"
#include "seed/seed-stream.h"

static int checks = 0, failures = 0;

#define CHECK(cond)                                                   \
  do {                                                                \
    checks++;                                                         \
    if (!(cond)) {                                                    \
      failures++;                                                     \
      fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                 \
  } while (0)

static void group(const char *name, void (*fn)(void)) {
  const int before = failures, checks_before = checks;
  fn();
  printf("%s %s (%d checks)\n", failures == before ? "ok" : "FAILED", name, checks - checks_before);
}

static void test_philox_known_answers(void) {
  const uint32_t zero_ctr[4] = {0, 0, 0, 0}, zero_key[2] = {0, 0};
  const uint32_t ones_ctr[4] = {0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu}, ones_key[2] = {0xffffffffu, 0xffffffffu};
  const uint32_t pi_ctr[4] = {0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u}, pi_key[2] = {0xa4093822u, 0x299f31d0u};
  const uint32_t want[3][4] = {{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u},
                               {0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu},
                               {0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u}};
  uint32_t out[4];
  rfw_philox4x32_10(zero_ctr, zero_key, out);
  CHECK(memcmp(out, want[0], sizeof out) == 0);
  rfw_philox4x32_10(ones_ctr, ones_key, out);
  CHECK(memcmp(out, want[1], sizeof out) == 0);
  rfw_philox4x32_10(pi_ctr, pi_key, out);
  CHECK(memcmp(out, want[2], sizeof out) == 0);
}

static const uint32_t SEED_KEY[2] = {0x89abcdefu, 0x01234567u}; /* seed 0x0123456789ABCDEF */

static void test_stream_words(void) {
  const uint32_t want[6] = {0xb850222eu, 0xc58cb04bu, 0x14a7a020u, 0x7a84fff9u, 0xadca1466u, 0x523e0d85u};
  uint32_t words[6];
  CHECK(rfw_philox_words(SEED_KEY, 0, 6, words) == RFW_OK);
  CHECK(memcmp(words, want, sizeof words) == 0);
  /* Any start, not only multiples of 4, gives the same words. */
  uint32_t all[64], part[40];
  rfw_philox_words(SEED_KEY, 0, 64, all);
  for (uint64_t start = 0; start < 20; start++) {
    rfw_philox_words(SEED_KEY, start, 40, part);
    CHECK(memcmp(part, all + start, sizeof part) == 0);
  }
  /* Word j of block 2^32 lives at counter (0, 1): the high counter word carries. */
  uint32_t block[4], direct[4];
  const uint32_t ctr[4] = {0, 1, 0, 0};
  rfw_philox_block(SEED_KEY, 1ull << 32, block);
  rfw_philox4x32_10(ctr, SEED_KEY, direct);
  CHECK(memcmp(block, direct, sizeof block) == 0);
  CHECK(rfw_philox_words(SEED_KEY, UINT64_MAX, 2, words) == RFW_ERR_RANGE);
}

static void test_worked_example(void) {
  float out[8];
  rfw_seed_params uniform = {SEED_KEY[0], SEED_KEY[1], RFW_DIST_UNIFORM, rfw_f32_from_bits(0x33715befu)};
  CHECK(uniform.mult == (float)(sqrt(6.0 / 27) * 0x1p-23));
  CHECK(rfw_regenerate(&uniform, 0, 4, out) == RFW_OK);
  CHECK(out[0] == (float)-0.26401224732398987 && out[1] == (float)-0.21526406705379486);
  CHECK(out[2] == (float)0.07606843113899231 && out[3] == (float)0.45122072100639343);
  rfw_seed_params normal = {SEED_KEY[0], SEED_KEY[1], RFW_DIST_NORMAL, (float)(sqrt(2.0 / 27) * sqrt(3) * 0x1p-24)};
  CHECK(rfw_regenerate(&normal, 0, 4, out) == RFW_OK);
  CHECK(out[0] == (float)0.024006422609090805 && out[1] == (float)0.04397880285978317);
  CHECK(out[2] == (float)-0.05056191608309746 && out[3] == (float)0.09261379390954971);
  const float m = (float)sqrt(2.0 / 27);
  rfw_seed_params sign = {SEED_KEY[0], SEED_KEY[1], RFW_DIST_SIGN, m};
  CHECK(rfw_regenerate(&sign, 0, 8, out) == RFW_OK);
  const float want[8] = {-m, m, m, m, -m, m, -m, -m};
  CHECK(memcmp(out, want, sizeof want) == 0);
}

/* A slice of a tensor is the same slice of the whole, for every distribution, start and length. */
static void test_ranges(void) {
  static float whole[5000], part[300];
  for (int d = 0; d < 3; d++) {
    rfw_seed_params p = {0xdeadbeefu, 0xfedcba98u, (rfw_dist)d, 0.25f};
    rfw_regenerate(&p, 0, 5000, whole);
    const uint64_t starts[] = {0, 1, 2, 3, 5, 31, 32, 33, 127, 128, 129, 4095, 4096 - 37, 4700};
    for (size_t s = 0; s < sizeof starts / sizeof starts[0]; s++) {
      for (size_t count = 1; count <= 300 && starts[s] + count <= 5000; count += 37) {
        rfw_regenerate(&p, starts[s], count, part);
        CHECK(memcmp(part, whole + starts[s], count * sizeof(float)) == 0);
      }
    }
  }
  /* Across the carry of the block counter's low word (block 2^32 - 1 to 2^32), against single words. */
  {
    const float mult = 0x1p-20f;
    rfw_seed_params u = {0x01234567u, 0x89abcdefu, RFW_DIST_UNIFORM, mult}, n = u, g = u;
    n.dist = RFW_DIST_NORMAL;
    g.dist = RFW_DIST_SIGN;
    const uint64_t ustart = 4 * ((1ull << 32) - 5) + 1, nstart = (1ull << 32) - 7;
    uint32_t words[80];
    const uint32_t key[2] = {u.seed_lo, u.seed_hi};
    rfw_regenerate(&u, ustart, 70, part);
    rfw_philox_words(key, ustart, 70, words);
    for (int i = 0; i < 70; i++) CHECK(part[i] == (float)((int32_t)(words[i] >> 8) - (int32_t)((words[i] >> 31) << 24)) * mult);
    rfw_regenerate(&n, nstart, 17, part);
    rfw_philox_words(key, 4 * nstart, 68, words);
    for (int i = 0; i < 17; i++) {
      const uint32_t *w = words + 4 * i;
      CHECK(part[i] == (float)((int32_t)((w[0] >> 8) + (w[1] >> 8) + (w[2] >> 8) + (w[3] >> 8)) - 0x2000000) * mult);
    }
    const uint64_t gstart = 32 * (4 * ((1ull << 32) - 1)) + 7;
    rfw_regenerate(&g, gstart, 200, part);
    rfw_philox_words(key, gstart / 32, 8, words);
    for (int i = 0; i < 200; i++) {
      const uint64_t e = gstart + (uint64_t)i;
      CHECK(part[i] == (((words[e / 32 - gstart / 32] >> (e % 32)) & 1u) ? mult : -mult));
    }
  }
  rfw_seed_params bad = {1, 2, (rfw_dist)7, 1.0f};
  CHECK(rfw_regenerate(&bad, 0, 4, part) == RFW_ERR_ARGUMENT);
  rfw_seed_params ok = {1, 2, RFW_DIST_UNIFORM, 1.0f};
  CHECK(rfw_regenerate(&ok, 1ull << 53, 1, part) == RFW_ERR_RANGE);
  CHECK(rfw_regenerate(&ok, 0, 0, NULL) == RFW_OK);
}

static int sha_is(const void *data, size_t len, const char *hex) {
  uint8_t d[32];
  char text[65];
  rfw_sha256(data, len, d);
  for (int i = 0; i < 32; i++) rfw_format(text + 2 * i, 3, "%02x", d[i]);
  return strcmp(text, hex) == 0;
}

static void test_sha256(void) {
  CHECK(sha_is("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(sha_is("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
  const char *m448 = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(sha_is(m448, strlen(m448), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"));
  const char *m896 = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
  CHECK(sha_is(m896, strlen(m896), "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"));
  /* One million 'a', fed in uneven pieces through the incremental interface. */
  static uint8_t a[1000];
  memset(a, 'a', sizeof a);
  rfw_sha256_ctx ctx;
  rfw_sha256_init(&ctx);
  size_t fed = 0;
  for (size_t piece = 1; fed < 1000000; piece = piece % 997 + 1) {
    const size_t n = 1000000 - fed < piece ? 1000000 - fed : piece;
    rfw_sha256_update(&ctx, a, n);
    fed += n;
  }
  uint8_t d[32];
  rfw_sha256_final(&ctx, d);
  const uint8_t want[32] = {0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7, 0xe2, 0x84, 0xd7, 0x3e, 0x67,
                            0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97, 0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
  CHECK(memcmp(d, want, 32) == 0);
  /* Lengths around the padding boundary (55, 56, 63, 64 bytes) agree between one call and byte-wise. */
  for (size_t len = 50; len <= 130; len++) {
    uint8_t one[32], many[32];
    rfw_sha256(a, len, one);
    rfw_sha256_init(&ctx);
    for (size_t i = 0; i < len; i++) rfw_sha256_update(&ctx, a + i, 1);
    rfw_sha256_final(&ctx, many);
    CHECK(memcmp(one, many, 32) == 0);
  }
}

static void test_crc32c(void) {
  CHECK(rfw_crc32c((const uint8_t *)"123456789", 9) == 0xe3069283u);
  CHECK(rfw_crc32c(NULL, 0) == 0);
  static uint8_t zeros[32];
  CHECK(rfw_crc32c(zeros, 32) == 0x8a9136aau); /* RFC 3720 B.4: 32 bytes of zeros */
  const uint32_t first = rfw_crc32c_update(0, (const uint8_t *)"12345", 5);
  CHECK(rfw_crc32c_update(first, (const uint8_t *)"6789", 4) == 0xe3069283u);
}

static void test_utf8(void) {
  CHECK(rfw_utf8_valid((const uint8_t *)"plain", 5));
  CHECK(rfw_utf8_valid((const uint8_t *)"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9));
  CHECK(!rfw_utf8_valid((const uint8_t *)"\xc0\xaf", 2));         /* overlong */
  CHECK(!rfw_utf8_valid((const uint8_t *)"\xed\xa0\x80", 3));     /* surrogate */
  CHECK(!rfw_utf8_valid((const uint8_t *)"\xf4\x90\x80\x80", 4)); /* above U+10FFFF */
  CHECK(!rfw_utf8_valid((const uint8_t *)"\xe2\x82", 2));         /* truncated */
  CHECK(!rfw_utf8_valid((const uint8_t *)"\x80", 1));
}

static int json_ok(const char *text) {
  rfw_json j = {(const uint8_t *)text, strlen(text)};
  size_t root;
  return rfw_json_check(&j, &root);
}

static void test_json(void) {
  CHECK(json_ok("{\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}}"));
  CHECK(json_ok(" \t\r\n[]\n"));
  CHECK(json_ok("\xEF\xBB\xBF{}"));
  CHECK(!json_ok(""));
  CHECK(!json_ok("[1,]"));
  CHECK(!json_ok("{\"a\":1,}"));
  CHECK(!json_ok("01"));
  CHECK(!json_ok("1."));
  CHECK(!json_ok("[\"tab\there\"]"));
  CHECK(!json_ok("// c\n{}"));
  CHECK(!json_ok("{} {}"));
  CHECK(!json_ok("[\"\\x\"]"));
  CHECK(!json_ok("truex"));
  char deep[200];
  memset(deep, '[', 64);
  memset(deep + 64, ']', 64);
  deep[128] = '\0';
  CHECK(json_ok(deep));
  memset(deep, '[', 65);
  memset(deep + 65, ']', 65);
  deep[130] = '\0';
  CHECK(!json_ok(deep));
  const char *text = "{\"name\": \"l\\u0061yer\\/1\", \"n\": 1e-5, \"s\": \"\\ud83d\\ude00\", \"lone\": \"\\ud800\"}";
  rfw_json j = {(const uint8_t *)text, strlen(text)};
  size_t root, cursor, key, value;
  CHECK(rfw_json_check(&j, &root));
  cursor = root;
  CHECK(rfw_json_next(&j, &cursor, &key, &value) && rfw_json_string_lit(&j, key, "name") && rfw_json_string_lit(&j, value, "layer/1"));
  CHECK(rfw_json_next(&j, &cursor, &key, &value) && rfw_json_number(&j, value) == 1e-5);
  CHECK(rfw_json_next(&j, &cursor, &key, &value) && rfw_json_string_is(&j, value, (const uint8_t *)"\xf0\x9f\x98\x80", 4));
  CHECK(rfw_json_next(&j, &cursor, &key, &value) && !rfw_json_string_is(&j, value, (const uint8_t *)"\xed\xa0\x80", 3));
  CHECK(!rfw_json_next(&j, &cursor, &key, &value));
}

static void test_arena(void) {
  static uint8_t buffer[256];
  rfw_arena a;
  CHECK(rfw_arena_init(&a, buffer + 1, 200) == RFW_OK);
  uint8_t *x = (uint8_t *)rfw_arena_alloc(&a, 3, 1, RFW_USE_GRAPH);
  uint32_t *y = (uint32_t *)rfw_arena_alloc(&a, 16, 8, RFW_USE_GRAPH);
  CHECK(x == buffer + 1 && y != NULL && ((uintptr_t)y & 7) == 0);
  CHECK(a.records[RFW_USE_GRAPH].count == 2 && a.records[RFW_USE_GRAPH].requested == 19 && a.records[RFW_USE_GRAPH].used == rfw_arena_used(&a));
  const size_t mark = rfw_arena_mark(&a);
  CHECK(rfw_arena_alloc(&a, 100, 4, RFW_USE_SCRATCH) != NULL);
  const size_t peak = rfw_arena_peak(&a);
  rfw_arena_release(&a, mark);
  CHECK(rfw_arena_used(&a) == mark && rfw_arena_peak(&a) == peak);
  CHECK(rfw_arena_alloc(&a, 1000, 4, RFW_USE_SCRATCH) == NULL && a.wanted >= 1000 + mark);
  CHECK(rfw_arena_alloc(&a, 8, 3, RFW_USE_SCRATCH) == NULL); /* not a power of two */
}

static void test_format(void) {
  char out[64];
  rfw_format(out, sizeof out, "%s=%u %x %08x %d %llu [%.*s] %c%%", "k", 42u, 255u, 0xabu, -7, 1ull << 40, 3, "abcdef", 'z');
  CHECK(strcmp(out, "k=42 ff 000000ab -7 1099511627776 [abc] z%") == 0);
  char tiny[4];
  CHECK(rfw_format(tiny, sizeof tiny, "%s", "truncated") == 3 && strcmp(tiny, "tru") == 0);
}

int main(void) {
  group("philox known answers (DESIGN.md §5)", test_philox_known_answers);
  group("stream words", test_stream_words);
  group("worked example (DESIGN.md §5)", test_worked_example);
  group("regenerate ranges", test_ranges);
  group("sha256 (FIPS 180-4 examples)", test_sha256);
  group("crc32c", test_crc32c);
  group("utf8", test_utf8);
  group("json scanner", test_json);
  group("arena", test_arena);
  group("format", test_format);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
