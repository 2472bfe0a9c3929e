/*
 * reframe-fw-board: the protocol's board side (src/board/) on a Cortex-M board's UART. The arena is what
 * the linker leaves of the SRAM between .bss and the stack (a few MB on mps2-an386, what is left of the
 * netduinoplus2's 192 KB). Log lines go to the semihosting host's standard error, never to the UART,
 * among them the stack's high-water mark whenever it rises.
 */
#include <stdint.h>

#include "board/board.h"
#include "cm-board.h"
#include "common/format.h"
#include "port/port.h"

extern uint8_t __arena_start[], __arena_end[], __stack_top[];

int main(void) {
  static rfw_board board;
  static rfw_diag diag;
  const rfw_board_config config = {.name = rfw_cm_board_name, .platform = rfw_cm_board_name};
  const size_t memory = (size_t)(__arena_end - __arena_start);
  const rfw_status s = rfw_board_init(&board, &config, __arena_start, memory, &diag);
  char line[160];
  if (s != RFW_OK) {
    rfw_format(line, sizeof line, "board start failed (%s): %s", rfw_status_name(s), diag.text);
    rfw_port_log(RFW_LOG_ERROR, line);
    return 1;
  }
  rfw_format(line, sizeof line, "board ready: %u bytes of memory, %u of them for models", (unsigned)memory, (unsigned)rfw_board_ram(&board));
  rfw_port_log(RFW_LOG_INFO, line);
  /* The stack is small on a small board: say how deep it has been, every time it went deeper. */
  const uint32_t stack_bytes = (uint32_t)(__stack_top - __arena_end);
  uint32_t polls = 0, stack_logged = 0;
  while (rfw_board_poll(&board, 100000) != RFW_ERR_PORT) {
    if ((++polls & 15u) != 0) continue;
    const uint32_t peak = rfw_cm_stack_peak();
    if (peak <= stack_logged) continue;
    stack_logged = peak;
    rfw_format(line, sizeof line, "stack high-water %u of %u bytes", (unsigned)peak, (unsigned)stack_bytes);
    rfw_port_log(peak > stack_bytes / 4u * 3u ? RFW_LOG_WARN : RFW_LOG_DEBUG, line);
  }
  rfw_board_flush(&board);
  return 1;
}
