/* Helpers the host tools share: whole files, trusted keys, hex and JSON text. Host-only (uses stdio and malloc). */
#ifndef RFW_CLI_SUPPORT_H
#define RFW_CLI_SUPPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "package/package.h"

/** Reads a whole file into malloc'd memory of exactly its size; NULL with a message on stderr on failure. */
uint8_t *cli_read_file(const char *path, size_t *size);

/**
 * A trusted key from `spec`: a PEM public key file as `reframe keygen` writes (SPKI, Ed25519) or
 * 64 hex digits of the raw key. Returns 0 and prints why on failure.
 */
int cli_load_key(const char *spec, rfw_key *out);

/** Parses a byte count with an optional K, M or G suffix; returns 0 on success. */
int cli_parse_size(const char *text, uint64_t *out);

void cli_print_hex(FILE *f, const uint8_t *bytes, size_t n);

/** Prints bytes as a JSON string literal (quotes included). */
void cli_print_json_string(FILE *f, const uint8_t *bytes, size_t n);

/** The caller's arena: a malloc'd buffer of `bytes`. */
int cli_arena(rfw_arena *arena, size_t bytes);

#endif
