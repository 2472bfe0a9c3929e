#include "serial-rx.h"

#include <stddef.h>

#include "cortex-m.h"
#include "port/port.h"

#define RING_BYTES 1024u /* a power of two */

static uint8_t ring[RING_BYTES];
static volatile uint32_t head; /* written by the interrupt */
static volatile uint32_t tail; /* written by the reader */

uint32_t rfw_cm_rx_room(void) { return RING_BYTES - (head - tail); }

void rfw_cm_rx_put(uint8_t byte) {
  ring[head % RING_BYTES] = byte;
  head = head + 1u;
}

rfw_status rfw_port_serial_read(uint8_t *buffer, size_t capacity, size_t *got, uint32_t timeout_us) {
  if (got == NULL || (buffer == NULL && capacity > 0)) return RFW_ERR_ARGUMENT;
  *got = 0;
  if (capacity == 0) return RFW_OK;
  const uint32_t start = rfw_port_micros();
  for (;;) {
    const int expired = (uint32_t)(rfw_port_micros() - start) >= timeout_us;
    /* Masked, so a byte that arrives now wakes the WFI instead of slipping past the check. */
    rfw_cm_interrupts_off();
    rfw_cm_uart_rx_service();
    if (head == tail && !expired) rfw_cm_wait_for_interrupt();
    rfw_cm_interrupts_on();
    size_t n = 0;
    for (uint32_t t = tail; n < capacity && t != head; t++) buffer[n++] = ring[t % RING_BYTES];
    if (n > 0) {
      tail = tail + (uint32_t)n;
      *got = n;
      return RFW_OK;
    }
    if (expired) return RFW_OK;
  }
}
