/*
 * Storage in the code RAM above the firmware image (0 .. 4 MB is writable RAM on this board): three equal
 * package regions and a 4 KB state region, laid out between the linker's __storage_start and
 * __storage_end. It is memory-mapped, so the decoder reads a package in place, and not persistent: QEMU
 * starts every run with it zeroed.
 */
#include <stdint.h>
#include <string.h>

#include "mps2-an386.h"
#include "port/port.h"

extern uint8_t __storage_start[], __storage_end[];

#define STATE_BYTES 4096u
#define ALIGNMENT 4096u

static uint8_t *region_base[RFW_REGION_COUNT];
static uint32_t region_bytes[RFW_REGION_COUNT];

void rfw_mps2_storage_init(void) {
  const uint32_t total = (uint32_t)(__storage_end - __storage_start);
  const uint32_t package = total > STATE_BYTES ? (total - STATE_BYTES) / 3u / ALIGNMENT * ALIGNMENT : 0;
  for (unsigned r = 0; r < 3; r++) {
    region_base[r] = __storage_start + r * package;
    region_bytes[r] = package;
  }
  region_base[RFW_REGION_STATE] = __storage_start + 3u * package;
  region_bytes[RFW_REGION_STATE] = total >= 3u * package + STATE_BYTES ? STATE_BYTES : 0;
}

static rfw_status window(rfw_storage_region region, uint32_t offset, size_t length, uint8_t **at) {
  if ((unsigned)region >= RFW_REGION_COUNT) return RFW_ERR_ARGUMENT;
  if (offset > region_bytes[region] || length > region_bytes[region] - offset) return RFW_ERR_RANGE;
  *at = region_base[region] + offset;
  return RFW_OK;
}

rfw_status rfw_port_storage_size(rfw_storage_region region, uint32_t *bytes) {
  if ((unsigned)region >= RFW_REGION_COUNT || bytes == NULL) return RFW_ERR_ARGUMENT;
  *bytes = region_bytes[region];
  return RFW_OK;
}

rfw_status rfw_port_storage_read(rfw_storage_region region, uint32_t offset, uint8_t *out, size_t length) {
  uint8_t *at;
  const rfw_status s = window(region, offset, length, &at);
  if (s == RFW_OK && length > 0) memcpy(out, at, length);
  return s;
}

rfw_status rfw_port_storage_write(rfw_storage_region region, uint32_t offset, const uint8_t *bytes, size_t length) {
  uint8_t *at;
  const rfw_status s = window(region, offset, length, &at);
  if (s == RFW_OK && length > 0) memmove(at, bytes, length);
  return s;
}

rfw_status rfw_port_storage_sync(rfw_storage_region region) { return (unsigned)region < RFW_REGION_COUNT ? RFW_OK : RFW_ERR_ARGUMENT; }

const uint8_t *rfw_port_storage_map(rfw_storage_region region) { return (unsigned)region < RFW_REGION_COUNT ? region_base[region] : NULL; }

int rfw_port_storage_persistent(void) { return 0; }
