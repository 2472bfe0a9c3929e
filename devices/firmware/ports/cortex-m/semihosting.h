/*
 * ARM semihosting (the "Semihosting for AArch32 and AArch64" specification): a BKPT 0xAB that the
 * debugger — here QEMU with `-semihosting-config enable=on,target=native` — answers on the host. The
 * ports use it for log lines, the bring-up program's output and exit code, its command line
 * (QEMU's -append) and the netduinoplus2's storage files. File names are host paths, relative to the
 * directory QEMU was started in.
 *
 * Without a semihosting host a BKPT escalates to HardFault; the fault handler (start.c) then skips the
 * BKPT and returns -1, so a board started without semihosting still runs, silently.
 */
#ifndef RFW_SEMIHOSTING_H
#define RFW_SEMIHOSTING_H

#include <stddef.h>
#include <stdint.h>

/* SYS_OPEN modes, as fopen spells them. */
#define RFW_SH_MODE_READ_BINARY 1    /* "rb" */
#define RFW_SH_MODE_UPDATE_BINARY 3  /* "r+b": read and write, the file must exist */
#define RFW_SH_MODE_WRITE 4          /* "w" (":tt" opened so is standard output) */
#define RFW_SH_MODE_CREATE_BINARY 7  /* "w+b": created or truncated, read and write */
#define RFW_SH_MODE_APPEND 8         /* "a" (":tt" opened so is standard error) */

/** One semihosting call: operation `op` with its argument (usually a block of words). Returns r0. */
int32_t rfw_sh_call(uint32_t op, const void *argument);

/** Opens a host file (`name` NUL-terminated); returns a handle, or -1. */
int32_t rfw_sh_open(const char *name, uint32_t mode);
int32_t rfw_sh_close(int32_t handle);
/** Writes `length` bytes; returns how many were NOT written (0 on success), or -1. */
int32_t rfw_sh_write(int32_t handle, const void *bytes, size_t length);
/** Reads up to `length` bytes; returns how many were NOT read (0: all, length: end of file), or -1. */
int32_t rfw_sh_read(int32_t handle, void *out, size_t length);
/** Moves to absolute byte `position`; 0 on success. */
int32_t rfw_sh_seek(int32_t handle, uint32_t position);
/** The file's length, or -1. */
int32_t rfw_sh_length(int32_t handle);
/** The program's command line (QEMU: the kernel's name, a space, then -append's text), NUL-terminated. */
int32_t rfw_sh_command_line(char *out, size_t capacity);
/** Ends the emulation with `code` as QEMU's exit status (SYS_EXIT_EXTENDED). */
void rfw_sh_exit(int code) __attribute__((noreturn));

#endif
