/* The netduinoplus2 board's parts, set up by board-netduino.c. */
#ifndef RFW_NETDUINOPLUS2_H
#define RFW_NETDUINOPLUS2_H

/** USART1 at 0x40011000: enabled, receiving by interrupt. */
void rfw_stm32_usart_init(void);

#endif
