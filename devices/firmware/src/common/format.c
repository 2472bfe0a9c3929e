#include "common/format.h"

typedef struct sink {
  char *out;
  size_t cap;
  size_t len;
} sink;

static void put(sink *s, char c) {
  if (s->cap > 0 && s->len + 1 < s->cap) s->out[s->len++] = c;
}

static void put_unsigned(sink *s, unsigned long long v, unsigned base, unsigned width, char pad) {
  char digits[24];
  unsigned n = 0;
  do {
    unsigned d = (unsigned)(v % base);
    digits[n++] = (char)(d < 10 ? '0' + d : 'a' + d - 10);
    v /= base;
  } while (v != 0 && n < sizeof digits);
  for (unsigned i = n; i < width; i++) put(s, pad);
  while (n > 0) put(s, digits[--n]);
}

size_t rfw_vformat(char *out, size_t cap, const char *fmt, va_list args) {
  sink s = {out, cap, 0};
  for (const char *p = fmt; *p != '\0'; p++) {
    if (*p != '%') {
      put(&s, *p);
      continue;
    }
    p++;
    char pad = ' ';
    unsigned width = 0;
    int precision = -1;
    if (*p == '0') {
      pad = '0';
      p++;
    }
    while (*p >= '0' && *p <= '9') width = width * 10 + (unsigned)(*p++ - '0');
    if (*p == '.' && p[1] == '*') {
      precision = va_arg(args, int);
      p += 2;
    }
    int longlong = 0;
    if (p[0] == 'l' && p[1] == 'l') {
      longlong = 1;
      p += 2;
    }
    switch (*p) {
      case 's': {
        const char *str = va_arg(args, const char *);
        if (str == NULL) str = "(null)";
        for (int i = 0; str[i] != '\0' && (precision < 0 || i < precision); i++) put(&s, str[i]);
        break;
      }
      case 'c':
        put(&s, (char)va_arg(args, int));
        break;
      case 'd': {
        long long v = longlong ? va_arg(args, long long) : va_arg(args, int);
        unsigned long long magnitude = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
        if (v < 0) put(&s, '-');
        put_unsigned(&s, magnitude, 10, width, pad);
        break;
      }
      case 'u':
      case 'x': {
        unsigned long long v = longlong ? va_arg(args, unsigned long long) : va_arg(args, unsigned);
        put_unsigned(&s, v, *p == 'u' ? 10 : 16, width, pad);
        break;
      }
      case '%':
        put(&s, '%');
        break;
      case '\0':
        p--; /* a lone % at the end: stop at the terminator */
        break;
      default:
        put(&s, '%');
        put(&s, *p);
    }
  }
  if (s.cap > 0) s.out[s.len] = '\0';
  return s.len;
}

size_t rfw_format(char *out, size_t cap, const char *fmt, ...) {
  va_list args;
  va_start(args, fmt);
  size_t n = rfw_vformat(out, cap, fmt, args);
  va_end(args);
  return n;
}
