/*
 * CRC-32C (Castagnoli): reflected polynomial 0x82F63B78, init and final xor 0xFFFFFFFF — the checksum of
 * a package's directory entries and of the push protocol's frames.
 */
#ifndef RFW_CRC32C_H
#define RFW_CRC32C_H

#include <stddef.h>
#include <stdint.h>

/** CRC-32C of one buffer. */
uint32_t rfw_crc32c(const uint8_t *data, size_t len);

/**
 * Continues a CRC over more bytes: start from 0, feed the pieces in order; the result equals
 * rfw_crc32c of their concatenation.
 */
uint32_t rfw_crc32c_update(uint32_t crc, const uint8_t *data, size_t len);

#endif
