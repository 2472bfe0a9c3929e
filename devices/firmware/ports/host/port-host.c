/*
 * The host port: a POSIX program. Log lines go to stderr, time comes from CLOCK_MONOTONIC, and Ed25519
 * signatures are verified for real through Debian's libsodium (libsodium-dev), so the host build checks
 * signed packages exactly as the studio does. Serial (a pty) and storage (files) arrive with phase 2.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <time.h>

#include <sodium.h>

#include "port/port.h"

void rfw_port_log(rfw_log_level level, const char *text) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  fprintf(stderr, "reframe-fw %s: %s\n", names[(unsigned)level < 4 ? (unsigned)level : 3], text);
}

uint32_t rfw_port_micros(void) {
  struct timespec now;
  if (clock_gettime(CLOCK_MONOTONIC, &now) != 0) return 0;
  return (uint32_t)((uint64_t)now.tv_sec * 1000000u + (uint64_t)now.tv_nsec / 1000u);
}

rfw_status rfw_port_ed25519_verify(const uint8_t public_key[32], const uint8_t *message, size_t length, const uint8_t signature[64]) {
  static int ready = 0;
  if (!ready) {
    /* sodium_init is idempotent; 1 means it had already run. */
    if (sodium_init() < 0) return RFW_ERR_UNSUPPORTED;
    ready = 1;
  }
  return crypto_sign_verify_detached(signature, message, length, public_key) == 0 ? RFW_OK : RFW_REJECT_SIGNATURE;
}
