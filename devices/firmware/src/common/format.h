/*
 * A small printf subset for diagnostics, so the runtime needs no stdio: %s, %.*s, %c, %d, %u, %x and
 * %llu / %llx (with an optional 0 flag and width on the integers), and %%. Output is always
 * NUL-terminated and silently cut at the buffer's end.
 */
#ifndef RFW_FORMAT_H
#define RFW_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define RFW_PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define RFW_PRINTF(fmt, args)
#endif

/**
 * @param[out] out buffer of `cap` bytes (nothing is written when cap is 0)
 * @param[in]  cap its size
 * @param[in]  fmt the format, then its arguments
 * @return the length written, without the NUL
 */
size_t rfw_format(char *out, size_t cap, const char *fmt, ...) RFW_PRINTF(3, 4);

size_t rfw_vformat(char *out, size_t cap, const char *fmt, va_list args);

#endif
