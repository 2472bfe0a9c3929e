/*
 * Frames of the push protocol (docs/protocol.md, "Frames"): COBS(message ‖ crc32c(message) as u32) 0x00.
 * The reader takes bytes one at a time into one caller-owned buffer of rfw_frame_buffer_bytes(maxMessage)
 * and never keeps more: a longer frame is skipped to the next 0x00 and counted as oversized, a frame
 * that fails COBS or its CRC is dropped, back-to-back 0x00 are ignored. The writer streams a message
 * out field by field through a 255-byte COBS run buffer, so a reply of any length needs no buffer of
 * its own size.
 */
#ifndef RFW_FRAME_H
#define RFW_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "protocol/cobs.h"

/** Bytes a frame carries around its message's payload: type, flags, id (4) and the CRC-32C (4). */
#define RFW_FRAME_OVERHEAD 8u

/** The buffer a reader needs for messages of up to `max_message` bytes. */
static inline size_t rfw_frame_buffer_bytes(size_t max_message) { return rfw_cobs_max_encoded(max_message + 4); }

typedef enum rfw_frame_event {
  RFW_FRAME_NONE = 0,     /* the byte was taken; no frame ended */
  RFW_FRAME_MESSAGE = 1,  /* a checked message is in the buffer: rfw_frame_reader.message, .length */
  RFW_FRAME_OVERSIZED = 2,
  RFW_FRAME_CORRUPT = 3,  /* not COBS, or shorter than a header and a CRC */
  RFW_FRAME_CRC = 4
} rfw_frame_event;

typedef struct rfw_frame_stats {
  uint32_t frames;
  uint32_t oversized;
  uint32_t corrupt;
  uint32_t crc;
} rfw_frame_stats;

typedef struct rfw_frame_reader {
  uint8_t *buffer;
  size_t capacity;
  size_t fill;
  int skipping;
  /** After RFW_FRAME_MESSAGE: the message (type through payload, CRC removed), inside `buffer`. */
  const uint8_t *message;
  size_t length;
  rfw_frame_stats stats;
} rfw_frame_reader;

/** @param[in] buffer caller-owned, rfw_frame_buffer_bytes(max_message) bytes */
void rfw_frame_reader_init(rfw_frame_reader *r, uint8_t *buffer, size_t capacity);

/**
 * Takes one byte. After RFW_FRAME_MESSAGE the message stays valid until the next byte is pushed (or
 * until rfw_frame_reader_swap hands the buffer over).
 */
rfw_frame_event rfw_frame_reader_push(rfw_frame_reader *r, uint8_t byte);

/**
 * Gives the reader a fresh buffer of the same capacity and returns the one holding the last message,
 * so a board can work on one message while the next arrives.
 */
uint8_t *rfw_frame_reader_swap(rfw_frame_reader *r, uint8_t *fresh);

/** Where encoded frame bytes go (a serial port); nonzero return = failure, passed back to the caller. */
typedef int (*rfw_frame_sink)(void *context, const uint8_t *bytes, size_t length);

typedef struct rfw_frame_writer {
  rfw_cobs_encoder cobs;
  uint32_t crc;
  size_t length; /* message bytes so far */
  int failed;
  rfw_frame_sink sink;
  void *context;
} rfw_frame_writer;

void rfw_frame_writer_init(rfw_frame_writer *w, rfw_frame_sink sink, void *context);

/** Starts a message: its header (type, flags, id). */
void rfw_frame_begin(rfw_frame_writer *w, uint8_t type, uint8_t flags, uint16_t id);
void rfw_frame_put(rfw_frame_writer *w, const void *bytes, size_t length);
void rfw_frame_u8(rfw_frame_writer *w, uint8_t v);
void rfw_frame_u16(rfw_frame_writer *w, uint16_t v);
void rfw_frame_u32(rfw_frame_writer *w, uint32_t v);
void rfw_frame_f32(rfw_frame_writer *w, float v);
/** A string with a one-byte length (the caller has cut it to at most 255 bytes). */
void rfw_frame_str8(rfw_frame_writer *w, const char *text, size_t length);

/** Appends the CRC and the delimiter; returns 0, or the sink's first failure. */
int rfw_frame_end(rfw_frame_writer *w);

/**
 * The longest prefix of text[0 .. length − 1] that fits in `max` bytes without cutting a UTF-8 sequence.
 */
size_t rfw_utf8_cut(const char *text, size_t length, size_t max);

#endif
