#include "protocol/cobs.h"

int rfw_cobs_decode(uint8_t *buffer, size_t length, size_t *decoded) {
  size_t out = 0;
  size_t i = 0;
  while (i < length) {
    const size_t code = buffer[i];
    if (code == 0 || i + code > length) return 0;
    for (size_t k = 1; k < code; k++) {
      const uint8_t b = buffer[i + k];
      if (b == 0) return 0;
      buffer[out++] = b;
    }
    i += code;
    /* A run shorter than 254 data bytes stands for a zero, except at the very end. */
    if (code < 0xff && i < length) buffer[out++] = 0;
  }
  *decoded = out;
  return 1;
}

void rfw_cobs_encoder_init(rfw_cobs_encoder *e) { e->fill = 0; }

static int flush(rfw_cobs_encoder *e, rfw_cobs_emit emit, void *context) {
  e->block[0] = (uint8_t)(e->fill + 1);
  const int failed = emit(context, e->block, (size_t)e->fill + 1);
  e->fill = 0;
  return failed;
}

int rfw_cobs_put(rfw_cobs_encoder *e, const uint8_t *bytes, size_t length, rfw_cobs_emit emit, void *context) {
  for (size_t i = 0; i < length; i++) {
    int failed = 0;
    if (bytes[i] == 0) {
      failed = flush(e, emit, context);
    } else {
      e->block[++e->fill] = bytes[i];
      /* 254 data bytes make a full run (code 0xff), which stands for no zero. */
      if (e->fill == 254) failed = flush(e, emit, context);
    }
    if (failed) return failed;
  }
  return 0;
}

int rfw_cobs_finish(rfw_cobs_encoder *e, rfw_cobs_emit emit, void *context) { return flush(e, emit, context); }
