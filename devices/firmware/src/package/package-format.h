/* Sizes and codes of docs/package-format.md, and the checks behind rfw_package_open. */
#ifndef RFW_PACKAGE_FORMAT_H
#define RFW_PACKAGE_FORMAT_H

#include "package/package.h"

#define RFW_HEADER_BYTES 32u
#define RFW_DIRECTORY_ENTRY_BYTES 16u
#define RFW_DIGEST_BYTES 32u
#define RFW_SIGNATURE_BLOCK_BYTES 80u /* key id (16) + Ed25519 signature (64) */
#define RFW_TENSOR_ENTRY_BYTES 96u
#define RFW_NODE_RECORD_FIXED_BYTES 24u
#define RFW_MAX_SECTIONS 8u
#define RFW_FORMAT_VERSION 1u
#define RFW_FLAG_SIGNED 1u
#define RFW_FLAG_DELTA 2u

#define RFW_FOURCC(a, b, c, d) ((uint32_t)(a) | ((uint32_t)(b) << 8) | ((uint32_t)(c) << 16) | ((uint32_t)(d) << 24))
#define RFW_SECTION_STRS RFW_FOURCC('S', 'T', 'R', 'S')
#define RFW_SECTION_GRPH RFW_FOURCC('G', 'R', 'P', 'H')
#define RFW_SECTION_TENS RFW_FOURCC('T', 'E', 'N', 'S')
#define RFW_SECTION_SPEC RFW_FOURCC('S', 'P', 'E', 'C')
#define RFW_SECTION_DATA RFW_FOURCC('D', 'A', 'T', 'A')
#define RFW_SECTION_DLTA RFW_FOURCC('D', 'L', 'T', 'A')
#define RFW_SECTION_TPRE RFW_FOURCC('T', 'P', 'R', 'E')
#define RFW_SECTION_TSUF RFW_FOURCC('T', 'S', 'U', 'F')

/** Checks 1–5 (size, header, sections, digest, signature); fills in pkg's file facts and sections. */
rfw_status rfw_check_container(rfw_package *pkg, const uint8_t *bytes, size_t size, const rfw_package_options *options, rfw_diag *diag);

/**
 * Check 6 on STRS and GRPH: the records, the spec rules the graph must satisfy (names, attributes,
 * arity, shapes by inference) and their one canonical encoding. Builds pkg->node_at in the arena.
 * Sets *strs_cursor to where the tensor ids must start in STRS.
 */
rfw_status rfw_check_graph(rfw_package *pkg, rfw_arena *arena, uint32_t *strs_cursor, rfw_diag *diag);

/** Check 6 on TENS and DATA: every entry against the tensors the graph needs, and their stored bytes. */
rfw_status rfw_check_tensors(rfw_package *pkg, uint32_t strs_cursor, rfw_diag *diag);

/** Check 6 on SPEC, when present: valid UTF-8 and JSON, a valid spec, and the same model as GRPH/TENS. */
rfw_status rfw_check_spec(const rfw_package *pkg, rfw_arena *arena, rfw_diag *diag);

/**
 * Reads the string reference (offset, length) at `ref` into STRS, as the TypeScript readString: inside
 * STRS, followed by a zero byte, valid UTF-8.
 */
rfw_status rfw_read_string(const rfw_package *pkg, const uint8_t *ref, const char *what, rfw_bytes *out, rfw_diag *diag);

/** The tensors a node owns, in package order, with their shapes: what the encoder's plan lists. */
typedef struct rfw_planned_tensor {
  rfw_role role;
  uint8_t rank;
  uint32_t shape[4];
} rfw_planned_tensor;

/** Fills up to 4 planned tensors of node `index` and returns how many; the graph must have passed. */
unsigned rfw_plan_node_tensors(const rfw_package *pkg, uint32_t index, rfw_planned_tensor out[4]);

#endif
