/*
 * The push protocol's message types, flags and error codes (docs/protocol.md, "Messages" and
 * "Errors"), the numbers devices/protocol/messages.ts and protocol-error.ts use, and a bounds-checked
 * little-endian reader for a message's payload.
 */
#ifndef RFW_MESSAGE_H
#define RFW_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "common/bytes.h"

#define RFW_PROTOCOL_VERSION 1u
/** The message size both sides assume until the handshake has told them the peer's. */
#define RFW_MIN_MESSAGE 256u
#define RFW_DIGEST_BYTES 32u

typedef enum rfw_msg_type {
  RFW_MSG_HELLO = 0x01,
  RFW_MSG_INFO = 0x02,
  RFW_MSG_BEGIN = 0x03,
  RFW_MSG_CHUNK = 0x04,
  RFW_MSG_ACK = 0x05,
  RFW_MSG_COMMIT = 0x06,
  RFW_MSG_STATE = 0x07,
  RFW_MSG_ACTIVATE = 0x08,
  RFW_MSG_ROLLBACK = 0x09,
  RFW_MSG_INFER = 0x0a,
  RFW_MSG_RESULT = 0x0b,
  RFW_MSG_BENCH = 0x0c,
  RFW_MSG_BENCH_RESULT = 0x0d,
  RFW_MSG_LOG = 0x0e,
  RFW_MSG_ERROR = 0x0f,
  RFW_MSG_ABORT = 0x10
} rfw_msg_type;

/** Header flags: more response frames follow; an ACK for a chunk beyond the contiguous offset. */
#define RFW_FLAG_MORE 0x01u
#define RFW_FLAG_GAP 0x02u

/** INFO capability bits. */
#define RFW_CAP_INFER (1u << 0)
#define RFW_CAP_BENCH (1u << 1)
#define RFW_CAP_DELTA (1u << 2)
#define RFW_CAP_SIGNATURE_REQUIRED (1u << 3)
#define RFW_CAP_PERSISTENT_RESUME (1u << 4)

typedef enum rfw_proto_error {
  RFW_PE_NONE = 0,
  RFW_PE_VERSION = 1,
  RFW_PE_UNKNOWN_TYPE = 2,
  RFW_PE_BAD_MESSAGE = 3,
  RFW_PE_NO_UPLOAD = 4,
  RFW_PE_TOO_LARGE = 5,
  RFW_PE_DIGEST_MISMATCH = 6,
  RFW_PE_PACKAGE_REJECTED = 7,
  RFW_PE_SIGNATURE = 8,
  RFW_PE_DELTA_BASE = 9,
  RFW_PE_REGEN_MISMATCH = 10,
  RFW_PE_NO_MODEL = 11,
  RFW_PE_BAD_INPUT = 12,
  RFW_PE_NOT_FOUND = 13,
  RFW_PE_NO_PREVIOUS = 14,
  RFW_PE_BUSY = 15,
  RFW_PE_STORAGE = 16,
  RFW_PE_INCOMPLETE = 17,
  RFW_PE_INTERNAL = 18
} rfw_proto_error;

/** The type's name as the studio prints it (HELLO, BENCH-RESULT, …); NULL for an unknown type. */
const char *rfw_msg_type_name(uint8_t type);

/** The error's name as docs/protocol.md spells it (bad-message, …). */
const char *rfw_proto_error_name(rfw_proto_error code);

/**
 * Reads a payload field by field. The first read past the end sets `short_at` (the bytes that read
 * needed) and every later read returns zeros, so a handler reads all its fields and checks once.
 */
typedef struct rfw_wire {
  const uint8_t *p;
  size_t length;
  size_t pos;
  size_t short_at; /* 0 while every read fitted */
} rfw_wire;

static inline void rfw_wire_init(rfw_wire *w, const uint8_t *payload, size_t length) {
  w->p = payload;
  w->length = length;
  w->pos = 0;
  w->short_at = 0;
}

/** The next n bytes, or NULL when they run past the end. */
static inline const uint8_t *rfw_wire_take(rfw_wire *w, size_t n) {
  if (w->short_at != 0 || n > w->length - w->pos) {
    if (w->short_at == 0) w->short_at = w->pos + n;
    return NULL;
  }
  const uint8_t *at = w->p + w->pos;
  w->pos += n;
  return at;
}

static inline uint8_t rfw_wire_u8(rfw_wire *w) {
  const uint8_t *b = rfw_wire_take(w, 1);
  return b == NULL ? 0 : b[0];
}

static inline uint16_t rfw_wire_u16(rfw_wire *w) {
  const uint8_t *b = rfw_wire_take(w, 2);
  return b == NULL ? 0 : rfw_u16le(b);
}

static inline uint32_t rfw_wire_u32(rfw_wire *w) {
  const uint8_t *b = rfw_wire_take(w, 4);
  return b == NULL ? 0 : rfw_u32le(b);
}

static inline size_t rfw_wire_remaining(const rfw_wire *w) { return w->short_at != 0 ? 0 : w->length - w->pos; }

#endif
