/*
 * What a Cortex-M board file (ports/<board>/) gives the shared start-up code, and what the shared code
 * gives every program built for a board: the tick clock (SysTick extended to 64 bits) and its reading as
 * microseconds or, under `qemu-system-arm -icount shift=0`, as executed instructions.
 */
#ifndef RFW_CM_BOARD_H
#define RFW_CM_BOARD_H

#include <stdint.h>

/** The frequency SysTick counts at with CLKSOURCE set (the processor clock QEMU models for the board). */
extern const uint32_t rfw_cm_clock_hz;

/** The board's name, as programs print it ("mps2-an386", "netduinoplus2"). */
extern const char rfw_cm_board_name[];

/** Sets up the board's peripherals (UART, storage) before main; interrupts are still off. */
void rfw_cm_board_init(void);

/** Interrupt `irq` (0-based, as the chip's manual numbers them). The default disables it. */
void rfw_cm_irq(unsigned irq);

/** SysTick ticks since reset, 64 bits wide (never wraps in practice). */
uint64_t rfw_cm_ticks(void);

/**
 * Instructions executed over `ticks`, valid only under `-icount shift=0`: QEMU then advances virtual time
 * by exactly 1 ns per instruction, and SysTick counts virtual time at rfw_cm_clock_hz. The resolution is
 * 1e9 / rfw_cm_clock_hz instructions (40 on mps2-an386), so measure long runs; a count includes the
 * 1 ms SysTick interrupt's dozen instructions per million.
 */
uint64_t rfw_cm_ticks_to_instructions(uint64_t ticks);

/** The deepest the stack has been since reset, in bytes (start-up paints it; this finds the paint's edge). */
uint32_t rfw_cm_stack_peak(void);

/** A loop of 2·n + 1 instructions (n ≥ 1) in assembly, to check the instruction clock against. */
void rfw_cm_spin(uint32_t n);

#endif
