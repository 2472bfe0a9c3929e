/*
 * mps2-an386: QEMU's Arm MPS2 with the AN386 image (Cortex-M4 with the single-precision FPU). QEMU clocks
 * its core, and so SysTick, at 25 MHz. Serial is CMSDK UART0 (QEMU's first -serial); storage is the code
 * RAM above the image.
 */
#include "cm-board.h"
#include "mps2-an386.h"

const uint32_t rfw_cm_clock_hz = 25000000u;
const char rfw_cm_board_name[] = "mps2-an386";

void rfw_cm_board_init(void) {
  rfw_mps2_uart_init();
  rfw_mps2_storage_init();
}
