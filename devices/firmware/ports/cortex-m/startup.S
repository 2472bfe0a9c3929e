/*
 * Reset and the vector table of every Cortex-M4 port. Reset turns the FPU on first (CPACR: full access
 * to CP10 and CP11), because the C code is built with -mfloat-abi=hard and any function may touch a
 * float register; then it copies .data from its load address, zeroes .bss, paints the stack and calls
 * rfw_cm_start.
 * Written in assembly so no compiler can place a float instruction before the FPU is on.
 *
 * Every interrupt vector points at rfw_cm_irq_entry, which asks the core which one it is (IPSR) and
 * hands the number to the board's rfw_cm_irq: one table serves both boards.
 */
  .syntax unified
  .thumb

/* 16 core exceptions and 96 interrupts: STM32F405's USART1 is interrupt 37, the mps2 UARTs are below 32. */
  .section .vectors, "a"
  .align 9
  .global rfw_cm_vectors
rfw_cm_vectors:
  .word __stack_top
  .word rfw_cm_reset
  .word rfw_cm_fault_entry /* NMI */
  .word rfw_cm_fault_entry /* HardFault */
  .word rfw_cm_fault_entry /* MemManage */
  .word rfw_cm_fault_entry /* BusFault */
  .word rfw_cm_fault_entry /* UsageFault */
  .word 0, 0, 0, 0
  .word rfw_cm_fault_entry /* SVCall */
  .word rfw_cm_fault_entry /* DebugMonitor */
  .word 0
  .word rfw_cm_fault_entry /* PendSV */
  .word rfw_cm_systick_handler
  .rept 96
  .word rfw_cm_irq_entry
  .endr

  .section .text.rfw_cm_reset, "ax"
  .global rfw_cm_reset
  .thumb_func
  .type rfw_cm_reset, %function
rfw_cm_reset:
  ldr r0, =0xE000ED88
  ldr r1, [r0]
  orr r1, r1, #(0xF << 20)
  str r1, [r0]
  dsb
  isb
  ldr r0, =0xE000ED08 /* VTOR: the table wherever the image put it */
  ldr r1, =rfw_cm_vectors
  str r1, [r0]
  ldr r0, =__data_start
  ldr r1, =__data_end
  ldr r2, =__data_load
1:
  cmp r0, r1
  bhs 2f
  ldr r3, [r2], #4
  str r3, [r0], #4
  b 1b
2:
  ldr r0, =__bss_start
  ldr r1, =__bss_end
  movs r2, #0
3:
  cmp r0, r1
  bhs 4f
  str r2, [r0], #4
  b 3b
4:
  /* The stack below this frame is painted, so rfw_cm_stack_peak can tell how deep it ever went. */
  ldr r0, =__arena_end
  ldr r2, =0x5354434b
  mov r1, sp
5:
  cmp r0, r1
  bhs 6f
  str r2, [r0], #4
  b 5b
6:
  bl rfw_cm_start
7:
  b 7b
  .size rfw_cm_reset, . - rfw_cm_reset

/* Faults hand the C handler the stacked registers (r0-r3, r12, lr, pc, xpsr) of whichever stack was in use. */
  .section .text.rfw_cm_fault_entry, "ax"
  .global rfw_cm_fault_entry
  .thumb_func
  .type rfw_cm_fault_entry, %function
rfw_cm_fault_entry:
  tst lr, #4
  ite eq
  mrseq r0, msp
  mrsne r0, psp
  b rfw_cm_fault
  .size rfw_cm_fault_entry, . - rfw_cm_fault_entry

/* A calibration loop of exactly 2 * n + 2 instructions (n >= 1) for checking the instruction clock. */
  .section .text.rfw_cm_spin, "ax"
  .global rfw_cm_spin
  .thumb_func
  .type rfw_cm_spin, %function
rfw_cm_spin:
8:
  subs r0, r0, #1
  bne 8b
  bx lr
  .size rfw_cm_spin, . - rfw_cm_spin
