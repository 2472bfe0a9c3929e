/*
 * SHA-256 (FIPS 180-4), written in the project: package digests, tensor digests and signing key ids.
 * Incremental, so a board can hash a tensor while it regenerates it in small pieces.
 */
#ifndef RFW_SHA256_H
#define RFW_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define RFW_SHA256_BYTES 32

typedef struct rfw_sha256_ctx {
  uint32_t state[8];
  uint64_t length; /* bytes hashed so far */
  uint8_t block[64];
  size_t fill;
} rfw_sha256_ctx;

void rfw_sha256_init(rfw_sha256_ctx *ctx);

/**
 * @param[in,out] ctx  the running hash
 * @param[in]     data bytes to add (may be NULL when len is 0)
 * @param[in]     len  their number
 */
void rfw_sha256_update(rfw_sha256_ctx *ctx, const void *data, size_t len);

/** Pads, writes the digest and leaves ctx spent (init it again to reuse). */
void rfw_sha256_final(rfw_sha256_ctx *ctx, uint8_t out[RFW_SHA256_BYTES]);

/** SHA-256 of one buffer. */
void rfw_sha256(const void *data, size_t len, uint8_t out[RFW_SHA256_BYTES]);

#endif
