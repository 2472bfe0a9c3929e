/*
 * libFuzzer target for the board side of the push protocol (src/board, src/protocol) on an in-memory
 * port (fake-port.c). Random bytes almost never make a frame with a valid CRC, so the input is a script
 * the harness frames itself:
 *
 *   byte 0              bit 0: package regions memory-mapped (else read into the arena);
 *                       bit 1: a small maxMessage (1024) instead of the default
 *   then records:       0x00 len:u16 message   one message (type, flags, id, payload), framed with
 *                                              its CRC-32C and COBS, as a studio would send it
 *                       0x01 len:u8 bytes       raw bytes on the line: garbage, half frames, delimiters
 *
 * The board runs until it has read every byte, then idles long enough to record its upload offset.
 * Seeds are whole sessions written by test/firmware-fuzz.test.ts (HELLO, BEGIN, CHUNKs, COMMIT, INFER,
 * BENCH, ROLLBACK, …), so mutations start from messages that reach every handler.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "board/board.h"
#include "common/bytes.h"
#include "fuzz/fake-port.h"
#include "protocol/frame.h"

#define SERIAL_MAX (4u << 20)
#define MEMORY_BYTES (1u << 20)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t serial[SERIAL_MAX];
static size_t serial_fill;
static uint8_t memory[MEMORY_BYTES];
static rfw_board board;

static int to_serial(void *context, const uint8_t *bytes, size_t length) {
  (void)context;
  if (length > SERIAL_MAX - serial_fill) return 1;
  memcpy(serial + serial_fill, bytes, length);
  serial_fill += length;
  return 0;
}

/* Turns the script into the bytes on the line; stops at the first record that runs past the input. */
static void frame_script(const uint8_t *data, size_t size) {
  rfw_frame_writer w;
  size_t at = 1;
  serial_fill = 0;
  while (at < size) {
    const uint8_t tag = data[at++];
    if ((tag & 1u) == 0) {
      size_t length;
      if (size - at < 2) return;
      length = rfw_u16le(data + at);
      at += 2;
      if (length < 4 || size - at < length) return;
      rfw_frame_writer_init(&w, to_serial, NULL);
      rfw_frame_begin(&w, data[at], data[at + 1], rfw_u16le(data + at + 2));
      rfw_frame_put(&w, data + at + 4, length - 4);
      if (rfw_frame_end(&w) != 0) return;
      at += length;
    } else {
      size_t length;
      if (size - at < 1) return;
      length = data[at++];
      if (size - at < length) return;
      if (to_serial(NULL, data + at, length) != 0) return;
      at += length;
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  rfw_board_config config;
  rfw_diag diag;
  uint32_t polls = 0;
  int i;
  if (size < 1) return 0;
  frame_script(data, size);
  rfw_fake_port_reset(serial, serial_fill, (data[0] & 1u) != 0);
  memset(&config, 0, sizeof config);
  config.name = "fuzz";
  config.platform = "fuzz";
  config.max_message = (data[0] & 2u) != 0 ? 1024u : 0u;
  config.bench_budget_ms = 50;
  if (rfw_board_init(&board, &config, memory, sizeof memory, &diag) != RFW_OK) __builtin_trap();
  while (!rfw_fake_port_drained() && polls++ < 200000u) {
    if (rfw_board_poll(&board, 1000) != RFW_OK) return 0;
  }
  /* Quiet line: the board records its upload's offset. */
  for (i = 0; i < 3; i++) (void)rfw_board_poll(&board, 300000);
  (void)rfw_board_flush(&board);
  return 0;
}
