/*
 * The board's messages to the studio, streamed through the frame writer into a small transmit buffer,
 * each cut to the studio's maxMessage (256 bytes until its HELLO says more). The answer_* functions
 * also remember what they sent for the latest request, so that a resend of it (the studio lost the
 * answer) gets the same answers without running anything twice.
 */
#include <string.h>

#include "board/board-internal.h"

static int latest_running(const rfw_board *b, uint16_t id) { return b->latest.valid && !b->latest.done && b->latest.id == id; }

const char *board_engine(const rfw_board *b) {
  return b->run.loaded && b->run.model.mode == RFW_REGEN_PER_LAYER ? "reframe-fw (regenerate per layer)" : "reframe-fw (regenerate at load)";
}

static void flush_tx(rfw_board *b) {
  if (b->tx_fill > 0 && !b->tx_failed && rfw_port_serial_write(b->tx, b->tx_fill) != RFW_OK) b->tx_failed = 1;
  b->tx_fill = 0;
}

static void end_frame(rfw_board *b) {
  rfw_frame_end(&b->writer);
  flush_tx(b);
}

void board_send_ack(rfw_board *b, uint16_t id, uint32_t offset, int gap) {
  rfw_frame_begin(&b->writer, RFW_MSG_ACK, gap ? RFW_FLAG_GAP : 0, id);
  rfw_frame_u32(&b->writer, offset);
  end_frame(b);
}

void board_send_error(rfw_board *b, uint16_t id, rfw_proto_error code, const char *text) {
  const size_t n = rfw_utf8_cut(text, strlen(text), b->peer_max - 6);
  rfw_frame_begin(&b->writer, RFW_MSG_ERROR, 0, id);
  rfw_frame_u16(&b->writer, (uint16_t)code);
  rfw_frame_put(&b->writer, text, n);
  end_frame(b);
}

void board_send_log_text(rfw_board *b, rfw_log_level level, const char *text) {
  const size_t n = rfw_utf8_cut(text, strlen(text), b->peer_max - 5);
  rfw_frame_begin(&b->writer, RFW_MSG_LOG, 0, 0);
  rfw_frame_u8(&b->writer, (uint8_t)level);
  rfw_frame_put(&b->writer, text, n);
  end_frame(b);
}

void board_log(rfw_board *b, rfw_log_level level, const char *fmt, ...) {
  char text[RFW_BOARD_TEXT_BYTES];
  va_list args;
  va_start(args, fmt);
  rfw_vformat(text, sizeof text, fmt, args);
  va_end(args);
  rfw_port_log(level, text);
  board_send_log_text(b, level, text);
}

static void put_digest(rfw_board *b, const rfw_board_slot *s) {
  static const uint8_t zero[32] = {0};
  rfw_frame_put(&b->writer, s->region == RFW_NO_REGION ? zero : s->digest, 32);
}

void board_send_info(rfw_board *b, uint16_t id) {
  static const uint8_t zero[32] = {0};
  char runtime[96];
  rfw_format(runtime, sizeof runtime, "reframe-fw %s (%s, C99)", RFW_BOARD_VERSION, b->config.platform != NULL ? b->config.platform : "unknown");
  const char *name = b->config.name != NULL ? b->config.name : "";
  size_t name_n = rfw_utf8_cut(name, strlen(name), 255);
  size_t runtime_n = strlen(runtime);
  /* Header 4, version 2, maxMessage 4, capabilities 4, RAM 4, storage 4, two digests, pending 40, two lengths. */
  const size_t fixed = 4 + 2 + 4 + 4 + 4 + 4 + 64 + 40 + 2;
  if (fixed + name_n + runtime_n > b->peer_max) {
    const size_t room = b->peer_max > fixed ? b->peer_max - fixed : 0;
    name_n = rfw_utf8_cut(name, name_n, room / 2);
    runtime_n = rfw_utf8_cut(runtime, runtime_n, room - name_n);
  }
  uint32_t caps = RFW_CAP_INFER | RFW_CAP_BENCH;
  if (b->config.require_signature) caps |= RFW_CAP_SIGNATURE_REQUIRED;
  if (rfw_port_storage_persistent()) caps |= RFW_CAP_PERSISTENT_RESUME;
  const size_t ram = rfw_board_ram(b);
  rfw_frame_writer *w = &b->writer;
  rfw_frame_begin(w, RFW_MSG_INFO, 0, id);
  rfw_frame_u16(w, RFW_PROTOCOL_VERSION);
  rfw_frame_u32(w, b->max_message);
  rfw_frame_u32(w, caps);
  rfw_frame_u32(w, ram > 0xffffffffu ? 0xffffffffu : (uint32_t)ram);
  rfw_frame_u32(w, b->region_bytes);
  put_digest(b, &b->slots.active);
  put_digest(b, &b->slots.previous);
  const rfw_board_upload *u = &b->upload;
  rfw_frame_u32(w, u->present ? u->size : 0);
  rfw_frame_u32(w, u->present ? u->offset : 0);
  rfw_frame_put(w, u->present ? u->digest : zero, 32);
  rfw_frame_str8(w, name, name_n);
  rfw_frame_str8(w, runtime, runtime_n);
  end_frame(b);
}

static void send_state(rfw_board *b, uint16_t id, const rfw_board_slot *active, const rfw_board_slot *previous) {
  rfw_frame_begin(&b->writer, RFW_MSG_STATE, 0, id);
  put_digest(b, active);
  put_digest(b, previous);
  end_frame(b);
}

static int send_result(rfw_board *b, uint16_t id, uint32_t micros) {
  const char *engine = board_engine(b);
  const uint32_t count = b->run.model.output_elements;
  const size_t bytes = 4 + 4 + 1 + strlen(engine) + 4 + (size_t)count * 4;
  if (bytes > b->peer_max) return 0;
  rfw_frame_writer *w = &b->writer;
  rfw_frame_begin(w, RFW_MSG_RESULT, 0, id);
  rfw_frame_u32(w, micros);
  rfw_frame_str8(w, engine, strlen(engine));
  rfw_frame_u32(w, count);
  for (uint32_t i = 0; i < count; i++) rfw_frame_f32(w, b->run.logits[i]);
  end_frame(b);
  return 1;
}

/** One layer's entry: node index u16, mean micros f32, op str8, name str8 (the name cut to fit a frame). */
typedef struct bench_entry {
  uint32_t node;
  const char *op;
  size_t op_n;
  const char *name;
  size_t name_n;
} bench_entry;

static bench_entry entry_of(const rfw_board *b, uint32_t step, size_t room) {
  bench_entry e;
  rfw_node node;
  e.node = b->run.bench_node[step];
  rfw_package_node(&b->run.pkg, e.node, &node);
  e.op = rfw_op_name(node.op);
  e.op_n = strlen(e.op);
  e.name = (const char *)node.name.ptr;
  const size_t fixed = 2 + 4 + 1 + e.op_n + 1;
  const size_t fit = room > fixed ? room - fixed : 0;
  e.name_n = rfw_utf8_cut(e.name, node.name.len, fit < 255 ? fit : 255);
  return e;
}

/** BENCH-RESULT frames as devices/agent/bench-frames.ts splits them: each within the studio's maxMessage, all but the last flagged MORE. */
static void send_bench(rfw_board *b, uint16_t id, uint16_t runs) {
  const char *engine = board_engine(b);
  const size_t engine_n = strlen(engine);
  const size_t base = 4 + 2 + 1 + engine_n + 2;
  const size_t room = b->peer_max > base ? b->peer_max - base : 0;
  const uint32_t steps = b->run.bench_steps;
  uint32_t first = 0;
  do {
    /* How many entries fit in this frame (at least one, as the reference does). */
    uint32_t end = first;
    size_t used = 0;
    while (end < steps) {
      const bench_entry e = entry_of(b, end, room);
      const size_t size = 2 + 4 + 1 + e.op_n + 1 + e.name_n;
      if (used + size > room && used > 0) break;
      used += size;
      end++;
    }
    rfw_frame_writer *w = &b->writer;
    rfw_frame_begin(w, RFW_MSG_BENCH_RESULT, end < steps ? RFW_FLAG_MORE : 0, id);
    rfw_frame_u16(w, runs);
    rfw_frame_str8(w, engine, engine_n);
    rfw_frame_u16(w, (uint16_t)(end - first));
    for (uint32_t s = first; s < end; s++) {
      const bench_entry e = entry_of(b, s, room);
      rfw_frame_u16(w, (uint16_t)e.node);
      rfw_frame_f32(w, runs > 0 ? (float)((double)b->run.bench_sum[s] / (double)runs) : 0.0f);
      rfw_frame_str8(w, e.op, e.op_n);
      rfw_frame_str8(w, e.name, e.name_n);
    }
    end_frame(b);
    first = end;
  } while (first < steps);
}

void board_answer_ack(rfw_board *b, uint16_t id, uint32_t offset) {
  if (latest_running(b, id)) {
    b->latest.answer = RFW_ANSWER_ACK;
    b->latest.offset = offset;
  }
  board_send_ack(b, id, offset, 0);
}

void board_answer_state(rfw_board *b, uint16_t id) {
  if (latest_running(b, id)) {
    b->latest.answer = RFW_ANSWER_STATE;
    b->latest.active = b->slots.active;
    b->latest.previous = b->slots.previous;
  }
  send_state(b, id, &b->slots.active, &b->slots.previous);
}

void board_answer_error(rfw_board *b, uint16_t id, rfw_proto_error code, const char *text) {
  if (latest_running(b, id)) {
    b->latest.answer = RFW_ANSWER_ERROR;
    b->latest.code = (uint16_t)code;
    const size_t n = rfw_utf8_cut(text, strlen(text), sizeof b->latest.text - 1);
    memcpy(b->latest.text, text, n);
    b->latest.text[n] = '\0';
    b->latest.text_length = n;
  }
  board_send_error(b, id, code, text);
}

void board_answer_result(rfw_board *b, uint16_t id, uint32_t micros) {
  if (!send_result(b, id, micros)) {
    char text[128];
    rfw_format(text, sizeof text, "the result (%u logits) is longer than the studio's maxMessage %u", (unsigned)b->run.model.output_elements, (unsigned)b->peer_max);
    board_answer_error(b, id, RFW_PE_INTERNAL, text);
    return;
  }
  if (latest_running(b, id)) {
    b->latest.answer = RFW_ANSWER_RESULT;
    b->latest.micros = micros;
  }
}

void board_answer_bench(rfw_board *b, uint16_t id, uint16_t runs) {
  if (latest_running(b, id)) {
    b->latest.answer = RFW_ANSWER_BENCH;
    b->latest.runs = runs;
  }
  send_bench(b, id, runs);
}

void board_replay(rfw_board *b) {
  const rfw_board_latest *l = &b->latest;
  switch (l->answer) {
    case RFW_ANSWER_NONE: return;
    case RFW_ANSWER_ACK: board_send_ack(b, l->id, l->offset, 0); return;
    case RFW_ANSWER_STATE: send_state(b, l->id, &l->active, &l->previous); return;
    case RFW_ANSWER_ERROR: board_send_error(b, l->id, (rfw_proto_error)l->code, l->text); return;
    case RFW_ANSWER_RESULT:
      /* The logits live in the loaded model; a later request that unloads it also replaces this one. */
      if (b->run.loaded) send_result(b, l->id, l->micros);
      return;
    case RFW_ANSWER_BENCH:
      if (b->run.loaded) send_bench(b, l->id, l->runs);
      return;
  }
}
