/*
 * What went wrong, in one human sentence, beside the status code. Callers that do not care pass NULL.
 * For a package rejection the sentence is the detail after "package rejected by the <check> check: ",
 * as the TypeScript decoder words it.
 */
#ifndef RFW_DIAG_H
#define RFW_DIAG_H

#include "common/format.h"
#include "common/status.h"

#define RFW_DIAG_BYTES 224

typedef struct rfw_diag {
  char text[RFW_DIAG_BYTES];
} rfw_diag;

/**
 * Records `fmt` in `diag` (when not NULL) and returns `status`, so a check reads
 * `return rfw_fail(diag, RFW_REJECT_SEMANTICS, "…", …);`.
 */
rfw_status rfw_fail(rfw_diag *diag, rfw_status status, const char *fmt, ...) RFW_PRINTF(3, 4);

/** Clears `diag` (when not NULL). */
void rfw_diag_clear(rfw_diag *diag);

#endif
