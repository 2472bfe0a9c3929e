/*
 * The state region: the slot record (which package region is active, which previous, and the digest
 * and size of each) and the upload's resume record (region, digest, size, contiguous offset). Each is
 * kept as two copies with a sequence number and a CRC-32C; a save writes the older copy and syncs, so
 * a power cut mid-write leaves the other copy, the old record, intact.
 */
#include <string.h>

#include "board/board-internal.h"
#include "crypto/crc32c.h"
#include "crypto/sha256.h"

#define COPY_BYTES 128u
#define SLOTS_AT 0u
#define UPLOAD_AT 256u
#define SLOTS_RECORD 88u
#define UPLOAD_RECORD 56u
static const uint8_t SLOTS_MAGIC[4] = {'R', 'F', 'S', 'L'};
static const uint8_t UPLOAD_MAGIC[4] = {'R', 'F', 'U', 'P'};

static void put_slot(uint8_t *p, const rfw_board_slot *s) {
  rfw_put_u32le(p, s->region == RFW_NO_REGION ? 0 : s->size);
  memcpy(p + 4, s->digest, 32);
}

static void encode_slots(const rfw_board_slots *s, uint8_t out[SLOTS_RECORD]) {
  memset(out, 0, SLOTS_RECORD);
  memcpy(out, SLOTS_MAGIC, 4);
  rfw_put_u32le(out + 4, s->seq);
  out[8] = s->active.region;
  out[9] = s->previous.region;
  put_slot(out + 12, &s->active);
  put_slot(out + 48, &s->previous);
  rfw_put_u32le(out + 84, rfw_crc32c(out, 84));
}

static int decode_slots(const uint8_t in[SLOTS_RECORD], rfw_board_slots *s) {
  if (memcmp(in, SLOTS_MAGIC, 4) != 0 || rfw_u32le(in + 84) != rfw_crc32c(in, 84)) return 0;
  s->seq = rfw_u32le(in + 4);
  s->active.region = in[8];
  s->previous.region = in[9];
  s->active.size = rfw_u32le(in + 12);
  memcpy(s->active.digest, in + 16, 32);
  s->previous.size = rfw_u32le(in + 48);
  memcpy(s->previous.digest, in + 52, 32);
  return 1;
}

static void encode_upload(const rfw_board_upload *u, uint32_t seq, uint8_t out[UPLOAD_RECORD]) {
  memset(out, 0, UPLOAD_RECORD);
  memcpy(out, UPLOAD_MAGIC, 4);
  rfw_put_u32le(out + 4, seq);
  if (u->present) {
    out[8] = 1;
    out[9] = u->region;
    out[10] = u->kind;
    rfw_put_u32le(out + 12, u->size);
    rfw_put_u32le(out + 16, u->offset);
    memcpy(out + 20, u->digest, 32);
  }
  rfw_put_u32le(out + 52, rfw_crc32c(out, 52));
}

static int decode_upload(const uint8_t in[UPLOAD_RECORD], rfw_board_upload *u) {
  if (memcmp(in, UPLOAD_MAGIC, 4) != 0 || rfw_u32le(in + 52) != rfw_crc32c(in, 52)) return 0;
  memset(u, 0, sizeof *u);
  u->seq = rfw_u32le(in + 4);
  u->present = in[8] == 1;
  u->region = in[9];
  u->kind = in[10];
  u->size = rfw_u32le(in + 12);
  u->offset = rfw_u32le(in + 16);
  memcpy(u->digest, in + 20, 32);
  return 1;
}

/** Which of two valid copies is newer: sequence numbers compared as a wrapping difference. */
static int newer(uint32_t a, uint32_t b) { return (int32_t)(a - b) > 0; }

static rfw_status write_copy(uint32_t at, uint32_t seq, const uint8_t *record, size_t length) {
  rfw_status s = rfw_port_storage_write(RFW_REGION_STATE, at + (seq & 1u) * COPY_BYTES, record, length);
  if (s == RFW_OK) s = rfw_port_storage_sync(RFW_REGION_STATE);
  return s;
}

rfw_status board_store_hash(uint8_t region, uint32_t size, uint8_t *scratch, size_t scratch_bytes, uint8_t out[32]) {
  const uint8_t *mapped = rfw_port_storage_map((rfw_storage_region)region);
  if (mapped != NULL) {
    rfw_sha256(mapped, size, out);
    return RFW_OK;
  }
  if (scratch == NULL || scratch_bytes == 0) return RFW_ERR_ARGUMENT;
  rfw_sha256_ctx ctx;
  rfw_sha256_init(&ctx);
  for (uint32_t at = 0; at < size;) {
    const size_t n = size - at < scratch_bytes ? size - at : scratch_bytes;
    const rfw_status s = rfw_port_storage_read((rfw_storage_region)region, at, scratch, n);
    if (s != RFW_OK) return s;
    rfw_sha256_update(&ctx, scratch, n);
    at += (uint32_t)n;
  }
  rfw_sha256_final(&ctx, out);
  return RFW_OK;
}

/** A slot whose bytes do not hash to its record is never used (a cut between writing and recording). */
static void check_slot(rfw_board *b, rfw_board_slot *slot, const char *role) {
  if (slot->region == RFW_NO_REGION) return;
  char d[24];
  if (slot->region > 2 || slot->size == 0 || slot->size > b->region_bytes) {
    board_notice(b, RFW_LOG_ERROR, "the %s package's record is out of range; it will not be used", role);
    slot->region = RFW_NO_REGION;
    return;
  }
  uint8_t digest[32];
  uint8_t scratch[256];
  const rfw_status s = board_store_hash(slot->region, slot->size, scratch, sizeof scratch, digest);
  if (s != RFW_OK || memcmp(digest, slot->digest, 32) != 0) {
    board_notice(b, RFW_LOG_ERROR, "the %s package %s does not match its recorded digest; it will not be used%s", role, board_short(slot->digest, 1, d),
                 role[0] == 'a' ? " (no model is active: push one)" : "");
    slot->region = RFW_NO_REGION;
  }
}

rfw_status board_store_load(rfw_board *b, rfw_diag *diag) {
  uint8_t copy[2][COPY_BYTES];
  rfw_board_slots slots[2];
  rfw_board_upload uploads[2];
  int ok[2];
  for (unsigned k = 0; k < 2; k++) {
    if (rfw_port_storage_read(RFW_REGION_STATE, SLOTS_AT + k * COPY_BYTES, copy[k], SLOTS_RECORD) != RFW_OK) return rfw_fail(diag, RFW_ERR_PORT, "the state region cannot be read");
    ok[k] = decode_slots(copy[k], &slots[k]);
  }
  memset(&b->slots, 0, sizeof b->slots);
  b->slots.active.region = RFW_NO_REGION;
  b->slots.previous.region = RFW_NO_REGION;
  if (ok[0] || ok[1]) b->slots = slots[ok[0] && (!ok[1] || newer(slots[0].seq, slots[1].seq)) ? 0 : 1];
  if (b->slots.active.region != RFW_NO_REGION && b->slots.active.region == b->slots.previous.region) b->slots.previous.region = RFW_NO_REGION;
  check_slot(b, &b->slots.active, "active");
  check_slot(b, &b->slots.previous, "previous");

  for (unsigned k = 0; k < 2; k++) {
    if (rfw_port_storage_read(RFW_REGION_STATE, UPLOAD_AT + k * COPY_BYTES, copy[k], UPLOAD_RECORD) != RFW_OK) return rfw_fail(diag, RFW_ERR_PORT, "the state region cannot be read");
    ok[k] = decode_upload(copy[k], &uploads[k]);
  }
  memset(&b->upload, 0, sizeof b->upload);
  if (ok[0] || ok[1]) b->upload = uploads[ok[0] && (!ok[1] || newer(uploads[0].seq, uploads[1].seq)) ? 0 : 1];
  rfw_board_upload *u = &b->upload;
  if (u->present) {
    const char *why = NULL;
    if (u->region > 2 || u->region == b->slots.active.region || u->region == b->slots.previous.region) why = "its region holds a package in use";
    else if (u->size == 0 || u->offset > u->size) why = "its record is out of range";
    else if (u->size > b->region_bytes) why = "it is larger than a package region";
    else if (u->kind != 0) why = "it is a delta, which this board does not apply";
    if (why != NULL) {
      board_notice(b, RFW_LOG_WARN, "the pending upload was discarded: %s", why);
      u->present = 0;
    }
    u->persisted = u->offset;
    u->persisted_at = rfw_port_micros();
  }
  return RFW_OK;
}

rfw_status board_store_save_slots(rfw_board *b, const rfw_board_slots *next) {
  rfw_board_slots s = *next;
  s.seq = b->slots.seq + 1;
  uint8_t record[SLOTS_RECORD];
  encode_slots(&s, record);
  const rfw_status status = write_copy(SLOTS_AT, s.seq, record, sizeof record);
  if (status == RFW_OK) b->slots = s;
  return status;
}

static rfw_status save_upload(rfw_board *b) {
  uint8_t record[UPLOAD_RECORD];
  const uint32_t seq = b->upload.seq + 1;
  encode_upload(&b->upload, seq, record);
  const rfw_status s = write_copy(UPLOAD_AT, seq, record, sizeof record);
  if (s == RFW_OK) b->upload.seq = seq;
  return s;
}

rfw_status board_store_persist_upload(rfw_board *b) {
  rfw_board_upload *u = &b->upload;
  if (!u->present) return RFW_OK;
  /* Data before state: the record never names bytes the storage could still lose. */
  rfw_status s = rfw_port_storage_sync((rfw_storage_region)u->region);
  if (s == RFW_OK) s = save_upload(b);
  if (s != RFW_OK) return s;
  u->persisted = u->offset;
  u->persisted_at = rfw_port_micros();
  return RFW_OK;
}

rfw_status board_store_clear_upload(rfw_board *b) {
  b->upload.present = 0;
  b->upload.offset = 0;
  b->upload.persisted = 0;
  return save_upload(b);
}

uint8_t board_store_free_region(const rfw_board *b) {
  for (uint8_t r = 0; r < 3; r++) {
    if (r != b->slots.active.region && r != b->slots.previous.region) return r;
  }
  return RFW_NO_REGION;
}
