/*
 * The port surface: everything the runtime needs from a board, and nothing else. A port is one C file
 * (ports/<board>/) that defines these functions; the runtime calls no other platform code (no stdio,
 * no malloc, no libm in regeneration). Phase 1 uses log, time and the Ed25519 hook; serial and storage
 * are declared here so every port is written against the whole contract, and the protocol's board side
 * (phase 2) is their first user.
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
 * Phase 2 (the protocol's board side) — declared, not yet defined by any port:
 *
 * Serial: a byte stream to the studio (UART, USB CDC, a pty on the host port).
 *   rfw_status rfw_port_serial_read(uint8_t *buffer, size_t capacity, size_t *got, uint32_t timeout_us);
 *   rfw_status rfw_port_serial_write(const uint8_t *bytes, size_t length);
 *
 * Storage: regions that survive a restart (two package slots, the pending upload, the slot pointer and
 * the upload's resume record), written so that a power cut leaves the old state or the new one.
 *   rfw_status rfw_port_storage_size(rfw_storage_region region, uint32_t *bytes);
 *   rfw_status rfw_port_storage_read(rfw_storage_region region, uint32_t offset, uint8_t *out, size_t length);
 *   rfw_status rfw_port_storage_write(rfw_storage_region region, uint32_t offset, const uint8_t *bytes, size_t length);
 *   rfw_status rfw_port_storage_sync(rfw_storage_region region);
 *   const uint8_t *rfw_port_storage_map(rfw_storage_region region);  (memory-mapped flash, or NULL)
 */

#endif
