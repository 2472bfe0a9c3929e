/* rfw_package_open: the checks of docs/package-format.md in order, and the names tools print. */
#include <string.h>

#include "crypto/sha256.h"
#include "package/package-format.h"

void rfw_key_init(rfw_key *key, const uint8_t public_key[32]) {
  uint8_t digest[RFW_SHA256_BYTES];
  memcpy(key->public_key, public_key, 32);
  rfw_sha256(public_key, 32, digest);
  memcpy(key->key_id, digest, RFW_KEY_ID_BYTES);
}

rfw_status rfw_package_open(rfw_package *pkg, const uint8_t *bytes, size_t size, const rfw_package_options *options, rfw_arena *arena, rfw_diag *diag) {
  static const rfw_package_options defaults = {0, 0, NULL, 0, RFW_SIGNATURE_DEFAULT};
  rfw_diag_clear(diag);
  if (pkg == NULL || arena == NULL || (bytes == NULL && size > 0)) return rfw_fail(diag, RFW_ERR_ARGUMENT, "rfw_package_open needs a package, its bytes and an arena");
  memset(pkg, 0, sizeof *pkg);
  const rfw_package_options *o = options == NULL ? &defaults : options;
  if (o->key_count > 0 && o->keys == NULL) return rfw_fail(diag, RFW_ERR_ARGUMENT, "key_count is %llu but keys is NULL", (unsigned long long)o->key_count);
  rfw_status s = rfw_check_container(pkg, bytes, size, o, diag);
  if (s != RFW_OK) return s;
  if (pkg->is_delta) return rfw_fail(diag, RFW_REJECT_HEADER, "this is a delta package; apply it to its base first");
  const size_t mark = rfw_arena_mark(arena);
  uint32_t strs_cursor = 0;
  s = rfw_check_graph(pkg, arena, &strs_cursor, diag);
  if (s == RFW_OK) s = rfw_check_tensors(pkg, strs_cursor, diag);
  if (s == RFW_OK) s = rfw_check_spec(pkg, arena, diag);
  if (s != RFW_OK) {
    rfw_arena_release(arena, mark);
    pkg->node_at = NULL;
  }
  return s;
}

const char *rfw_op_name(rfw_op op) {
  static const char *const names[] = {"?", "input", "conv", "dense", "batchnorm", "relu", "maxpool", "avgpool", "mixedpool", "add", "sub", "concat", "channelshuffle", "globalavgpool", "flatten", "softmax"};
  return (unsigned)op < sizeof names / sizeof names[0] ? names[op] : "?";
}

const char *rfw_role_name(rfw_role role) {
  static const char *const names[] = {"weight", "bias", "running_mean", "running_var"};
  return (unsigned)role < 4 ? names[role] : "?";
}

const char *rfw_mode_name(rfw_mode mode) {
  static const char *const names[] = {"learnable", "seeded", "frozen", "state"};
  return (unsigned)mode < 4 ? names[mode] : "?";
}

const char *rfw_dtype_name(rfw_dtype dtype) {
  switch (dtype) {
    case RFW_DTYPE_FP32: return "fp32";
    case RFW_DTYPE_FP16: return "fp16";
    case RFW_DTYPE_INT8: return "int8";
    case RFW_DTYPE_NONE: return "none";
  }
  return "?";
}

const char *rfw_dist_name(rfw_dist dist) {
  static const char *const names[] = {"uniform", "normal", "sign"};
  return (unsigned)dist < 3 ? names[dist] : "?";
}
