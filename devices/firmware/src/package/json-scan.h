/*
 * A JSON reader for the SPEC section that allocates nothing: one strict pass checks the whole text as the
 * studio's parser does (RFC 8259 grammar, whitespace space/tab/CR/LF only, no comments or trailing
 * commas, nesting at most 64 deep, one leading byte order mark or two), then the walk navigates the
 * checked text by offsets. Duplicate keys are refused by the walk, which knows every object's keys.
 */
#ifndef RFW_JSON_SCAN_H
#define RFW_JSON_SCAN_H

#include <stddef.h>
#include <stdint.h>

typedef struct rfw_json {
  const uint8_t *text;
  size_t len;
} rfw_json;

/**
 * Checks the whole text (which must already be valid UTF-8).
 * @param[out] root offset of the root value
 * @return 1 when it is one valid JSON value, with only whitespace around it
 */
int rfw_json_check(const rfw_json *j, size_t *root);

/** The kind of the value at `at`: '{', '[', '"', '0' (number), 't', 'f' or 'n'. */
char rfw_json_kind(const rfw_json *j, size_t at);

/** Offset just past the (checked) value at `at`. */
size_t rfw_json_skip(const rfw_json *j, size_t at);

/**
 * Steps through an object's members or an array's elements. Start with *cursor = the container's
 * offset; each call moves to the next member and returns 1, or returns 0 at the end. For objects *key
 * is the member's key (a string value's offset); *value is the member's or element's value.
 */
int rfw_json_next(const rfw_json *j, size_t *cursor, size_t *key, size_t *value);

/** Number of elements of the array at `at`. */
uint32_t rfw_json_count(const rfw_json *j, size_t at);

/** 1 when the string at `at` decodes to exactly the UTF-8 bytes s[0 .. n − 1]. */
int rfw_json_string_is(const rfw_json *j, size_t at, const uint8_t *s, size_t n);

/** rfw_json_string_is for a NUL-terminated ASCII literal. */
int rfw_json_string_lit(const rfw_json *j, size_t at, const char *literal);

/**
 * The next code point of a string's content: start with *at just past the opening quote; returns −1 at
 * the closing quote. A lone surrogate escape gives 0x110000 + its unit, which no UTF-8 text decodes to.
 */
int32_t rfw_json_string_next(const rfw_json *j, size_t *at);

/** The number at `at` as the nearest double (as JavaScript's Number() reads it). */
double rfw_json_number(const rfw_json *j, size_t at);

#endif
