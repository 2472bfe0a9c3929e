#include "package/json-scan.h"

#include <stdlib.h>
#include <string.h>

#include "common/utf8.h"

#define MAX_DEPTH 64

static size_t skip_ws(const rfw_json *j, size_t at) {
  while (at < j->len) {
    const uint8_t c = j->text[at];
    if (c != ' ' && c != '\t' && c != '\n' && c != '\r') break;
    at++;
  }
  return at;
}

static int hex_value(uint8_t c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/** Checks the string starting at the quote at `at`; returns the offset past its closing quote, or 0. */
static size_t check_string(const rfw_json *j, size_t at) {
  for (at++; at < j->len; at++) {
    const uint8_t c = j->text[at];
    if (c == '"') return at + 1;
    if (c < 0x20) return 0;
    if (c != '\\') continue;
    if (++at >= j->len) return 0;
    const uint8_t e = j->text[at];
    if (e == 'u') {
      if (j->len - at < 5) return 0;
      for (int k = 1; k <= 4; k++) {
        if (hex_value(j->text[at + k]) < 0) return 0;
      }
      at += 4;
    } else if (strchr("\"\\/bfnrt", e) == NULL || e == 0) {
      return 0;
    }
  }
  return 0;
}

static int digit(const rfw_json *j, size_t at) { return at < j->len && j->text[at] >= '0' && j->text[at] <= '9'; }

/** Checks the number at `at`; returns the offset past it, or 0. */
static size_t check_number(const rfw_json *j, size_t at) {
  if (j->text[at] == '-') at++;
  if (!digit(j, at)) return 0;
  if (j->text[at] == '0') {
    at++;
  } else {
    while (digit(j, at)) at++;
  }
  if (at < j->len && j->text[at] == '.') {
    at++;
    if (!digit(j, at)) return 0;
    while (digit(j, at)) at++;
  }
  if (at < j->len && (j->text[at] == 'e' || j->text[at] == 'E')) {
    at++;
    if (at < j->len && (j->text[at] == '+' || j->text[at] == '-')) at++;
    if (!digit(j, at)) return 0;
    while (digit(j, at)) at++;
  }
  return at;
}

static size_t check_literal(const rfw_json *j, size_t at) {
  static const char *const words[] = {"true", "false", "null"};
  for (int k = 0; k < 3; k++) {
    const size_t n = strlen(words[k]);
    if (j->len - at >= n && memcmp(j->text + at, words[k], n) == 0) return at + n;
  }
  return 0;
}

int rfw_json_check(const rfw_json *j, size_t *root) {
  size_t at = 0;
  /* TextDecoder drops one byte order mark; the spec reader reads a second one as a space. */
  for (int bom = 0; bom < 2 && j->len - at >= 3 && memcmp(j->text + at, "\xEF\xBB\xBF", 3) == 0; bom++) at += 3;
  uint64_t is_object = 0; /* bit d: the container at depth d is an object */
  int depth = 0;
  enum { VALUE, KEY, AFTER } state = VALUE;
  at = skip_ws(j, at);
  *root = at;
  for (;;) {
    at = skip_ws(j, at);
    if (state == AFTER) {
      if (depth == 0) return skip_ws(j, at) == j->len;
      if (at >= j->len) return 0;
      const uint8_t c = j->text[at++];
      const int in_object = (int)((is_object >> (depth - 1)) & 1);
      if (c == ',') {
        state = in_object ? KEY : VALUE;
      } else if (c == (in_object ? '}' : ']')) {
        depth--;
      } else {
        return 0;
      }
      continue;
    }
    if (at >= j->len) return 0;
    const uint8_t c = j->text[at];
    if (state == KEY) {
      if (c != '"' || (at = check_string(j, at)) == 0) return 0;
      at = skip_ws(j, at);
      if (at >= j->len || j->text[at] != ':') return 0;
      at++;
      state = VALUE;
      continue;
    }
    if (c == '{' || c == '[') {
      if (depth >= MAX_DEPTH) return 0;
      if (c == '{') is_object |= 1ull << depth;
      else is_object &= ~(1ull << depth);
      depth++;
      at = skip_ws(j, at + 1);
      if (at < j->len && j->text[at] == (c == '{' ? '}' : ']')) {
        depth--;
        at++;
        state = AFTER;
      } else {
        state = c == '{' ? KEY : VALUE;
      }
      continue;
    }
    if (c == '"') at = check_string(j, at);
    else if (c == '-' || (c >= '0' && c <= '9')) at = check_number(j, at);
    else at = check_literal(j, at);
    if (at == 0) return 0;
    state = AFTER;
  }
}

char rfw_json_kind(const rfw_json *j, size_t at) {
  const uint8_t c = j->text[at];
  if (c == '-' || (c >= '0' && c <= '9')) return '0';
  return (char)c;
}

size_t rfw_json_skip(const rfw_json *j, size_t at) {
  const uint8_t c = j->text[at];
  if (c == '"') return check_string(j, at);
  if (c == '-' || (c >= '0' && c <= '9')) return check_number(j, at);
  if (c != '{' && c != '[') return check_literal(j, at);
  int depth = 0;
  for (;;) {
    const uint8_t d = j->text[at];
    if (d == '"') {
      at = check_string(j, at);
      continue;
    }
    if (d == '{' || d == '[') depth++;
    if (d == '}' || d == ']') {
      if (--depth == 0) return at + 1;
    }
    at++;
  }
}

int rfw_json_next(const rfw_json *j, size_t *cursor, size_t *key, size_t *value) {
  size_t at = *cursor;
  const uint8_t c = j->text[at];
  if (c == '{' || c == '[') {
    /* First call: the cursor is the container itself. */
    at = skip_ws(j, at + 1);
    if (j->text[at] == '}' || j->text[at] == ']') return 0;
  } else {
    at = skip_ws(j, at);
    if (j->text[at] != ',') return 0;
    at = skip_ws(j, at + 1);
  }
  /* The kind of container is told by what sits here: a key is followed by a colon. */
  size_t k = 0;
  if (j->text[at] == '"') {
    const size_t after = skip_ws(j, check_string(j, at));
    if (j->text[after] == ':') {
      k = at;
      at = skip_ws(j, after + 1);
    }
  }
  if (key != NULL) *key = k;
  *value = at;
  *cursor = rfw_json_skip(j, at);
  return 1;
}

uint32_t rfw_json_count(const rfw_json *j, size_t at) {
  uint32_t n = 0;
  size_t cursor = at, value;
  while (rfw_json_next(j, &cursor, NULL, &value)) n++;
  return n;
}

/*
 * The next code point of the string content at *at (past its opening quote), or −1 at the closing
 * quote. A lone surrogate escape gives 0x110000 + its unit: no UTF-8 text decodes to that.
 */
int32_t rfw_json_string_next(const rfw_json *j, size_t *at) {
  const uint8_t *t = j->text;
  if (t[*at] == '"') {
    (*at)++;
    return -1;
  }
  if (t[*at] != '\\') return rfw_utf8_next(t, j->len, at);
  const uint8_t e = t[*at + 1];
  *at += 2;
  switch (e) {
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'u': break;
    default: return e; /* " \ / */
  }
  int32_t unit = 0;
  for (int k = 0; k < 4; k++) unit = unit * 16 + hex_value(t[*at + (size_t)k]);
  *at += 4;
  if (unit >= 0xd800 && unit <= 0xdbff && t[*at] == '\\' && t[*at + 1] == 'u') {
    int32_t low = 0;
    for (int k = 0; k < 4; k++) low = low * 16 + hex_value(t[*at + 2 + (size_t)k]);
    if (low >= 0xdc00 && low <= 0xdfff) {
      *at += 6;
      return 0x10000 + ((unit - 0xd800) << 10) + (low - 0xdc00);
    }
  }
  if (unit >= 0xd800 && unit <= 0xdfff) return 0x110000 + unit;
  return unit;
}

int rfw_json_string_is(const rfw_json *j, size_t at, const uint8_t *s, size_t n) {
  if (j->text[at] != '"') return 0;
  size_t p = at + 1, q = 0;
  for (;;) {
    const int32_t a = rfw_json_string_next(j, &p);
    if (a < 0) return q == n;
    if (q >= n) return 0;
    const int32_t b = rfw_utf8_next(s, n, &q);
    if (a != b) return 0;
  }
}

int rfw_json_string_lit(const rfw_json *j, size_t at, const char *literal) {
  return rfw_json_string_is(j, at, (const uint8_t *)literal, strlen(literal));
}

double rfw_json_number(const rfw_json *j, size_t at) {
  /* The checked grammar is a subset of strtod's, and a delimiter follows every number inside a
   * container, so strtod reads exactly the token (the "C" locale's decimal point is the dot). */
  char buffer[64];
  const size_t end = check_number(j, at), n = end - at;
  if (n < sizeof buffer) {
    memcpy(buffer, j->text + at, n);
    buffer[n] = '\0';
    return strtod(buffer, NULL);
  }
  return strtod((const char *)j->text + at, NULL);
}
