/*
 * netduinoplus2: QEMU's model of the STM32F405 (Cortex-M4 with the single-precision FPU), clocked at
 * 168 MHz. Serial is USART1 (QEMU's first -serial); storage is host files through semihosting.
 */
#include "cm-board.h"
#include "netduinoplus2.h"

const uint32_t rfw_cm_clock_hz = 168000000u;
const char rfw_cm_board_name[] = "netduinoplus2";

void rfw_cm_board_init(void) { rfw_stm32_usart_init(); }
