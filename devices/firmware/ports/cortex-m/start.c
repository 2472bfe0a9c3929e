/*
 * What runs between reset (startup.S) and main on every Cortex-M board: the board's set-up, SysTick as a
 * 64-bit tick clock (a 1 ms period, counted in wraps), interrupt dispatch, the fault handler that lets
 * semihosting fail quietly, and the small fixed heap that newlib's strtod draws its big-number scratch from.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>

#include "cm-board.h"
#include "common/format.h"
#include "cortex-m.h"
#include "semihosting.h"

int main(void);
void rfw_cm_start(void);
void rfw_cm_irq_entry(void);
void rfw_cm_systick_handler(void);
void rfw_cm_fault(uint32_t *frame);
void *_sbrk(ptrdiff_t increment);
void __assert_func(const char *file, int line, const char *function, const char *expression) __attribute__((noreturn));

static volatile uint32_t systick_wraps;
/* SysTick wraps every millisecond: often enough for a WFI to wake and check a timeout, rarely enough to cost nothing. */
static uint32_t systick_period;

void rfw_cm_systick_handler(void) { systick_wraps++; }

uint64_t rfw_cm_ticks(void) {
  uint32_t before, value, pending, after;
  /* A wrap between the reads runs the handler at once when interrupts are on: read again. */
  do {
    before = systick_wraps;
    value = RFW_SYST_CVR;
    pending = RFW_SCB_ICSR & RFW_SCB_ICSR_PENDSTSET;
    after = systick_wraps;
  } while (before != after);
  /* With interrupts masked a wrap can wait uncounted; a count just reloaded is past it. */
  if (pending != 0 && value > systick_period / 2u) before++;
  return (uint64_t)before * systick_period + (systick_period - 1u - value);
}

#define STACK_PAINT 0x5354434bu /* what startup.S wrote over the stack */
extern uint32_t __arena_end[], __stack_top[];

uint32_t rfw_cm_stack_peak(void) {
  const volatile uint32_t *p = __arena_end;
  while (p < __stack_top && *p == STACK_PAINT) p++;
  return (uint32_t)((uintptr_t)__stack_top - (uintptr_t)p);
}

uint64_t rfw_cm_ticks_to_instructions(uint64_t ticks) { return ticks * 1000000000u / rfw_cm_clock_hz; }

void rfw_cm_start(void) {
  rfw_cm_board_init();
  systick_period = rfw_cm_clock_hz / 1000u;
  RFW_SYST_RVR = systick_period - 1u;
  RFW_SYST_CVR = 0;
  RFW_SYST_CSR = RFW_SYST_CSR_ENABLE | RFW_SYST_CSR_TICKINT | RFW_SYST_CSR_CLKSOURCE;
  rfw_cm_interrupts_on();
  rfw_sh_exit(main());
}

__attribute__((weak)) void rfw_cm_irq(unsigned irq) { rfw_cm_irq_disable(irq); }

void rfw_cm_irq_entry(void) {
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  rfw_cm_irq((ipsr & 0x1ffu) - 16u);
}

/* Reports an error of the run itself and ends it (exit status 3), through semihosting if a host answers. */
static void __attribute__((noreturn)) die(const char *line, size_t length) {
  rfw_sh_write(rfw_sh_open(":tt", RFW_SH_MODE_APPEND), line, length);
  rfw_sh_exit(3);
}

/*
 * A BKPT 0xAB (semihosting) with no host answering escalates to HardFault: skip it and return -1 in r0,
 * as a host would for a failed call. Any other fault is reported (through semihosting, if there is a host)
 * and ends the run with exit status 3.
 */
void rfw_cm_fault(uint32_t *frame) {
  const uint32_t pc = frame[6];
  if ((pc & 1u) == 0 && *(const volatile uint16_t *)(uintptr_t)pc == 0xbeabu) {
    frame[0] = (uint32_t)-1;
    frame[6] = pc + 2;
    RFW_SCB_HFSR = RFW_SCB_HFSR; /* write-one-to-clear */
    RFW_SCB_DFSR = RFW_SCB_DFSR;
    return;
  }
  char line[160];
  uint32_t ipsr;
  __asm__ volatile("mrs %0, ipsr" : "=r"(ipsr));
  const size_t n = rfw_format(line, sizeof line, "reframe-fw fault: exception %u at pc %08x lr %08x (CFSR %08x, HFSR %08x)\n", (unsigned)(ipsr & 0x1ffu),
                              (unsigned)pc, (unsigned)frame[5], (unsigned)RFW_SCB_CFSR, (unsigned)RFW_SCB_HFSR);
  die(line, n);
}

/*
 * newlib's strtod (the SPEC check's number reader) keeps its big integers on a free list it fills with
 * malloc. Nothing of ours calls malloc; this pool is all the heap there is, so that use stays bounded and
 * a runaway would fail with ENOMEM rather than grow into the stack.
 */
#define HEAP_BYTES 4096
static uint8_t heap[HEAP_BYTES] __attribute__((aligned(8)));
static size_t heap_used;

void *_sbrk(ptrdiff_t increment) {
  if (increment < 0 ? (size_t)-increment > heap_used : (size_t)increment > HEAP_BYTES - heap_used) {
    errno = ENOMEM;
    return (void *)-1;
  }
  void *at = heap + heap_used;
  heap_used = (size_t)((ptrdiff_t)heap_used + increment);
  return at;
}

/* newlib asserts when its big-number scratch cannot be had (the pool above ran out); its own handler would pull in stdio. */
void __assert_func(const char *file, int line, const char *function, const char *expression) {
  char text[200];
  const size_t n = rfw_format(text, sizeof text, "reframe-fw: C library assertion %s failed (%s:%d, %s)\n", expression, file, line, function != NULL ? function : "?");
  die(text, n);
}
