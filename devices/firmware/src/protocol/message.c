#include "protocol/message.h"

const char *rfw_msg_type_name(uint8_t type) {
  static const char *const names[] = {NULL,       "HELLO", "INFO",  "BEGIN",  "CHUNK",        "ACK", "COMMIT", "STATE", "ACTIVATE",
                                      "ROLLBACK", "INFER", "RESULT", "BENCH", "BENCH-RESULT", "LOG", "ERROR",  "ABORT"};
  return type < sizeof names / sizeof names[0] ? names[type] : NULL;
}

const char *rfw_proto_error_name(rfw_proto_error code) {
  static const char *const names[] = {"none",        "version",      "unknown-type", "bad-message", "no-upload", "too-large", "digest-mismatch",
                                      "package-rejected", "signature", "delta-base", "regen-mismatch", "no-model", "bad-input", "not-found",
                                      "no-previous", "busy",         "storage",      "incomplete",  "internal"};
  return (unsigned)code < sizeof names / sizeof names[0] ? names[code] : "internal";
}
