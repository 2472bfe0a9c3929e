/*
 * The host port's storage: one file per region in the --store directory. Package regions are sparse
 * files of the region size, memory-mapped read-only when asked (the page cache keeps the mapping in
 * step with pwrite); a sync is fdatasync, so the board's order — data synced before the record that
 * names it, records in alternating copies — survives a crash or a power cut.
 */
#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "port/port.h"
#include "ports/host/port-host.h"

#define STATE_BYTES 4096u

static int fds[RFW_REGION_COUNT] = {-1, -1, -1, -1};
static uint32_t sizes[RFW_REGION_COUNT];
static const uint8_t *maps[RFW_REGION_COUNT];

static int fail(char *why, size_t why_size, const char *what, const char *path) {
  snprintf(why, why_size, "cannot %s %s (%s)", what, path, strerror(errno));
  return -1;
}

int rfw_host_storage_open(const char *dir, uint32_t region_bytes, int map, char *why, size_t why_size) {
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) return fail(why, why_size, "create", dir);
  const int dir_fd = open(dir, O_RDONLY | O_DIRECTORY);
  if (dir_fd < 0) return fail(why, why_size, "open", dir);
  for (int r = 0; r < RFW_REGION_COUNT; r++) {
    char path[4096];
    if (r == RFW_REGION_STATE) snprintf(path, sizeof path, "%s/state.bin", dir);
    else snprintf(path, sizeof path, "%s/package-%d.bin", dir, r);
    sizes[r] = r == RFW_REGION_STATE ? STATE_BYTES : region_bytes;
    fds[r] = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    struct stat st;
    if (fds[r] < 0 || fstat(fds[r], &st) != 0) return fail(why, why_size, "open", path);
    if ((uint64_t)st.st_size < sizes[r] && ftruncate(fds[r], (off_t)sizes[r]) != 0) return fail(why, why_size, "size", path);
    if (fdatasync(fds[r]) != 0) return fail(why, why_size, "sync", path);
    if (map && r != RFW_REGION_STATE) {
      void *m = mmap(NULL, sizes[r], PROT_READ, MAP_SHARED, fds[r], 0);
      if (m == MAP_FAILED) return fail(why, why_size, "map", path);
      maps[r] = (const uint8_t *)m;
    }
  }
  /* The files' directory entries must survive a cut too. */
  const int synced = fsync(dir_fd);
  close(dir_fd);
  if (synced != 0) return fail(why, why_size, "sync", dir);
  return 0;
}

void rfw_host_storage_close(void) {
  for (int r = 0; r < RFW_REGION_COUNT; r++) {
    if (maps[r] != NULL) munmap((void *)maps[r], sizes[r]);
    if (fds[r] >= 0) close(fds[r]);
    maps[r] = NULL;
    fds[r] = -1;
  }
}

static int usable(rfw_storage_region region, uint32_t offset, size_t length) {
  return (unsigned)region < RFW_REGION_COUNT && fds[region] >= 0 && offset <= sizes[region] && length <= sizes[region] - offset;
}

rfw_status rfw_port_storage_size(rfw_storage_region region, uint32_t *bytes) {
  if ((unsigned)region >= RFW_REGION_COUNT || fds[region] < 0) return RFW_ERR_PORT;
  *bytes = sizes[region];
  return RFW_OK;
}

rfw_status rfw_port_storage_read(rfw_storage_region region, uint32_t offset, uint8_t *out, size_t length) {
  if (!usable(region, offset, length)) return RFW_ERR_RANGE;
  while (length > 0) {
    const ssize_t n = pread(fds[region], out, length, (off_t)offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return RFW_ERR_PORT;
    out += n;
    offset += (uint32_t)n;
    length -= (size_t)n;
  }
  return RFW_OK;
}

rfw_status rfw_port_storage_write(rfw_storage_region region, uint32_t offset, const uint8_t *bytes, size_t length) {
  if (!usable(region, offset, length)) return RFW_ERR_RANGE;
  while (length > 0) {
    const ssize_t n = pwrite(fds[region], bytes, length, (off_t)offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return RFW_ERR_PORT;
    bytes += n;
    offset += (uint32_t)n;
    length -= (size_t)n;
  }
  return RFW_OK;
}

rfw_status rfw_port_storage_sync(rfw_storage_region region) {
  if ((unsigned)region >= RFW_REGION_COUNT || fds[region] < 0) return RFW_ERR_PORT;
  return fdatasync(fds[region]) == 0 ? RFW_OK : RFW_ERR_PORT;
}

const uint8_t *rfw_port_storage_map(rfw_storage_region region) { return (unsigned)region < RFW_REGION_COUNT ? maps[region] : NULL; }

int rfw_port_storage_persistent(void) { return 1; }
