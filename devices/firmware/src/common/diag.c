#include "common/diag.h"

rfw_status rfw_fail(rfw_diag *diag, rfw_status status, const char *fmt, ...) {
  if (diag != NULL) {
    va_list args;
    va_start(args, fmt);
    rfw_vformat(diag->text, sizeof diag->text, fmt, args);
    va_end(args);
  }
  return status;
}

void rfw_diag_clear(rfw_diag *diag) {
  if (diag != NULL) diag->text[0] = '\0';
}
