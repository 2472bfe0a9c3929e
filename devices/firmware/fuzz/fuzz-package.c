/*
 * libFuzzer target for the package decoder and, once a package opens, the tensor rebuild and the
 * executor (load in either regeneration mode, one inference). Built with
 * Debian's clang: `make -C devices/firmware fuzz`, run bounded by test/firmware-fuzz.test.ts.
 *
 * Most mutants of a package die at the CRC or digest checks, which a random byte flip cannot get past.
 * So every input is tried twice: as it is, and resealed — section CRCs and the trailing SHA-256
 * recomputed, as test/support/fuzz/reseal.ts does for the TypeScript fuzzer — so a mutation reaches the
 * graph, tensor table, SPEC and DATA checks behind them. Signed inputs are resealed without their
 * signature block being valid, which is the signature check's business.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena/arena.h"
#include "common/bytes.h"
#include "crypto/crc32c.h"
#include "crypto/sha256.h"
#include "model/model.h"
#include "package/package.h"

#define FUZZ_MAX_BYTES (1u << 20)
#define HEADER_BYTES 32u
#define ENTRY_BYTES 16u
#define DIGEST_BYTES 32u
#define SIGNATURE_BLOCK_BYTES 80u

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t arena_memory[1u << 20];
static uint8_t resealed[FUZZ_MAX_BYTES];
static float scratch[4096];
static float input[1u << 16];
static float logits[1u << 12];

static void try_package(const uint8_t *bytes, size_t size) {
  rfw_arena arena;
  rfw_model model;
  rfw_package pkg;
  rfw_diag diag;
  uint32_t bad = 0;
  rfw_package_options options;
  memset(&options, 0, sizeof options);
  options.max_bytes = FUZZ_MAX_BYTES;
  if (rfw_arena_init(&arena, arena_memory, sizeof arena_memory) != RFW_OK) return;
  if (rfw_package_open(&pkg, bytes, size, &options, &arena, &diag) != RFW_OK) return;
  /* Tensors of an accepted package must rebuild without reading outside it, whatever their digests say. */
  (void)rfw_package_verify_tensors(&pkg, 0, scratch, sizeof scratch / sizeof scratch[0], &bad, &diag);
  /* And an accepted graph must plan, load and run in either mode within the arena it asked for. */
  if (rfw_model_load(&model, &pkg, (size & 1u) ? RFW_REGEN_PER_LAYER : RFW_REGEN_AT_LOAD, &arena, &diag) != RFW_OK) return;
  if (model.input_elements > sizeof input / sizeof input[0] || model.output_elements > sizeof logits / sizeof logits[0]) return;
  (void)rfw_model_infer(&model, input, logits, NULL, NULL, &diag);
}

/* Recomputes the CRC of every directory entry that lies inside the file, and the trailing digest. */
static void reseal(uint8_t *bytes, size_t size) {
  uint32_t count;
  uint32_t i;
  size_t digest_at;
  int is_signed;
  if (size < HEADER_BYTES + DIGEST_BYTES) return;
  count = rfw_u16le(bytes + 12);
  for (i = 0; i < count && HEADER_BYTES + (size_t)(i + 1) * ENTRY_BYTES <= size; i++) {
    uint8_t *entry = bytes + HEADER_BYTES + (size_t)i * ENTRY_BYTES;
    uint32_t offset = rfw_u32le(entry + 4);
    uint32_t length = rfw_u32le(entry + 8);
    if ((size_t)offset + length <= size) rfw_put_u32le(entry + 12, rfw_crc32c(bytes + offset, length));
  }
  is_signed = (rfw_u16le(bytes + 6) & 1u) != 0;
  if (size < DIGEST_BYTES + (is_signed ? SIGNATURE_BLOCK_BYTES : 0u)) return;
  digest_at = size - DIGEST_BYTES - (is_signed ? SIGNATURE_BLOCK_BYTES : 0u);
  rfw_sha256(bytes, digest_at, bytes + digest_at);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size > FUZZ_MAX_BYTES) return -1; /* not added to the corpus */
  try_package(data, size);
  memcpy(resealed, data, size);
  reseal(resealed, size);
  try_package(resealed, size);
  return 0;
}
