/*
 * Strict UTF-8, as the studio's TextDecoder('utf-8', { fatal: true }) reads it: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no truncated sequences.
 */
#ifndef RFW_UTF8_H
#define RFW_UTF8_H

#include <stddef.h>
#include <stdint.h>

/** 1 when bytes[0 .. length − 1] is well-formed UTF-8, else 0. */
int rfw_utf8_valid(const uint8_t *bytes, size_t length);

/**
 * Decodes one code point of well-formed UTF-8 at bytes[*at] and advances *at.
 * @return the code point, or −1 when the sequence is malformed or runs past `length`
 */
int32_t rfw_utf8_next(const uint8_t *bytes, size_t length, size_t *at);

#endif
