#include "protocol/frame.h"

#include <string.h>

#include "common/bytes.h"
#include "crypto/crc32c.h"

void rfw_frame_reader_init(rfw_frame_reader *r, uint8_t *buffer, size_t capacity) {
  memset(r, 0, sizeof *r);
  r->buffer = buffer;
  r->capacity = capacity;
}

static rfw_frame_event finish(rfw_frame_reader *r) {
  size_t body = 0;
  const size_t encoded = r->fill;
  r->fill = 0;
  if (!rfw_cobs_decode(r->buffer, encoded, &body) || body < RFW_FRAME_OVERHEAD) {
    r->stats.corrupt++;
    return RFW_FRAME_CORRUPT;
  }
  const size_t end = body - 4;
  if (rfw_u32le(r->buffer + end) != rfw_crc32c(r->buffer, end)) {
    r->stats.crc++;
    return RFW_FRAME_CRC;
  }
  r->stats.frames++;
  r->message = r->buffer;
  r->length = end;
  return RFW_FRAME_MESSAGE;
}

rfw_frame_event rfw_frame_reader_push(rfw_frame_reader *r, uint8_t byte) {
  if (byte != 0) {
    if (r->skipping) return RFW_FRAME_NONE;
    if (r->fill < r->capacity) {
      r->buffer[r->fill++] = byte;
      return RFW_FRAME_NONE;
    }
    r->skipping = 1;
    r->fill = 0;
    return RFW_FRAME_NONE;
  }
  if (r->skipping) {
    r->skipping = 0;
    r->stats.oversized++;
    return RFW_FRAME_OVERSIZED;
  }
  if (r->fill == 0) return RFW_FRAME_NONE; /* back-to-back delimiters: a sender flushing the line */
  return finish(r);
}

uint8_t *rfw_frame_reader_swap(rfw_frame_reader *r, uint8_t *fresh) {
  uint8_t *held = r->buffer;
  r->buffer = fresh;
  r->fill = 0;
  r->message = NULL;
  r->length = 0;
  return held;
}

static int emit(void *context, const uint8_t *bytes, size_t length) {
  rfw_frame_writer *w = (rfw_frame_writer *)context;
  return w->sink(w->context, bytes, length);
}

void rfw_frame_writer_init(rfw_frame_writer *w, rfw_frame_sink sink, void *context) {
  memset(w, 0, sizeof *w);
  w->sink = sink;
  w->context = context;
}

void rfw_frame_put(rfw_frame_writer *w, const void *bytes, size_t length) {
  if (length == 0) return;
  w->crc = rfw_crc32c_update(w->crc, (const uint8_t *)bytes, length);
  w->length += length;
  if (!w->failed) w->failed = rfw_cobs_put(&w->cobs, (const uint8_t *)bytes, length, emit, w);
}

void rfw_frame_begin(rfw_frame_writer *w, uint8_t type, uint8_t flags, uint16_t id) {
  rfw_cobs_encoder_init(&w->cobs);
  w->crc = 0;
  w->length = 0;
  w->failed = 0;
  const uint8_t header[4] = {type, flags, (uint8_t)id, (uint8_t)(id >> 8)};
  rfw_frame_put(w, header, sizeof header);
}

void rfw_frame_u8(rfw_frame_writer *w, uint8_t v) { rfw_frame_put(w, &v, 1); }

void rfw_frame_u16(rfw_frame_writer *w, uint16_t v) {
  const uint8_t b[2] = {(uint8_t)v, (uint8_t)(v >> 8)};
  rfw_frame_put(w, b, 2);
}

void rfw_frame_u32(rfw_frame_writer *w, uint32_t v) {
  uint8_t b[4];
  rfw_put_u32le(b, v);
  rfw_frame_put(w, b, 4);
}

void rfw_frame_f32(rfw_frame_writer *w, float v) { rfw_frame_u32(w, rfw_f32_bits(v)); }

void rfw_frame_str8(rfw_frame_writer *w, const char *text, size_t length) {
  const size_t n = length > 255 ? 255 : length;
  rfw_frame_u8(w, (uint8_t)n);
  rfw_frame_put(w, text, n);
}

int rfw_frame_end(rfw_frame_writer *w) {
  uint8_t crc[4];
  rfw_put_u32le(crc, w->crc);
  if (!w->failed) w->failed = rfw_cobs_put(&w->cobs, crc, 4, emit, w);
  if (!w->failed) w->failed = rfw_cobs_finish(&w->cobs, emit, w);
  static const uint8_t delimiter = 0;
  if (!w->failed) w->failed = w->sink(w->context, &delimiter, 1);
  return w->failed;
}

size_t rfw_utf8_cut(const char *text, size_t length, size_t max) {
  if (length <= max) return length;
  size_t cut = max;
  /* Step back over continuation bytes so the cut falls on a character boundary. */
  while (cut > 0 && ((uint8_t)text[cut] & 0xc0) == 0x80) cut--;
  return cut;
}
