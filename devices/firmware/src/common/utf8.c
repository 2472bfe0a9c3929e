#include "common/utf8.h"

int32_t rfw_utf8_next(const uint8_t *bytes, size_t length, size_t *at) {
  size_t i = *at;
  if (i >= length) return -1;
  uint8_t b0 = bytes[i];
  if (b0 < 0x80) {
    *at = i + 1;
    return b0;
  }
  size_t n;
  int32_t cp;
  uint8_t lo = 0x80, hi = 0xbf; /* the allowed range of the second byte */
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    n = 2;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    n = 3;
    cp = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;       /* overlong */
    if (b0 == 0xed) hi = 0x9f;       /* surrogates */
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    n = 4;
    cp = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;       /* overlong */
    if (b0 == 0xf4) hi = 0x8f;       /* above U+10FFFF */
  } else {
    return -1;
  }
  if (n > length - i) return -1;
  for (size_t k = 1; k < n; k++) {
    uint8_t b = bytes[i + k];
    if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xbf)) return -1;
    cp = (cp << 6) | (b & 0x3f);
  }
  *at = i + n;
  return cp;
}

int rfw_utf8_valid(const uint8_t *bytes, size_t length) {
  size_t at = 0;
  while (at < length) {
    /* ASCII runs are the common case in names and spec text. */
    if (bytes[at] < 0x80) {
      at++;
      continue;
    }
    if (rfw_utf8_next(bytes, length, &at) < 0) return 0;
  }
  return 1;
}
