/*
 * Status codes of the ReFrame firmware runtime. Every function that can fail returns one; nothing in
 * the runtime aborts, exits or asserts. A package rejection has one code per check of
 * docs/package-format.md, so a board reports which check refused a package exactly as the studio's
 * TypeScript decoder does (PackageError.check).
 */
#ifndef RFW_STATUS_H
#define RFW_STATUS_H

typedef enum rfw_status {
  RFW_OK = 0,
  /* The decoder's checks, in the order they run. */
  RFW_REJECT_SIZE = 1,
  RFW_REJECT_HEADER = 2,
  RFW_REJECT_SECTIONS = 3,
  RFW_REJECT_DIGEST = 4,
  RFW_REJECT_SIGNATURE = 5,
  RFW_REJECT_SEMANTICS = 6,
  /* Everything else. */
  RFW_ERR_ARGUMENT = 32, /* a caller passed something impossible: NULL, an empty buffer, a bad code */
  RFW_ERR_ARENA = 33,    /* the caller's arena is too small; the arena says how much was wanted */
  RFW_ERR_RANGE = 34,    /* an element or word range outside what a stream or tensor holds */
  RFW_ERR_UNSUPPORTED = 35, /* the port does not provide this function */
  RFW_ERR_PORT = 36,     /* the port reported a failure (I/O, storage) */
  RFW_ERR_TENSOR_DIGEST = 37 /* a rebuilt tensor's SHA-256 differs from the digest its package records */
} rfw_status;

/** True for the six package rejections. */
#define RFW_IS_REJECTION(s) ((s) >= RFW_REJECT_SIZE && (s) <= RFW_REJECT_SEMANTICS)

/**
 * @param[in] status any status
 * @return the check name of a rejection ("size" … "semantics"), as PackageError.check spells it, or a
 *         short lower-case name for the other codes ("ok", "arena", "tensor-digest", …)
 */
const char *rfw_status_name(rfw_status status);

#endif
