/*
 * The port functions every Cortex-M board shares: log lines to the semihosting host's standard error
 * (never to the protocol's UART), the microsecond clock from SysTick, and no Ed25519 — verifying
 * signatures on the board is left for a port with a verifier; until then the decoder refuses, by its
 * `signature` check, any package it is asked to verify (RFW_ERR_UNSUPPORTED).
 */
#include <string.h>

#include "cm-board.h"
#include "port/port.h"
#include "semihosting.h"

void rfw_port_log(rfw_log_level level, const char *text) {
  static const char *const names[] = {"debug", "info", "warn", "error"};
  static int32_t handle = -2;
  if (handle == -2) handle = rfw_sh_open(":tt", RFW_SH_MODE_APPEND);
  if (handle < 0) return;
  const char *name = names[(unsigned)level < 4 ? (unsigned)level : 3];
  char line[256];
  /* One write per line, so lines of a board and of QEMU do not interleave mid-line. */
  size_t n = 0;
  const char *parts[4] = {"reframe-fw ", name, ": ", text};
  for (int p = 0; p < 4; p++) {
    const size_t len = strlen(parts[p]);
    const size_t take = len < sizeof line - 1 - n ? len : sizeof line - 1 - n;
    memcpy(line + n, parts[p], take);
    n += take;
  }
  line[n++] = '\n';
  rfw_sh_write(handle, line, n);
}

uint32_t rfw_port_micros(void) { return (uint32_t)(rfw_cm_ticks() / (rfw_cm_clock_hz / 1000000u)); }

rfw_status rfw_port_ed25519_verify(const uint8_t public_key[32], const uint8_t *message, size_t length, const uint8_t signature[64]) {
  (void)public_key, (void)message, (void)length, (void)signature;
  return RFW_ERR_UNSUPPORTED;
}
