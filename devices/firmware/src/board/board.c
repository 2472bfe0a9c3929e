/*
 * The board's main loop: bytes from the serial port into frames, one request at a time to its
 * handler, every failure an ERROR under the request's id, and the latest request remembered with its
 * answers so that a resend is answered again and never run twice (docs/protocol.md "Lost answers").
 */
#include <string.h>

#include "board/board-internal.h"
#include "crypto/crc32c.h"

/** A session that has been silent this long and then says HELLO is a new studio: it gets the notices again. */
#define NEW_SESSION_US 2000000u

rfw_proto_error board_error(rfw_board *b, rfw_proto_error code, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  rfw_vformat(b->text, sizeof b->text, fmt, args);
  va_end(args);
  return code;
}

rfw_proto_error board_wire_end(rfw_board *b, const rfw_wire *w, uint8_t type) {
  const char *name = rfw_msg_type_name(type);
  if (w->short_at != 0) return board_error(b, RFW_PE_BAD_MESSAGE, "%s message ends early: needs %u bytes, has %u", name, (unsigned)w->short_at, (unsigned)w->length);
  if (w->pos != w->length) return board_error(b, RFW_PE_BAD_MESSAGE, "%s message has %u bytes too many", name, (unsigned)(w->length - w->pos));
  return RFW_PE_NONE;
}

void board_notice(rfw_board *b, rfw_log_level level, const char *fmt, ...) {
  char text[sizeof b->notice[0]];
  va_list args;
  va_start(args, fmt);
  rfw_vformat(text, sizeof text, fmt, args);
  va_end(args);
  rfw_port_log(level, text);
  if (b->notice_count >= RFW_BOARD_NOTICES) return;
  memcpy(b->notice[b->notice_count], text, sizeof text);
  b->notice_level[b->notice_count] = (uint8_t)level;
  b->notice_count++;
}

const char *board_short(const uint8_t *digest, int present, char out[24]) {
  static const char hex[] = "0123456789abcdef";
  if (!present) {
    memcpy(out, "none", 5);
    return out;
  }
  for (int i = 0; i < 8; i++) {
    out[2 * i] = hex[digest[i] >> 4];
    out[2 * i + 1] = hex[digest[i] & 15];
  }
  memcpy(out + 16, "\xe2\x80\xa6", 4); /* an ellipsis, as the studio abbreviates digests */
  return out;
}

int board_digest_zero(const uint8_t *digest) {
  uint8_t any = 0;
  for (int i = 0; i < 32; i++) any |= digest[i];
  return any == 0;
}

static int tx_sink(void *context, const uint8_t *bytes, size_t length) {
  rfw_board *b = (rfw_board *)context;
  while (length > 0) {
    const size_t n = length < sizeof b->tx - b->tx_fill ? length : sizeof b->tx - b->tx_fill;
    memcpy(b->tx + b->tx_fill, bytes, n);
    b->tx_fill += n;
    bytes += n;
    length -= n;
    if (b->tx_fill == sizeof b->tx) {
      if (!b->tx_failed && rfw_port_serial_write(b->tx, b->tx_fill) != RFW_OK) b->tx_failed = 1;
      b->tx_fill = 0;
    }
  }
  return 0;
}

rfw_status rfw_board_init(rfw_board *board, const rfw_board_config *config, void *memory, size_t size, rfw_diag *diag) {
  rfw_diag_clear(diag);
  if (board == NULL || config == NULL || memory == NULL) return rfw_fail(diag, RFW_ERR_ARGUMENT, "rfw_board_init needs a board, a configuration and memory");
  memset(board, 0, sizeof *board);
  board->config = *config;
  board->max_message = config->max_message == 0 ? RFW_BOARD_DEFAULT_MAX_MESSAGE : config->max_message;
  if (board->max_message < RFW_MIN_MESSAGE) return rfw_fail(diag, RFW_ERR_ARGUMENT, "max_message is %u; every side accepts at least %u", (unsigned)board->max_message, RFW_MIN_MESSAGE);
  if (config->key_count > 0 && config->keys == NULL) return rfw_fail(diag, RFW_ERR_ARGUMENT, "key_count is %u but keys is NULL", (unsigned)config->key_count);
  if (config->require_signature && config->key_count == 0) return rfw_fail(diag, RFW_ERR_ARGUMENT, "requiring signatures needs at least one trusted key");
  if (board->config.bench_budget_ms == 0) board->config.bench_budget_ms = RFW_BOARD_DEFAULT_BENCH_MS;
  board->peer_max = RFW_MIN_MESSAGE;

  const size_t frame = (rfw_frame_buffer_bytes(board->max_message) + 15u) & ~(size_t)15u;
  if (size < 2 * frame + 4096) return rfw_fail(diag, RFW_ERR_ARGUMENT, "the board has %u bytes of memory; two %u-byte frame buffers and a model need more", (unsigned)size, (unsigned)frame);
  uint8_t *m = (uint8_t *)memory;
  rfw_frame_reader_init(&board->reader, m, rfw_frame_buffer_bytes(board->max_message));
  board->current = m + frame;
  rfw_arena_init(&board->arena, m + 2 * frame, size - 2 * frame);
  rfw_frame_writer_init(&board->writer, tx_sink, board);

  uint32_t bytes = 0;
  board->region_bytes = 0xffffffffu;
  for (int r = RFW_REGION_PACKAGE_0; r <= RFW_REGION_PACKAGE_2; r++) {
    if (rfw_port_storage_size((rfw_storage_region)r, &bytes) != RFW_OK) return rfw_fail(diag, RFW_ERR_PORT, "package region %d cannot be sized", r);
    if (bytes < board->region_bytes) board->region_bytes = bytes;
  }
  if (board->region_bytes == 0) return rfw_fail(diag, RFW_ERR_PORT, "the port has no room for packages (a package region of 0 bytes)");
  if (rfw_port_storage_size(RFW_REGION_STATE, &bytes) != RFW_OK || bytes < RFW_BOARD_STATE_BYTES) {
    return rfw_fail(diag, RFW_ERR_PORT, "the state region holds %u bytes; the board needs %u", (unsigned)bytes, RFW_BOARD_STATE_BYTES);
  }
  board->heard_at = rfw_port_micros();
  return board_store_load(board, diag);
}

/** Whether a message is the latest request again: same type, id, length, CRC-32C and first bytes. */
static int is_latest(const rfw_board *b, const uint8_t *msg, size_t length) {
  const rfw_board_latest *l = &b->latest;
  if (!l->valid || l->type != msg[0] || l->id != (uint16_t)(msg[2] | (msg[3] << 8)) || l->length != length) return 0;
  const size_t head = length < sizeof l->head ? length : sizeof l->head;
  return memcmp(l->head, msg, head) == 0 && l->crc == rfw_crc32c(msg, length);
}

static void remember(rfw_board *b, const uint8_t *msg, size_t length) {
  rfw_board_latest *l = &b->latest;
  memset(l, 0, sizeof *l);
  l->valid = 1;
  l->type = msg[0];
  l->id = (uint16_t)(msg[2] | (msg[3] << 8));
  l->length = (uint32_t)length;
  l->crc = rfw_crc32c(msg, length);
  memcpy(l->head, msg, length < sizeof l->head ? length : sizeof l->head);
}

/** Feeds buffered bytes to the frame reader until a message is complete (held) or the bytes run out. */
static void feed(rfw_board *b) {
  while (!b->held && b->in_pos < b->in_len) {
    if (rfw_frame_reader_push(&b->reader, b->in[b->in_pos++]) != RFW_FRAME_MESSAGE) continue;
    /* While a request runs, its resends are answered by its answer, which is coming. */
    if (b->busy && b->reader.message[0] != RFW_MSG_CHUNK && b->reader.message[0] != RFW_MSG_HELLO && is_latest(b, b->reader.message, b->reader.length)) continue;
    b->held = 1;
  }
}

void board_service(rfw_board *b) {
  while (!b->held) {
    if (b->in_pos == b->in_len) {
      size_t got = 0;
      if (rfw_port_serial_read(b->in, sizeof b->in, &got, 0) != RFW_OK || got == 0) return;
      b->in_pos = 0;
      b->in_len = got;
      b->heard_at = rfw_port_micros();
    }
    feed(b);
  }
}

static void hello(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint16_t version = rfw_wire_u16(w);
  const uint32_t max = rfw_wire_u32(w);
  rfw_proto_error e = board_wire_end(b, w, RFW_MSG_HELLO);
  if (e == RFW_PE_NONE && version != RFW_PROTOCOL_VERSION) {
    e = board_error(b, RFW_PE_VERSION, "this board speaks push protocol version %u, the studio version %u: update the older of the two", RFW_PROTOCOL_VERSION, (unsigned)version);
  }
  if (e == RFW_PE_NONE && max < RFW_MIN_MESSAGE) e = board_error(b, RFW_PE_BAD_MESSAGE, "HELLO declares maxMessage %u; every side accepts at least %u", (unsigned)max, RFW_MIN_MESSAGE);
  if (e != RFW_PE_NONE) {
    board_send_error(b, id, e, b->text);
    return;
  }
  b->peer_max = max;
  b->run.input_open = 0;
  board_send_info(b, id);
  if (!b->noticed) {
    for (size_t i = 0; i < b->notice_count; i++) board_send_log_text(b, (rfw_log_level)b->notice_level[i], b->notice[i]);
  }
  b->noticed = 1;
}

static rfw_proto_error request(rfw_board *b, uint8_t type, uint16_t id, rfw_wire *w) {
  switch ((rfw_msg_type)type) {
    case RFW_MSG_BEGIN: return board_begin(b, id, w);
    case RFW_MSG_COMMIT: return board_commit(b, id, w);
    case RFW_MSG_ACTIVATE: return board_activate(b, id, w);
    case RFW_MSG_ROLLBACK: return board_rollback(b, id, w);
    case RFW_MSG_ABORT: return board_abort(b, id, w);
    case RFW_MSG_INFER: return board_infer(b, id, w);
    case RFW_MSG_BENCH: return board_bench(b, id, w);
    case RFW_MSG_INFO:
    case RFW_MSG_ACK:
    case RFW_MSG_STATE:
    case RFW_MSG_RESULT:
    case RFW_MSG_BENCH_RESULT:
    case RFW_MSG_LOG:
    case RFW_MSG_ERROR: return board_error(b, RFW_PE_BAD_MESSAGE, "%s is a message boards send, not one they take", rfw_msg_type_name(type));
    case RFW_MSG_HELLO:
    case RFW_MSG_CHUNK: break; /* handled before */
  }
  return board_error(b, RFW_PE_UNKNOWN_TYPE, "unknown message type 0x%02x", (unsigned)type);
}

static void dispatch(rfw_board *b, const uint8_t *msg, size_t length) {
  const uint8_t type = msg[0];
  const uint16_t id = (uint16_t)(msg[2] | (msg[3] << 8));
  rfw_wire w;
  rfw_wire_init(&w, msg + 4, length - 4);
  if (type == RFW_MSG_CHUNK) {
    board_chunk(b, id, &w);
    return;
  }
  if (type == RFW_MSG_HELLO) {
    /* A new studio numbers its requests from 1 again: forget the latest one. HELLO itself changes nothing. */
    b->latest.valid = 0;
    hello(b, id, &w);
    return;
  }
  if (is_latest(b, msg, length)) {
    board_replay(b);
    return;
  }
  remember(b, msg, length);
  b->busy = 1;
  const rfw_proto_error e = request(b, type, id, &w);
  b->busy = 0;
  if (e != RFW_PE_NONE) board_answer_error(b, id, e, b->text);
  b->latest.done = 1;
}

rfw_status rfw_board_poll(rfw_board *b, uint32_t timeout_us) {
  if (!b->held && b->in_pos == b->in_len) {
    size_t got = 0;
    if (rfw_port_serial_read(b->in, sizeof b->in, &got, timeout_us) != RFW_OK) return RFW_ERR_PORT;
    b->in_pos = 0;
    b->in_len = got;
    const uint32_t now = rfw_port_micros();
    if (got == 0) {
      /* The link went quiet: record how far the upload got. */
      if (b->upload.present && b->upload.offset > b->upload.persisted && (uint32_t)(now - b->heard_at) >= RFW_BOARD_QUIET_US) {
        if (board_upload_flush(b) != RFW_OK) rfw_port_log(RFW_LOG_ERROR, "could not record the upload's progress: the board's storage failed");
      }
      return b->tx_failed ? RFW_ERR_PORT : RFW_OK;
    }
    if ((uint32_t)(now - b->heard_at) >= NEW_SESSION_US) b->noticed = 0;
    b->heard_at = now;
  }
  feed(b);
  if (b->held) {
    const size_t length = b->reader.length;
    b->held = 0;
    b->current = rfw_frame_reader_swap(&b->reader, b->current);
    dispatch(b, b->current, length);
  }
  return b->tx_failed ? RFW_ERR_PORT : RFW_OK;
}

rfw_status rfw_board_flush(rfw_board *board) { return board_upload_flush(board); }
