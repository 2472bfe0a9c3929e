/* The board fuzzer's in-memory port (fake-port.c): what the harness controls between inputs. */
#ifndef RFW_FAKE_PORT_H
#define RFW_FAKE_PORT_H

#include <stddef.h>
#include <stdint.h>

/** A fresh board's storage (erased), `serial` as everything the studio will send, the clock at 0. */
void rfw_fake_port_reset(const uint8_t *serial, size_t length, int map);

/** Nonzero once the board has read every serial byte. */
int rfw_fake_port_drained(void);

#endif
