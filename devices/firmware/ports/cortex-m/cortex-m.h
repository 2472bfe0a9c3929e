/*
 * The Cortex-M4 core registers the ports touch (ARMv7-M Architecture Reference Manual, B3): the
 * coprocessor access register that turns the FPU on, the system timer, the NVIC and the fault status
 * registers. Every Cortex-M4 has them at these addresses, whatever the chip around it.
 */
#ifndef RFW_CORTEX_M_H
#define RFW_CORTEX_M_H

#include <stdint.h>

#define RFW_REG32(address) (*(volatile uint32_t *)(uintptr_t)(address))

#define RFW_SCB_ICSR RFW_REG32(0xE000ED04u)
#define RFW_SCB_ICSR_PENDSTSET (1u << 26) /* a SysTick exception is pending */
#define RFW_SCB_VTOR RFW_REG32(0xE000ED08u)
#define RFW_SCB_CPACR RFW_REG32(0xE000ED88u)
#define RFW_SCB_CFSR RFW_REG32(0xE000ED28u)
#define RFW_SCB_HFSR RFW_REG32(0xE000ED2Cu)
#define RFW_SCB_DFSR RFW_REG32(0xE000ED30u)

#define RFW_SYST_CSR RFW_REG32(0xE000E010u)
#define RFW_SYST_RVR RFW_REG32(0xE000E014u)
#define RFW_SYST_CVR RFW_REG32(0xE000E018u)
#define RFW_SYST_CSR_ENABLE 1u
#define RFW_SYST_CSR_TICKINT 2u
#define RFW_SYST_CSR_CLKSOURCE 4u /* the processor clock rather than the external reference */

#define RFW_NVIC_ISER(n) RFW_REG32(0xE000E100u + 4u * (n))
#define RFW_NVIC_ICER(n) RFW_REG32(0xE000E180u + 4u * (n))

static inline void rfw_cm_irq_enable(unsigned irq) { RFW_NVIC_ISER(irq >> 5) = 1u << (irq & 31u); }
static inline void rfw_cm_irq_disable(unsigned irq) { RFW_NVIC_ICER(irq >> 5) = 1u << (irq & 31u); }
static inline void rfw_cm_interrupts_on(void) { __asm__ volatile("cpsie i" ::: "memory"); }
static inline void rfw_cm_interrupts_off(void) { __asm__ volatile("cpsid i" ::: "memory"); }
/** Sleeps until an interrupt is pending (it wakes even with interrupts masked, so a check before it cannot race). */
static inline void rfw_cm_wait_for_interrupt(void) { __asm__ volatile("wfi" ::: "memory"); }

#endif
