/*
 * COMMIT, ACTIVATE and ROLLBACK. COMMIT checks the upload in the protocol's order — every byte present
 * (incomplete), SHA-256 (digest-mismatch), the package decoder (package-rejected, its own sentence),
 * the signature policy (signature), every tensor rebuilt against its digest (regen-mismatch) — and then
 * whether the model fits the board's arena (too-large). Only then does it flip the slot record: the
 * upload's region becomes the active one, the active one the previous; nothing is copied. Any failure
 * leaves the active model as it was and discards the upload.
 */
#include <string.h>

#include "board/board-internal.h"
#include "crypto/sha256.h"

#define VERIFY_FLOATS 4096u
#define ALIGN_SLACK 64u

/** The package's bytes: mapped in place, or read into the arena when the port cannot map its regions. */
static rfw_proto_error package_bytes(rfw_board *b, uint8_t region, uint32_t size, const uint8_t **out) {
  const uint8_t *mapped = rfw_port_storage_map((rfw_storage_region)region);
  if (mapped != NULL) {
    *out = mapped;
    return RFW_PE_NONE;
  }
  uint8_t *copy = (uint8_t *)rfw_arena_alloc(&b->arena, size, 16, RFW_USE_GRAPH);
  if (copy == NULL) {
    return board_error(b, RFW_PE_TOO_LARGE, "the package has %u bytes and this board reads it into RAM to check and run it, but it has %u bytes of RAM: choose a smaller model", (unsigned)size,
                       (unsigned)b->arena.size);
  }
  if (rfw_port_storage_read((rfw_storage_region)region, 0, copy, size) != RFW_OK) return board_error(b, RFW_PE_STORAGE, "the board could not read its storage back");
  *out = copy;
  return RFW_PE_NONE;
}

static rfw_proto_error rejected(rfw_board *b, rfw_status s, const rfw_diag *diag, const char *what) {
  if (RFW_IS_REJECTION(s)) return board_error(b, RFW_PE_PACKAGE_REJECTED, "package rejected by the %s check: %s", rfw_status_name(s), diag->text);
  if (s == RFW_ERR_ARENA) {
    return board_error(b, RFW_PE_TOO_LARGE, "%s needs %u bytes of RAM, the board has %u: choose a smaller model", what, (unsigned)b->arena.wanted, (unsigned)b->arena.size);
  }
  return board_error(b, RFW_PE_INTERNAL, "%s failed (%s): %s", what, rfw_status_name(s), diag->text);
}

static rfw_proto_error check_signature(rfw_board *b, const uint8_t *bytes, uint32_t size) {
  const rfw_board_config *c = &b->config;
  if (!c->require_signature && c->key_count == 0) return RFW_PE_NONE;
  const rfw_package_options options = {b->region_bytes, c->key_count > 0, c->keys, c->key_count, c->require_signature ? RFW_SIGNATURE_REQUIRED : RFW_SIGNATURE_OPTIONAL};
  const size_t mark = rfw_arena_mark(&b->arena);
  rfw_package pkg;
  rfw_diag diag;
  const rfw_status s = rfw_package_open(&pkg, bytes, size, &options, &b->arena, &diag);
  rfw_arena_release(&b->arena, mark);
  if (s == RFW_REJECT_SIGNATURE) {
    return board_error(b, RFW_PE_SIGNATURE, "package rejected by the signature check: %s: sign the package with a key this board trusts (reframe pack --sign)", diag.text);
  }
  return s == RFW_OK ? RFW_PE_NONE : rejected(b, s, &diag, "checking the signature");
}

static rfw_proto_error check_tensors(rfw_board *b, const rfw_package *pkg) {
  const size_t mark = rfw_arena_mark(&b->arena);
  const size_t room = (b->arena.size - b->arena.head) / sizeof(float);
  const size_t count = room > VERIFY_FLOATS + 16 ? VERIFY_FLOATS : (room > 16 ? room - 16 : 0);
  float *scratch = count == 0 ? NULL : (float *)rfw_arena_alloc(&b->arena, count * sizeof(float), 16, RFW_USE_SCRATCH);
  if (scratch == NULL) return board_error(b, RFW_PE_TOO_LARGE, "checking the package's tensors needs more RAM than the board has left (%u bytes)", (unsigned)(b->arena.size - b->arena.head));
  uint32_t bad = 0;
  rfw_diag diag;
  const rfw_status s = rfw_package_verify_tensors(pkg, 0, scratch, count, &bad, &diag);
  rfw_proto_error e = RFW_PE_NONE;
  if (s == RFW_ERR_TENSOR_DIGEST) {
    rfw_tensor t;
    uint8_t actual[32];
    rfw_package_tensor(pkg, bad, &t);
    rfw_tensor_digest(&t, scratch, count, actual);
    char got[24], want[24];
    e = board_error(b, RFW_PE_REGEN_MISMATCH, "tensor %.*s %s hashes to %s, the package records %s: the package was built by a different seed-stream implementation, or altered",
                    (int)(t.id.len > 80 ? 80 : t.id.len), (const char *)t.id.ptr, t.mode == RFW_MODE_SEEDED ? "regenerated from its seed" : "read back", board_short(actual, 1, got),
                    board_short(t.digest, 1, want));
  } else if (s != RFW_OK) {
    e = rejected(b, s, &diag, "rebuilding the tensors");
  }
  rfw_arena_release(&b->arena, mark);
  return e;
}

/** Whether the model runs in this board's arena (beside what is allocated already: the package copy and its index). */
static rfw_proto_error check_fit(rfw_board *b, const rfw_package *pkg) {
  size_t per_layer = 0;
  rfw_diag diag;
  const rfw_status s = rfw_model_required_bytes(pkg, RFW_REGEN_PER_LAYER, &b->arena, &per_layer, &diag);
  if (s == RFW_ERR_UNSUPPORTED) return board_error(b, RFW_PE_PACKAGE_REJECTED, "this board cannot run the model: %s", diag.text);
  if (s == RFW_ERR_ARENA) {
    return board_error(b, RFW_PE_TOO_LARGE, "the model's plan alone needs more than the board's %llu bytes of RAM: choose a smaller model", (unsigned long long)b->arena.size);
  }
  if (s != RFW_OK) return board_error(b, RFW_PE_INTERNAL, "measuring the model failed (%s): %s", rfw_status_name(s), diag.text);
  const size_t need = b->arena.head + per_layer + board_run_extras(pkg) + ALIGN_SLACK;
  if (need > b->arena.size) {
    const int copied = rfw_port_storage_map((rfw_storage_region)b->upload.region) == NULL;
    return board_error(b, RFW_PE_TOO_LARGE, "the model needs %llu bytes of RAM (regenerate per layer%s), the board has %llu: choose a smaller model (the studio's Budget shows what fits)",
                       (unsigned long long)need, copied ? ", the package read into RAM" : "", (unsigned long long)b->arena.size);
  }
  return RFW_PE_NONE;
}

/** Every check, in the protocol's order, on the complete upload. */
static rfw_proto_error check_upload(rfw_board *b, rfw_package *pkg) {
  rfw_board_upload *u = &b->upload;
  char got[24], want[24];
  if (u->offset < u->size) {
    return board_error(b, RFW_PE_INCOMPLETE, "COMMIT after %u of %u bytes: every byte must be acknowledged before COMMIT; the upload was discarded, push again", (unsigned)u->offset,
                       (unsigned)u->size);
  }
  /* The bytes must be durable before the slot record names them. */
  if (rfw_port_storage_sync((rfw_storage_region)u->region) != RFW_OK) return board_error(b, RFW_PE_STORAGE, "the board could not sync its storage");
  uint8_t digest[32];
  uint8_t scratch[256];
  if (board_store_hash(u->region, u->size, scratch, sizeof scratch, digest) != RFW_OK) return board_error(b, RFW_PE_STORAGE, "the board could not read its storage back");
  if (memcmp(digest, u->digest, 32) != 0) {
    return board_error(b, RFW_PE_DIGEST_MISMATCH, "the %u bytes received hash to %s, not the announced %s: the upload was discarded, push again", (unsigned)u->size, board_short(digest, 1, got),
                       board_short(u->digest, 1, want));
  }
  const uint8_t *bytes = NULL;
  rfw_proto_error e = package_bytes(b, u->region, u->size, &bytes);
  if (e != RFW_PE_NONE) return e;
  board_service(b);
  /* Every check of the format except the signature, which the board's own policy decides next. */
  const rfw_package_options options = {b->region_bytes, 0, NULL, 0, RFW_SIGNATURE_OPTIONAL};
  rfw_diag diag;
  const rfw_status s = rfw_package_open(pkg, bytes, u->size, &options, &b->arena, &diag);
  if (s != RFW_OK) return rejected(b, s, &diag, "checking the package");
  e = check_signature(b, bytes, u->size);
  if (e == RFW_PE_NONE) {
    board_service(b);
    e = check_tensors(b, pkg);
  }
  if (e == RFW_PE_NONE) e = check_fit(b, pkg);
  return e;
}

rfw_proto_error board_commit(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint8_t *digest = rfw_wire_take(w, 32);
  rfw_proto_error e = board_wire_end(b, w, RFW_MSG_COMMIT);
  if (e != RFW_PE_NONE) return e;
  if (board_digest_zero(digest)) return board_error(b, RFW_PE_BAD_MESSAGE, "COMMIT carries an all-zero digest");
  rfw_board_upload *u = &b->upload;
  char d[24], other[24];
  if (!u->present) return board_error(b, RFW_PE_NO_UPLOAD, "COMMIT without an upload: send BEGIN and the chunks first");
  if (memcmp(u->digest, digest, 32) != 0) {
    return board_error(b, RFW_PE_NO_UPLOAD, "COMMIT names %s, but the upload under way is %s", board_short(digest, 1, d), board_short(u->digest, 1, other));
  }
  /* The checks need the whole arena: the loaded model goes, and is loaded again on the next INFER. */
  board_run_unload(b);
  rfw_arena_reset(&b->arena);
  rfw_package pkg;
  e = check_upload(b, &pkg);
  rfw_board_slots next = b->slots;
  const int is_active = b->slots.active.region != RFW_NO_REGION && memcmp(b->slots.active.digest, u->digest, 32) == 0;
  const int is_previous = b->slots.previous.region != RFW_NO_REGION && memcmp(b->slots.previous.digest, u->digest, 32) == 0;
  if (e == RFW_PE_NONE && !is_active) {
    /* A package the board holds already is activated, not stored twice. */
    if (is_previous) {
      next.active = b->slots.previous;
      next.previous = b->slots.active;
    } else {
      next.previous = b->slots.active.region != RFW_NO_REGION ? b->slots.active : b->slots.previous;
      next.active.region = u->region;
      next.active.size = u->size;
      memcpy(next.active.digest, u->digest, 32);
    }
    if (board_store_save_slots(b, &next) != RFW_OK) e = board_error(b, RFW_PE_STORAGE, "the board could not write its slot record: check the board's storage");
  }
  char name[64];
  rfw_format(name, sizeof name, "%.*s", e == RFW_PE_NONE ? (int)(pkg.model_name.len > 60 ? 60 : pkg.model_name.len) : 0, e == RFW_PE_NONE ? (const char *)pkg.model_name.ptr : "");
  const int is_signed = e == RFW_PE_NONE && pkg.is_signed;
  const char *dtype = e == RFW_PE_NONE ? rfw_dtype_name(pkg.weight_dtype) : "";
  rfw_arena_reset(&b->arena);
  const uint32_t size = u->size;
  /* Installed or refused, the upload is finished: its record goes (a new push starts over). */
  if (board_store_clear_upload(b) != RFW_OK) rfw_port_log(RFW_LOG_ERROR, "could not clear the finished upload's record");
  if (e != RFW_PE_NONE) {
    char text[RFW_BOARD_TEXT_BYTES + 48];
    rfw_format(text, sizeof text, "refused the package %s: %s: %s", board_short(digest, 1, d), rfw_proto_error_name(e), b->text);
    rfw_port_log(RFW_LOG_WARN, text);
    return e;
  }
  board_answer_state(b, id);
  board_log(b, RFW_LOG_INFO, "installed %s (%s, %s, %u bytes, %s); previous %s", board_short(b->slots.active.digest, 1, d), name, dtype, (unsigned)size, is_signed ? "signed" : "unsigned",
            board_short(b->slots.previous.digest, b->slots.previous.region != RFW_NO_REGION, other));
  return RFW_PE_NONE;
}

static void announce(rfw_board *b, uint16_t id, const char *what) {
  char a[24], p[24];
  board_answer_state(b, id);
  board_log(b, RFW_LOG_INFO, "%s: active %s, previous %s", what, board_short(b->slots.active.digest, b->slots.active.region != RFW_NO_REGION, a),
            board_short(b->slots.previous.digest, b->slots.previous.region != RFW_NO_REGION, p));
}

/** Swaps the active and previous slots in the slot record. */
static rfw_proto_error swap(rfw_board *b) {
  rfw_board_slots next = b->slots;
  next.active = b->slots.previous;
  next.previous = b->slots.active;
  if (board_store_save_slots(b, &next) != RFW_OK) return board_error(b, RFW_PE_STORAGE, "the board could not write its slot record: check the board's storage");
  board_run_unload(b);
  return RFW_PE_NONE;
}

rfw_proto_error board_activate(rfw_board *b, uint16_t id, rfw_wire *w) {
  const uint8_t *digest = rfw_wire_take(w, 32);
  rfw_proto_error e = board_wire_end(b, w, RFW_MSG_ACTIVATE);
  if (e != RFW_PE_NONE) return e;
  if (board_digest_zero(digest)) return board_error(b, RFW_PE_BAD_MESSAGE, "ACTIVATE carries an all-zero digest");
  char d[24], text[48];
  rfw_format(text, sizeof text, "activated %s", board_short(digest, 1, d));
  const rfw_board_slots *s = &b->slots;
  if (s->active.region != RFW_NO_REGION && memcmp(s->active.digest, digest, 32) == 0) {
    announce(b, id, text);
    return RFW_PE_NONE;
  }
  if (s->previous.region == RFW_NO_REGION || memcmp(s->previous.digest, digest, 32) != 0) {
    return board_error(b, RFW_PE_NOT_FOUND, "this board holds no package %s; push it first", board_short(digest, 1, d));
  }
  e = swap(b);
  if (e != RFW_PE_NONE) return e;
  announce(b, id, text);
  return RFW_PE_NONE;
}

rfw_proto_error board_rollback(rfw_board *b, uint16_t id, rfw_wire *w) {
  rfw_proto_error e = board_wire_end(b, w, RFW_MSG_ROLLBACK);
  if (e != RFW_PE_NONE) return e;
  if (b->slots.previous.region == RFW_NO_REGION) return board_error(b, RFW_PE_NO_PREVIOUS, "there is no previous package to roll back to");
  e = swap(b);
  if (e != RFW_PE_NONE) return e;
  announce(b, id, "rolled back to the previous package");
  return RFW_PE_NONE;
}
