/*
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, IEEE/ACM ToN 1999), as devices/protocol/cobs.ts
 * does it byte for byte: every 0x00 removed so that 0x00 can end a frame, at most one byte per 254.
 * Decoding works in place (the output never outruns the input), so a board needs one frame buffer.
 */
#ifndef RFW_COBS_H
#define RFW_COBS_H

#include <stddef.h>
#include <stdint.h>

/** The longest encoding of n bytes: one code byte per started 254-byte run, plus the first. */
static inline size_t rfw_cobs_max_encoded(size_t n) { return n + n / 254 + 1; }

/**
 * Decodes one frame body (without its 0x00 delimiter) in place.
 * @param[in,out] buffer the encoded bytes; the decoded bytes on return
 * @param[in] length     encoded length
 * @param[out] decoded   decoded length
 * @return 1 when the bytes are valid COBS, 0 when not (a code byte of 0 or a run past the end)
 */
int rfw_cobs_decode(uint8_t *buffer, size_t length, size_t *decoded);

/**
 * A streaming encoder: bytes go in one at a time, each finished run comes out through `emit`, so a
 * board encodes a message of any length with a 255-byte buffer.
 */
typedef struct rfw_cobs_encoder {
  uint8_t block[255]; /* block[0] is the code byte, then up to 254 data bytes */
  uint8_t fill;       /* data bytes in block */
} rfw_cobs_encoder;

/** Called with each finished run (code byte and data). Returns nonzero to report a failure. */
typedef int (*rfw_cobs_emit)(void *context, const uint8_t *bytes, size_t length);

void rfw_cobs_encoder_init(rfw_cobs_encoder *e);

/** Adds bytes; returns the first nonzero value `emit` returned, else 0. */
int rfw_cobs_put(rfw_cobs_encoder *e, const uint8_t *bytes, size_t length, rfw_cobs_emit emit, void *context);

/** Emits the last run (always, even when empty, as the reference encoder does). */
int rfw_cobs_finish(rfw_cobs_encoder *e, rfw_cobs_emit emit, void *context);

#endif
