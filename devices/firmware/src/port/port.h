/*
 * The port surface: everything the runtime needs from a board, and nothing else. A port is one C file
 * (ports/<board>/) that defines these functions; the runtime calls no other platform code (no stdio,
 * no malloc, no libm in regeneration). The package decoder uses log, time and the Ed25519 hook; the
 * protocol's board side (src/board/) uses serial and storage.
 */
#ifndef RFW_PORT_H
#define RFW_PORT_H

#include <stddef.h>
#include <stdint.h>

#include "common/status.h"

typedef enum rfw_log_level { RFW_LOG_DEBUG = 0, RFW_LOG_INFO = 1, RFW_LOG_WARN = 2, RFW_LOG_ERROR = 3 } rfw_log_level;

/**
 * One line of text for a human (a debug UART, stderr). Must not block for long and must not fail.
 * @param[in] level how much it matters
 * @param[in] text  NUL-terminated UTF-8, without a newline
 */
void rfw_port_log(rfw_log_level level, const char *text);

/** A free-running microsecond clock; it may wrap (compare differences as uint32_t). */
uint32_t rfw_port_micros(void);

/**
 * Verifies a pure Ed25519 signature (RFC 8032).
 * @param[in] public_key the signer's raw 32-byte public key
 * @param[in] message    the signed message ("RFPK-SIG1" and the package digest, 41 bytes)
 * @param[in] length     its length
 * @param[in] signature  the 64-byte signature
 * @return RFW_OK when it verifies, RFW_REJECT_SIGNATURE when it does not, RFW_ERR_UNSUPPORTED when
 *         this port cannot verify signatures (the parser then refuses signed packages it is asked to check)
 */
rfw_status rfw_port_ed25519_verify(const uint8_t public_key[32], const uint8_t *message, size_t length, const uint8_t signature[64]);

/*
 * Serial: the byte stream to the studio (a UART, USB CDC, a pty on the host port).
 */

/**
 * Reads what has arrived, waiting at most `timeout_us` for the first byte.
 * @param[out] got bytes written to `buffer` (0 on a timeout, which is not an error)
 * @return RFW_OK, or RFW_ERR_PORT when the link is gone for good
 */
rfw_status rfw_port_serial_read(uint8_t *buffer, size_t capacity, size_t *got, uint32_t timeout_us);

/** Writes all of `bytes` (blocking until the port has taken them). */
rfw_status rfw_port_serial_write(const uint8_t *bytes, size_t length);

/*
 * Storage: regions that survive a restart where the board has such storage (flash, files). Three equal
 * package regions (the active package, the previous one, and the upload in progress: a commit changes
 * which is which, it never copies) and one small state region (the slot record and the upload's resume
 * record, each kept as two alternating copies with a sequence number and a CRC, so a power cut leaves
 * the old record or the new one). A write may go only where it is asked; a sync makes every earlier
 * write of the region durable.
 */
typedef enum rfw_storage_region {
  RFW_REGION_PACKAGE_0 = 0,
  RFW_REGION_PACKAGE_1 = 1,
  RFW_REGION_PACKAGE_2 = 2,
  RFW_REGION_STATE = 3,
  RFW_REGION_COUNT = 4
} rfw_storage_region;

/** Capacity of a region in bytes (0 when the port has no such region). */
rfw_status rfw_port_storage_size(rfw_storage_region region, uint32_t *bytes);
rfw_status rfw_port_storage_read(rfw_storage_region region, uint32_t offset, uint8_t *out, size_t length);
rfw_status rfw_port_storage_write(rfw_storage_region region, uint32_t offset, const uint8_t *bytes, size_t length);
rfw_status rfw_port_storage_sync(rfw_storage_region region);

/** The region's bytes, memory-mapped (flash, code RAM, a host file's mirror), or NULL when not mappable. */
const uint8_t *rfw_port_storage_map(rfw_storage_region region);

/** Nonzero when storage survives a restart (INFO capability bit 4). */
int rfw_port_storage_persistent(void);

#endif
