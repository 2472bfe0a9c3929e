/*
 * BEGIN, CHUNK and ABORT: the upload goes straight into the free package region, chunk by chunk, and
 * its (digest, size, contiguous offset) is recorded in the state region at least every 64 KiB or every
 * second, when it completes, and when the link goes quiet, always after the bytes below it are synced.
 * A BEGIN for the pending upload's digest, size and kind resumes it, across restarts too.
 */
#include <string.h>

#include "board/board-internal.h"

static rfw_proto_error storage_error(rfw_board *b, const char *what) {
  return board_error(b, RFW_PE_STORAGE, "the board could not %s its storage: check the board's storage (on the host port, the --store directory and its free space)", what);
}

rfw_proto_error board_begin(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint8_t *digest = rfw_wire_take(w, 32);
  const uint32_t size = rfw_wire_u32(w);
  const uint8_t kind = rfw_wire_u8(w);
  const rfw_proto_error e = board_wire_end(b, w, RFW_MSG_BEGIN);
  if (e != RFW_PE_NONE) return e;
  if (board_digest_zero(digest)) return board_error(b, RFW_PE_BAD_MESSAGE, "BEGIN carries an all-zero digest");
  if (kind > 1) return board_error(b, RFW_PE_BAD_MESSAGE, "BEGIN has kind %u; 0 is a package, 1 a delta", (unsigned)kind);
  if (kind == 1) return board_error(b, RFW_PE_BAD_MESSAGE, "this board does not apply deltas (INFO capability bit 2 is off): send the full package");

  rfw_board_upload *u = &b->upload;
  char d[24];
  if (u->present && memcmp(u->digest, digest, 32) == 0 && u->size == size && u->kind == kind) {
    if (u->offset > 0) board_log(b, RFW_LOG_INFO, "resuming the upload of %s at byte %u of %u", board_short(digest, 1, d), (unsigned)u->offset, (unsigned)size);
    board_answer_ack(b, id, u->offset);
    return RFW_PE_NONE;
  }
  if (size == 0) return board_error(b, RFW_PE_BAD_MESSAGE, "BEGIN announces an empty upload");
  if (size > b->region_bytes) return board_error(b, RFW_PE_TOO_LARGE, "the upload has %u bytes; this board stores at most %u: send a smaller package", (unsigned)size, (unsigned)b->region_bytes);
  const int replacing = u->present;
  if (replacing) board_log(b, RFW_LOG_INFO, "discarded the pending upload of %s for a new one", board_short(u->digest, 1, d));
  const uint8_t region = replacing ? u->region : board_store_free_region(b);
  if (region == RFW_NO_REGION) return board_error(b, RFW_PE_INTERNAL, "no package region is free for an upload");
  u->present = 1;
  u->region = region;
  u->kind = kind;
  u->size = size;
  u->offset = 0;
  memcpy(u->digest, digest, 32);
  if (board_store_persist_upload(b) != RFW_OK) {
    u->present = 0;
    return storage_error(b, "record the upload in");
  }
  board_answer_ack(b, id, 0);
  return RFW_PE_NONE;
}

void board_chunk(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint32_t offset = rfw_wire_u32(w);
  rfw_proto_error e = w->short_at != 0 ? board_wire_end(b, w, RFW_MSG_CHUNK) : RFW_PE_NONE;
  rfw_board_upload *u = &b->upload;
  const size_t n = rfw_wire_remaining(w);
  const uint8_t *bytes = w->p + w->pos;
  if (e == RFW_PE_NONE && !u->present) e = board_error(b, RFW_PE_NO_UPLOAD, "CHUNK without a BEGIN: start the upload again");
  if (e == RFW_PE_NONE && (uint64_t)offset + n > u->size) e = board_error(b, RFW_PE_BAD_MESSAGE, "CHUNK %u+%u runs past the %u-byte upload", (unsigned)offset, (unsigned)n, (unsigned)u->size);
  if (e != RFW_PE_NONE) {
    board_send_error(b, id, e, b->text);
    return;
  }
  /* Kept only when it starts at or before the contiguous offset and ends after it (go-back-N). */
  if (offset > u->offset || offset + n <= u->offset) {
    board_send_ack(b, id, u->offset, offset > u->offset);
    return;
  }
  const uint32_t skip = u->offset - offset;
  if (rfw_port_storage_write((rfw_storage_region)u->region, u->offset, bytes + skip, n - skip) != RFW_OK) {
    board_send_error(b, id, storage_error(b, "write"), b->text);
    return;
  }
  u->offset += (uint32_t)(n - skip);
  const int due = u->offset - u->persisted >= RFW_BOARD_PERSIST_BYTES || (uint32_t)(rfw_port_micros() - u->persisted_at) >= RFW_BOARD_PERSIST_US;
  if ((due || u->offset == u->size) && board_store_persist_upload(b) != RFW_OK) {
    board_send_error(b, id, storage_error(b, "record the upload in"), b->text);
    return;
  }
  board_send_ack(b, id, u->offset, 0);
}

rfw_proto_error board_abort(rfw_board *b, uint16_t id, rfw_wire *w) {
  const rfw_proto_error e = board_wire_end(b, w, RFW_MSG_ABORT);
  if (e != RFW_PE_NONE) return e;
  b->run.input_open = 0;
  if (b->upload.present) {
    if (board_store_clear_upload(b) != RFW_OK) return storage_error(b, "write");
    rfw_port_log(RFW_LOG_INFO, "the pending upload was aborted");
  }
  board_answer_state(b, id);
  return RFW_PE_NONE;
}

rfw_status board_upload_flush(rfw_board *b) {
  if (!b->upload.present || b->upload.offset <= b->upload.persisted) return RFW_OK;
  return board_store_persist_upload(b);
}
