/*
 * Serial on the STM32F405's USART1 (0x40011000). Its receive interrupt fills the ring of serial-rx.c.
 * QEMU drops what arrives while the USART is disabled, so it is enabled before anything else runs; after
 * that QEMU hands it a byte only once the last has been read (the character device's flow control), so a
 * full ring holds bytes back on the host's side rather than losing them. Sending is polled.
 */
#include <stdint.h>

#include "cm-board.h"
#include "cortex-m.h"
#include "netduinoplus2.h"
#include "port/port.h"
#include "serial-rx.h"

#define USART1 0x40011000u
#define USART_SR RFW_REG32(USART1 + 0x00u)
#define USART_DR RFW_REG32(USART1 + 0x04u)
#define USART_BRR RFW_REG32(USART1 + 0x08u)
#define USART_CR1 RFW_REG32(USART1 + 0x0Cu)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define CR1_UE (1u << 13)
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)
#define CR1_RXNEIE (1u << 5)
#define USART1_IRQ 37u

void rfw_stm32_usart_init(void) {
  USART_BRR = 84000000u / 115200u; /* APB2 at 84 MHz; QEMU ignores the rate itself */
  USART_CR1 = CR1_UE | CR1_TE | CR1_RE;
  rfw_cm_irq_enable(USART1_IRQ);
}

/* The interrupt line follows RXNE while RXNEIE is on; reading DR lowers it. */
void rfw_cm_uart_rx_service(void) {
  while (rfw_cm_rx_room() > 0 && (USART_SR & SR_RXNE) != 0) rfw_cm_rx_put((uint8_t)USART_DR);
  if (rfw_cm_rx_room() > 0) USART_CR1 |= CR1_RXNEIE;
  else USART_CR1 &= ~CR1_RXNEIE;
}

void rfw_cm_irq(unsigned irq) {
  if (irq == USART1_IRQ) rfw_cm_uart_rx_service();
  else rfw_cm_irq_disable(irq);
}

rfw_status rfw_port_serial_write(const uint8_t *bytes, size_t length) {
  if (bytes == NULL && length > 0) return RFW_ERR_ARGUMENT;
  for (size_t i = 0; i < length; i++) {
    while ((USART_SR & SR_TXE) == 0) {
    }
    USART_DR = bytes[i];
  }
  return RFW_OK;
}
