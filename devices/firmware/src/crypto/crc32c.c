#include "crypto/crc32c.h"

/*
 * Four bits at a time: a 64-byte table instead of 1 KiB keeps flash small on boards, at two lookups
 * per byte (hundreds of MB/s on a host, far above any link the CRC guards).
 */
static const uint32_t NIBBLE[16] = {
    0x00000000u, 0x105ec76fu, 0x20bd8edeu, 0x30e349b1u, 0x417b1dbcu, 0x5125dad3u, 0x61c69362u, 0x7198540du,
    0x82f63b78u, 0x92a8fc17u, 0xa24bb5a6u, 0xb21572c9u, 0xc38d26c4u, 0xd3d3e1abu, 0xe330a81au, 0xf36e6f75u,
};

uint32_t rfw_crc32c_update(uint32_t crc, const uint8_t *data, size_t len) {
  uint32_t c = ~crc;
  for (size_t i = 0; i < len; i++) {
    c ^= data[i];
    c = NIBBLE[c & 15] ^ (c >> 4);
    c = NIBBLE[c & 15] ^ (c >> 4);
  }
  return ~c;
}

uint32_t rfw_crc32c(const uint8_t *data, size_t len) { return rfw_crc32c_update(0, data, len); }
