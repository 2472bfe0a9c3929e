/*
 * Receiving on a board's UART: its receive interrupt moves each byte into a ring in RAM, and
 * rfw_port_serial_read (serial-rx.c) takes bytes from the ring, sleeping (WFI) while it is empty. The
 * UARTs QEMU models hold one received byte and are handed the next only once it has been read, so the
 * ring lets bytes keep flowing while the board computes, and when the ring is full the interrupt stays
 * off and the bytes wait on the host's side: nothing is ever dropped.
 */
#ifndef RFW_SERIAL_RX_H
#define RFW_SERIAL_RX_H

#include <stdint.h>

/** Free bytes in the ring. */
uint32_t rfw_cm_rx_room(void);

/** Appends a byte; only when rfw_cm_rx_room() > 0 (the board's service routine checks). */
void rfw_cm_rx_put(uint8_t byte);

/**
 * The board's: with its receive interrupt turned on while the ring has room, moves every byte the UART
 * holds into the ring; leaves the interrupt off when the ring is full. Runs in the interrupt and, with
 * interrupts masked, in the reader.
 */
void rfw_cm_uart_rx_service(void);

#endif
