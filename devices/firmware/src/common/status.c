#include "common/status.h"

const char *rfw_status_name(rfw_status status) {
  switch (status) {
    case RFW_OK: return "ok";
    case RFW_REJECT_SIZE: return "size";
    case RFW_REJECT_HEADER: return "header";
    case RFW_REJECT_SECTIONS: return "sections";
    case RFW_REJECT_DIGEST: return "digest";
    case RFW_REJECT_SIGNATURE: return "signature";
    case RFW_REJECT_SEMANTICS: return "semantics";
    case RFW_ERR_ARGUMENT: return "argument";
    case RFW_ERR_ARENA: return "arena";
    case RFW_ERR_RANGE: return "range";
    case RFW_ERR_UNSUPPORTED: return "unsupported";
    case RFW_ERR_PORT: return "port";
    case RFW_ERR_TENSOR_DIGEST: return "tensor-digest";
  }
  return "unknown";
}
