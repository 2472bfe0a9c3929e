/*
 * Storage in four host files through ARM semihosting, in the directory QEMU was started in (semihosting
 * paths are the host's, relative to QEMU's working directory): reframe-package-0.bin .. -2.bin and
 * reframe-state.bin. They survive a restart of the emulated board (persistent), but nothing maps them
 * into the address space (map returns NULL): the board side reads a package into RAM. Each region is
 * capped as the chip's 1 MB flash would cap it: 256 KB per package region, 4 KB of state. Bytes never
 * written read as zero, as a new file's holes do. A sync has nothing to add: every write is already a
 * write(2) on the host.
 */
#include <stdint.h>
#include <string.h>

#include "port/port.h"
#include "semihosting.h"

#define PACKAGE_BYTES (256u * 1024u)
#define STATE_BYTES 4096u

static const char *const names[RFW_REGION_COUNT] = {"reframe-package-0.bin", "reframe-package-1.bin", "reframe-package-2.bin", "reframe-state.bin"};
static int32_t handles[RFW_REGION_COUNT] = {-1, -1, -1, -1};

static uint32_t capacity(rfw_storage_region region) { return region == RFW_REGION_STATE ? STATE_BYTES : PACKAGE_BYTES; }

/* The region's file, opened on first use: an existing one for update, else a new one. */
static rfw_status file_of(rfw_storage_region region, int32_t *handle) {
  if ((unsigned)region >= RFW_REGION_COUNT) return RFW_ERR_ARGUMENT;
  if (handles[region] < 0) {
    int32_t h = rfw_sh_open(names[region], RFW_SH_MODE_UPDATE_BINARY);
    if (h < 0) h = rfw_sh_open(names[region], RFW_SH_MODE_CREATE_BINARY);
    if (h < 0) return RFW_ERR_PORT;
    handles[region] = h;
  }
  *handle = handles[region];
  return RFW_OK;
}

static rfw_status check_range(rfw_storage_region region, uint32_t offset, size_t length) {
  if ((unsigned)region >= RFW_REGION_COUNT) return RFW_ERR_ARGUMENT;
  return offset <= capacity(region) && length <= capacity(region) - offset ? RFW_OK : RFW_ERR_RANGE;
}

rfw_status rfw_port_storage_size(rfw_storage_region region, uint32_t *bytes) {
  if ((unsigned)region >= RFW_REGION_COUNT || bytes == NULL) return RFW_ERR_ARGUMENT;
  *bytes = capacity(region);
  return RFW_OK;
}

rfw_status rfw_port_storage_read(rfw_storage_region region, uint32_t offset, uint8_t *out, size_t length) {
  int32_t h;
  rfw_status s = check_range(region, offset, length);
  if (s == RFW_OK) s = file_of(region, &h);
  if (s != RFW_OK || length == 0) return s;
  const int32_t file_length = rfw_sh_length(h);
  if (file_length < 0) return RFW_ERR_PORT;
  /* The part the file holds is read; the rest, past its end, reads as zero. */
  const size_t present = (uint32_t)file_length <= offset ? 0 : ((uint32_t)file_length - offset < length ? (uint32_t)file_length - offset : length);
  if (present > 0 && (rfw_sh_seek(h, offset) != 0 || rfw_sh_read(h, out, present) != 0)) return RFW_ERR_PORT;
  memset(out + present, 0, length - present);
  return RFW_OK;
}

rfw_status rfw_port_storage_write(rfw_storage_region region, uint32_t offset, const uint8_t *bytes, size_t length) {
  int32_t h;
  rfw_status s = check_range(region, offset, length);
  if (s == RFW_OK) s = file_of(region, &h);
  if (s != RFW_OK || length == 0) return s;
  if (rfw_sh_seek(h, offset) != 0 || rfw_sh_write(h, bytes, length) != 0) return RFW_ERR_PORT;
  return RFW_OK;
}

rfw_status rfw_port_storage_sync(rfw_storage_region region) { return (unsigned)region < RFW_REGION_COUNT ? RFW_OK : RFW_ERR_ARGUMENT; }

const uint8_t *rfw_port_storage_map(rfw_storage_region region) {
  (void)region;
  return NULL;
}

int rfw_port_storage_persistent(void) { return 1; }
