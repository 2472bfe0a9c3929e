/*
 * Serial on the CMSDK APB UART0 (0x40004000). Its receive interrupt fills the ring of serial-rx.c; its
 * receive buffer holds one byte, and QEMU hands it the next only once that one has been read (the
 * character device's flow control), so a full ring holds bytes back on the host's side rather than
 * losing them. Sending is polled.
 */
#include <stdint.h>

#include "cm-board.h"
#include "cortex-m.h"
#include "mps2-an386.h"
#include "port/port.h"
#include "serial-rx.h"

#define UART0 0x40004000u
#define UART_DATA RFW_REG32(UART0 + 0x000u)
#define UART_STATE RFW_REG32(UART0 + 0x004u)
#define UART_CTRL RFW_REG32(UART0 + 0x008u)
#define UART_INTCLEAR RFW_REG32(UART0 + 0x00Cu)
#define UART_BAUDDIV RFW_REG32(UART0 + 0x010u)
#define STATE_TX_FULL 1u
#define STATE_RX_FULL 2u
#define CTRL_TX_ENABLE 1u
#define CTRL_RX_ENABLE 2u
#define CTRL_RX_INTERRUPT 8u
#define INT_RX 2u
#define UART0_RX_IRQ 0u

void rfw_mps2_uart_init(void) {
  UART_BAUDDIV = 16; /* the smallest divider the UART accepts; QEMU ignores the rate itself */
  UART_CTRL = CTRL_TX_ENABLE | CTRL_RX_ENABLE;
  rfw_cm_irq_enable(UART0_RX_IRQ);
}

/*
 * QEMU raises this UART's receive interrupt only for a byte that arrives while the interrupt is on, so it
 * goes on before the UART is read: a byte arriving in between interrupts, none waits unnoticed.
 */
void rfw_cm_uart_rx_service(void) {
  UART_INTCLEAR = INT_RX;
  UART_CTRL |= CTRL_RX_INTERRUPT;
  while (rfw_cm_rx_room() > 0 && (UART_STATE & STATE_RX_FULL) != 0) rfw_cm_rx_put((uint8_t)UART_DATA);
  if (rfw_cm_rx_room() == 0) UART_CTRL &= ~CTRL_RX_INTERRUPT;
}

void rfw_cm_irq(unsigned irq) {
  if (irq == UART0_RX_IRQ) rfw_cm_uart_rx_service();
  else rfw_cm_irq_disable(irq);
}

rfw_status rfw_port_serial_write(const uint8_t *bytes, size_t length) {
  if (bytes == NULL && length > 0) return RFW_ERR_ARGUMENT;
  for (size_t i = 0; i < length; i++) {
    while ((UART_STATE & STATE_TX_FULL) != 0) {
    }
    UART_DATA = bytes[i];
  }
  return RFW_OK;
}
