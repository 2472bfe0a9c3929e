/*
 * Seed packages (docs/package-format.md), read in place: the caller keeps the file's bytes (RAM, or
 * memory-mapped flash) for as long as the package is open; the parser copies nothing and keeps only a
 * node index in the caller's arena.
 *
 * rfw_package_open runs every check of the format in the TypeScript decoder's order — size, header,
 * sections, digest, signature, semantics — and returns the failing check as its status
 * (RFW_REJECT_SIZE … RFW_REJECT_SEMANTICS), with the reason in `diag`. Nothing is used before all pass.
 * Tensor digests are not part of opening (it must stay cheap); rfw_package_verify_tensors checks them,
 * as a board does when it rebuilds the model.
 */
#ifndef RFW_PACKAGE_H
#define RFW_PACKAGE_H

#include <stddef.h>
#include <stdint.h>

#include "arena/arena.h"
#include "common/diag.h"
#include "common/status.h"
#include "seed/seed-stream.h"

#define RFW_PACKAGE_DEFAULT_MAX_BYTES (256u * 1024u * 1024u)
#define RFW_KEY_ID_BYTES 16

typedef enum rfw_op {
  RFW_OP_INPUT = 1,
  RFW_OP_CONV = 2,
  RFW_OP_DENSE = 3,
  RFW_OP_BATCHNORM = 4,
  RFW_OP_RELU = 5,
  RFW_OP_MAXPOOL = 6,
  RFW_OP_AVGPOOL = 7,
  RFW_OP_MIXEDPOOL = 8,
  RFW_OP_ADD = 9,
  RFW_OP_SUB = 10,
  RFW_OP_CONCAT = 11,
  RFW_OP_CHANNELSHUFFLE = 12,
  RFW_OP_GLOBALAVGPOOL = 13,
  RFW_OP_FLATTEN = 14,
  RFW_OP_SOFTMAX = 15
} rfw_op;

typedef enum rfw_role { RFW_ROLE_WEIGHT = 0, RFW_ROLE_BIAS = 1, RFW_ROLE_RUNNING_MEAN = 2, RFW_ROLE_RUNNING_VAR = 3 } rfw_role;

typedef enum rfw_mode { RFW_MODE_LEARNABLE = 0, RFW_MODE_SEEDED = 1, RFW_MODE_FROZEN = 2, RFW_MODE_STATE = 3 } rfw_mode;

typedef enum rfw_dtype { RFW_DTYPE_FP32 = 0, RFW_DTYPE_FP16 = 1, RFW_DTYPE_INT8 = 2, RFW_DTYPE_NONE = 255 } rfw_dtype;

/** A window of the package's bytes. */
typedef struct rfw_bytes {
  const uint8_t *ptr;
  uint32_t len;
} rfw_bytes;

/** A trusted signing key and its key id (the first 16 bytes of SHA-256 of the raw key). */
typedef struct rfw_key {
  uint8_t public_key[32];
  uint8_t key_id[RFW_KEY_ID_BYTES];
} rfw_key;

/** Fills in key->public_key and computes key->key_id. */
void rfw_key_init(rfw_key *key, const uint8_t public_key[32]);

typedef enum rfw_signature_policy {
  RFW_SIGNATURE_DEFAULT = 0,  /* required exactly when signatures are verified */
  RFW_SIGNATURE_REQUIRED = 1,
  RFW_SIGNATURE_OPTIONAL = 2
} rfw_signature_policy;

typedef struct rfw_package_options {
  /** Largest package accepted; 0 means 256 MiB. */
  uint32_t max_bytes;
  /** Nonzero: verify signatures against `keys` (a package signed by any other key is refused). */
  int verify_signatures;
  const rfw_key *keys;
  size_t key_count;
  rfw_signature_policy policy;
} rfw_package_options;

/** One graph node, read from its GRPH record. */
typedef struct rfw_node {
  rfw_op op;
  uint8_t input_count;
  uint8_t rank; /* 1 ([F]) or 3 ([C,H,W]) */
  uint8_t attr_count;
  rfw_bytes name;
  uint32_t shape[3];
  const uint8_t *inputs; /* input_count little-endian u16 node indices */
  const uint8_t *attrs;  /* attr_count little-endian u32 words */
} rfw_node;

/** One tensor, read from its TENS entry. */
typedef struct rfw_tensor {
  rfw_bytes id;
  uint16_t node;
  rfw_role role;
  rfw_mode mode;
  rfw_dtype dtype;
  uint8_t rank;
  uint8_t init_code;
  uint32_t shape[4];
  uint64_t elements;
  rfw_seed_params seed; /* meaningful for mode RFW_MODE_SEEDED */
  double gain;
  rfw_bytes data;       /* stored bytes inside DATA (empty for seeded tensors) */
  const uint8_t *digest; /* SHA-256 of the float32 values, 32 bytes */
} rfw_tensor;

typedef struct rfw_package {
  rfw_bytes file;
  uint16_t flags;
  rfw_dtype weight_dtype;
  int is_delta;
  rfw_bytes strs, grph, tens, spec, data; /* spec.ptr is NULL when the package has none */
  const uint8_t *digest;                  /* the trailing SHA-256, 32 bytes */
  int is_signed;
  int signature_verified;
  const uint8_t *key_id; /* the signer's key id, 16 bytes, when signed */
  rfw_bytes model_name;
  uint32_t node_count;
  uint32_t output_count;
  uint32_t tensor_count;
  const uint32_t *node_at; /* arena: offset of each node's record inside GRPH */
  const uint8_t *outputs;  /* output_count little-endian u32 node indices */
} rfw_package;

/**
 * Checks a package and opens it for reading.
 * @param[out] pkg     the opened package (valid only when RFW_OK is returned)
 * @param[in]  bytes   the whole file; kept by the caller while pkg is used
 * @param[in]  size    its length
 * @param[in]  options limits and the signature policy; NULL for the defaults
 * @param[in,out] arena memory for the node index (4 bytes a node) and the checks' working memory
 * @param[out] diag    the reason for a rejection (may be NULL)
 * @return RFW_OK; the failing check (RFW_REJECT_*); RFW_ERR_ARENA when the arena is too small;
 *         RFW_ERR_ARGUMENT for NULL arguments
 */
rfw_status rfw_package_open(rfw_package *pkg, const uint8_t *bytes, size_t size, const rfw_package_options *options, rfw_arena *arena, rfw_diag *diag);

/** Node `index` (< pkg->node_count) of an open package. */
void rfw_package_node(const rfw_package *pkg, uint32_t index, rfw_node *out);

/** Tensor `index` (< pkg->tensor_count) of an open package. */
void rfw_package_tensor(const rfw_package *pkg, uint32_t index, rfw_tensor *out);

/** Node index of graph output `k` (< pkg->output_count). */
uint32_t rfw_package_output(const rfw_package *pkg, uint32_t k);

/**
 * Elements start .. start + count − 1 of a tensor's float32 values: regenerated from its seed, or read
 * back (dequantised) from DATA. Works in any slice size, so a board needs only a small buffer.
 * @return RFW_OK, or RFW_ERR_RANGE when the slice leaves the tensor
 */
rfw_status rfw_tensor_read(const rfw_tensor *tensor, uint64_t start, size_t count, float *out);

/**
 * SHA-256 of a tensor's float32 values (little-endian, canonical order), rebuilt in slices of
 * `scratch_count` floats.
 */
rfw_status rfw_tensor_digest(const rfw_tensor *tensor, float *scratch, size_t scratch_count, uint8_t out[32]);

/**
 * Rebuilds every tensor (or only the seeded ones) and compares it with its recorded digest.
 * @param[out] bad_index the first tensor that differs, when RFW_ERR_TENSOR_DIGEST is returned
 */
rfw_status rfw_package_verify_tensors(const rfw_package *pkg, int seeded_only, float *scratch, size_t scratch_count, uint32_t *bad_index, rfw_diag *diag);

/** Names for messages and tools. */
const char *rfw_op_name(rfw_op op);
const char *rfw_role_name(rfw_role role);
const char *rfw_mode_name(rfw_mode mode);
const char *rfw_dtype_name(rfw_dtype dtype);
const char *rfw_dist_name(rfw_dist dist);

#endif
