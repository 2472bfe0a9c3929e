#include "tools/cli-support.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

uint8_t *cli_read_file(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    fprintf(stderr, "cannot open %s: %s\n", path, strerror(errno));
    return NULL;
  }
  size_t cap = 1 << 16, len = 0;
  uint8_t *buf = (uint8_t *)malloc(cap);
  for (;;) {
    if (buf == NULL) break;
    len += fread(buf + len, 1, cap - len, f);
    if (len < cap) break;
    uint8_t *grown = (uint8_t *)realloc(buf, cap * 2);
    if (grown == NULL) {
      free(buf);
      buf = NULL;
      break;
    }
    buf = grown;
    cap *= 2;
  }
  const int failed = buf == NULL || ferror(f);
  fclose(f);
  if (failed) {
    fprintf(stderr, "cannot read %s\n", path);
    free(buf);
    return NULL;
  }
  /* Exactly the file's size, so AddressSanitizer sees any read past the end of a package. */
  uint8_t *exact = (uint8_t *)malloc(len > 0 ? len : 1);
  if (exact != NULL) memcpy(exact, buf, len);
  free(buf);
  *size = len;
  return exact;
}

static int hex_digit(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int base64_value(int c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

int cli_load_key(const char *spec, rfw_key *out) {
  uint8_t raw[32];
  if (strlen(spec) == 64) {
    int ok = 1;
    for (int i = 0; i < 32 && ok; i++) {
      const int hi = hex_digit(spec[2 * i]), lo = hex_digit(spec[2 * i + 1]);
      ok = hi >= 0 && lo >= 0;
      raw[i] = (uint8_t)(hi * 16 + lo);
    }
    if (ok) {
      rfw_key_init(out, raw);
      return 1;
    }
  }
  size_t size = 0;
  uint8_t *text = cli_read_file(spec, &size);
  if (text == NULL) return 0;
  /* The base64 body between the PEM armour lines: SPKI DER, 12 bytes of prefix and the 32-byte key. */
  static const uint8_t PREFIX[12] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
  uint8_t der[64];
  size_t n = 0, i = 0;
  uint32_t acc = 0;
  int bits = 0, in_body = 0;
  while (i < size) {
    size_t end = i;
    while (end < size && text[end] != '\n') end++;
    if (end - i >= 5 && memcmp(text + i, "-----", 5) == 0) {
      in_body = !in_body;
    } else if (in_body) {
      for (size_t k = i; k < end; k++) {
        const int v = base64_value(text[k]);
        if (v < 0) continue;
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
          bits -= 8;
          if (n < sizeof der) der[n] = (uint8_t)(acc >> bits);
          n++;
        }
      }
    }
    i = end + 1;
  }
  free(text);
  if (n != 44 || memcmp(der, PREFIX, sizeof PREFIX) != 0) {
    fprintf(stderr, "%s is neither 64 hex digits nor a PEM Ed25519 public key (reframe keygen's .pub)\n", spec);
    return 0;
  }
  rfw_key_init(out, der + 12);
  return 1;
}

int cli_parse_size(const char *text, uint64_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long long v = strtoull(text, &end, 10);
  if (errno != 0 || end == text) return -1;
  if (*end == 'K' || *end == 'k') v <<= 10, end++;
  else if (*end == 'M' || *end == 'm') v <<= 20, end++;
  else if (*end == 'G' || *end == 'g') v <<= 30, end++;
  if (*end != '\0') return -1;
  *out = v;
  return 0;
}

void cli_print_hex(FILE *f, const uint8_t *bytes, size_t n) {
  for (size_t i = 0; i < n; i++) fprintf(f, "%02x", bytes[i]);
}

void cli_print_json_string(FILE *f, const uint8_t *bytes, size_t n) {
  fputc('"', f);
  for (size_t i = 0; i < n; i++) {
    const uint8_t c = bytes[i];
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

int cli_arena(rfw_arena *arena, size_t bytes) {
  void *buffer = malloc(bytes > 0 ? bytes : 1);
  if (buffer == NULL) {
    fprintf(stderr, "cannot allocate an arena of %llu bytes\n", (unsigned long long)bytes);
    return 0;
  }
  return rfw_arena_init(arena, buffer, bytes) == RFW_OK;
}
