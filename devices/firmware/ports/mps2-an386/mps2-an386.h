/* The mps2-an386 board's parts, set up by board-mps2.c. */
#ifndef RFW_MPS2_AN386_H
#define RFW_MPS2_AN386_H

/** CMSDK UART0 at 0x40004000: enabled, receiving by interrupt. */
void rfw_mps2_uart_init(void);

/** Lays the storage regions out in the code RAM above the image. */
void rfw_mps2_storage_init(void);

#endif
