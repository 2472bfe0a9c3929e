/*
 * The port surface in memory, for the board fuzzer: serial input is the bytes the harness framed from
 * the fuzz input, serial output is thrown away, storage is four RAM regions cleared for every input,
 * and the clock advances by each wait, so the board's quiet-link and resume-record timers run too.
 */
#include <string.h>

#include "fuzz/fake-port.h"
#include "port/port.h"

#define REGION_BYTES (64u * 1024u)
#define STATE_BYTES 4096u

static uint8_t regions[3][REGION_BYTES];
static uint8_t state[STATE_BYTES];
static const uint8_t *serial_in;
static size_t serial_len, serial_pos;
static uint32_t clock_us;
static int mapped = 1;

void rfw_fake_port_reset(const uint8_t *serial, size_t length, int map) {
  memset(regions, 0xff, sizeof regions); /* erased flash */
  memset(state, 0xff, sizeof state);
  serial_in = serial;
  serial_len = length;
  serial_pos = 0;
  clock_us = 0;
  mapped = map;
}

int rfw_fake_port_drained(void) { return serial_pos == serial_len; }

void rfw_port_log(rfw_log_level level, const char *text) {
  (void)level;
  (void)text;
}

uint32_t rfw_port_micros(void) { return clock_us += 7; }

rfw_status rfw_port_ed25519_verify(const uint8_t public_key[32], const uint8_t *message, size_t length, const uint8_t signature[64]) {
  (void)public_key;
  (void)message;
  (void)length;
  (void)signature;
  return RFW_ERR_UNSUPPORTED;
}

rfw_status rfw_port_serial_read(uint8_t *buffer, size_t capacity, size_t *got, uint32_t timeout_us) {
  size_t n = serial_len - serial_pos;
  if (n > capacity) n = capacity;
  /* Irregular read sizes, as a UART gives: frames split anywhere. */
  if (n > 1 && serial_pos % 7 == 3) n = n / 2;
  memcpy(buffer, serial_in + serial_pos, n);
  serial_pos += n;
  *got = n;
  if (n == 0) clock_us += timeout_us;
  return RFW_OK;
}

rfw_status rfw_port_serial_write(const uint8_t *bytes, size_t length) {
  (void)bytes;
  (void)length;
  return RFW_OK;
}

static uint8_t *region_bytes(rfw_storage_region region, uint32_t *size) {
  if (region == RFW_REGION_STATE) {
    *size = STATE_BYTES;
    return state;
  }
  if ((unsigned)region < 3u) {
    *size = REGION_BYTES;
    return regions[region];
  }
  return NULL;
}

rfw_status rfw_port_storage_size(rfw_storage_region region, uint32_t *bytes) {
  return region_bytes(region, bytes) == NULL ? RFW_ERR_PORT : RFW_OK;
}

rfw_status rfw_port_storage_read(rfw_storage_region region, uint32_t offset, uint8_t *out, size_t length) {
  uint32_t size = 0;
  const uint8_t *r = region_bytes(region, &size);
  if (r == NULL || offset > size || length > size - offset) return RFW_ERR_RANGE;
  memcpy(out, r + offset, length);
  return RFW_OK;
}

rfw_status rfw_port_storage_write(rfw_storage_region region, uint32_t offset, const uint8_t *bytes, size_t length) {
  uint32_t size = 0;
  uint8_t *r = region_bytes(region, &size);
  if (r == NULL || offset > size || length > size - offset) return RFW_ERR_RANGE;
  memcpy(r + offset, bytes, length);
  return RFW_OK;
}

rfw_status rfw_port_storage_sync(rfw_storage_region region) {
  uint32_t size = 0;
  return region_bytes(region, &size) == NULL ? RFW_ERR_PORT : RFW_OK;
}

const uint8_t *rfw_port_storage_map(rfw_storage_region region) {
  uint32_t size = 0;
  return mapped && region != RFW_REGION_STATE ? region_bytes(region, &size) : NULL;
}

int rfw_port_storage_persistent(void) { return 1; }
