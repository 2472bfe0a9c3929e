/*
 * Checks 1 to 5 of docs/package-format.md, in order: size, header, sections (layout and CRC-32C), digest,
 * signature — the same checks, order and check names as core/package/read-container.ts.
 */
#include <string.h>

#include "common/bytes.h"
#include "crypto/crc32c.h"
#include "crypto/sha256.h"
#include "package/package-format.h"
#include "port/port.h"

static const uint32_t FULL_ORDER[] = {RFW_SECTION_STRS, RFW_SECTION_GRPH, RFW_SECTION_TENS, RFW_SECTION_SPEC, RFW_SECTION_DATA};
static const uint32_t DELTA_ORDER[] = {RFW_SECTION_DLTA, RFW_SECTION_TPRE, RFW_SECTION_TSUF, RFW_SECTION_DATA};

/** A fourcc as text when printable, else as hex, like fourccName. */
static const char *fourcc_text(uint32_t type, char out[12]) {
  int printable = 1;
  for (int i = 0; i < 4; i++) {
    unsigned c = (type >> (8 * i)) & 0xff;
    if (c < 0x20 || c >= 0x7f) printable = 0;
  }
  if (printable) {
    for (int i = 0; i < 4; i++) out[i] = (char)((type >> (8 * i)) & 0xff);
    out[4] = '\0';
  } else {
    rfw_format(out, 12, "0x%08x", type);
  }
  return out;
}

static void hex16(const uint8_t *bytes, char out[33]) {
  for (int i = 0; i < 16; i++) rfw_format(out + 2 * i, 3, "%02x", bytes[i]);
}

static rfw_status check_signature(rfw_package *pkg, const rfw_package_options *o, uint32_t digest_offset, rfw_diag *diag) {
  const rfw_signature_policy policy = o->policy;
  const int required = policy == RFW_SIGNATURE_REQUIRED || (policy == RFW_SIGNATURE_DEFAULT && o->verify_signatures);
  pkg->signature_verified = 0;
  pkg->key_id = NULL;
  if (!pkg->is_signed) {
    if (required) return rfw_fail(diag, RFW_REJECT_SIGNATURE, "the package is not signed, and a signature is required");
    return RFW_OK;
  }
  const uint8_t *key_id = pkg->file.ptr + digest_offset + RFW_DIGEST_BYTES;
  const uint8_t *signature = key_id + RFW_KEY_ID_BYTES;
  pkg->key_id = key_id;
  if (!o->verify_signatures) {
    if (required) return rfw_fail(diag, RFW_REJECT_SIGNATURE, "a verified signature is required but no public key was given");
    return RFW_OK;
  }
  char id[33];
  hex16(key_id, id);
  const rfw_key *key = NULL;
  for (size_t i = 0; i < o->key_count && key == NULL; i++) {
    if (memcmp(o->keys[i].key_id, key_id, RFW_KEY_ID_BYTES) == 0) key = &o->keys[i];
  }
  if (key == NULL) return rfw_fail(diag, RFW_REJECT_SIGNATURE, "signed with key id %s, which is not a trusted key", id);
  uint8_t message[9 + RFW_DIGEST_BYTES];
  memcpy(message, "RFPK-SIG1", 9);
  memcpy(message + 9, pkg->digest, RFW_DIGEST_BYTES);
  rfw_status verdict = rfw_port_ed25519_verify(key->public_key, message, sizeof message, signature);
  if (verdict == RFW_ERR_UNSUPPORTED) return rfw_fail(diag, RFW_REJECT_SIGNATURE, "this board cannot verify Ed25519 signatures (its port has no verifier)");
  if (verdict != RFW_OK) return rfw_fail(diag, RFW_REJECT_SIGNATURE, "the Ed25519 signature by key id %s does not verify", id);
  pkg->signature_verified = 1;
  return RFW_OK;
}

rfw_status rfw_check_container(rfw_package *pkg, const uint8_t *bytes, size_t size, const rfw_package_options *o, rfw_diag *diag) {
  const uint32_t max_bytes = o->max_bytes == 0 ? RFW_PACKAGE_DEFAULT_MAX_BYTES : o->max_bytes;
  const size_t minimum = RFW_HEADER_BYTES + RFW_DIRECTORY_ENTRY_BYTES + RFW_DIGEST_BYTES;

  /* 1. size */
  if (size < minimum) return rfw_fail(diag, RFW_REJECT_SIZE, "%llu bytes is shorter than the smallest package (%u bytes)", (unsigned long long)size, (unsigned)minimum);
  if (size > max_bytes) return rfw_fail(diag, RFW_REJECT_SIZE, "%llu bytes is over the limit of %u bytes", (unsigned long long)size, max_bytes);
  const uint32_t total = rfw_u32le(bytes + 8);
  if (total != size) {
    return rfw_fail(diag, RFW_REJECT_SIZE, "the header says %u bytes but there are %llu (%s)", total, (unsigned long long)size,
                    total > size ? "truncated" : "extra bytes at the end");
  }
  pkg->file.ptr = bytes;
  pkg->file.len = total;

  /* 2. header */
  if (memcmp(bytes, "RFPK", 4) != 0) return rfw_fail(diag, RFW_REJECT_HEADER, "bad magic: this is not a ReFrame seed package (expected \"RFPK\")");
  const uint16_t version = rfw_u16le(bytes + 4);
  if (version != RFW_FORMAT_VERSION) return rfw_fail(diag, RFW_REJECT_HEADER, "format version %u is not supported (this reader knows version 1)", version);
  const uint16_t flags = rfw_u16le(bytes + 6);
  if ((flags & ~(RFW_FLAG_SIGNED | RFW_FLAG_DELTA)) != 0) return rfw_fail(diag, RFW_REJECT_HEADER, "unknown flag bits 0x%x", (unsigned)(flags & ~(RFW_FLAG_SIGNED | RFW_FLAG_DELTA)));
  const uint16_t count = rfw_u16le(bytes + 12);
  if (count < 1 || count > RFW_MAX_SECTIONS) return rfw_fail(diag, RFW_REJECT_HEADER, "section count %u is outside 1..8", count);
  const uint16_t header_size = rfw_u16le(bytes + 14);
  if (header_size != RFW_HEADER_BYTES) return rfw_fail(diag, RFW_REJECT_HEADER, "header size %u is not 32", header_size);
  if (bytes[16] > 2) return rfw_fail(diag, RFW_REJECT_HEADER, "weight dtype code %u is unknown", bytes[16]);
  for (unsigned i = 17; i < RFW_HEADER_BYTES; i++) {
    if (bytes[i] != 0) return rfw_fail(diag, RFW_REJECT_HEADER, "reserved header byte %u is not zero", i);
  }
  pkg->flags = flags;
  pkg->weight_dtype = (rfw_dtype)bytes[16];
  pkg->is_signed = (flags & RFW_FLAG_SIGNED) != 0;
  pkg->is_delta = (flags & RFW_FLAG_DELTA) != 0;

  /* 3. sections: the decoder recomputes the one layout a package may have and refuses any difference. */
  const char *kind = pkg->is_delta ? "delta" : "full";
  const int64_t digest_offset = (int64_t)size - RFW_DIGEST_BYTES - (pkg->is_signed ? RFW_SIGNATURE_BLOCK_BYTES : 0);
  int64_t cursor = RFW_HEADER_BYTES + (int64_t)count * RFW_DIRECTORY_ENTRY_BYTES;
  if (cursor > digest_offset) return rfw_fail(diag, RFW_REJECT_SECTIONS, "%u directory entries do not fit in %llu bytes", count, (unsigned long long)size);
  const uint32_t *order = pkg->is_delta ? DELTA_ORDER : FULL_ORDER;
  const int order_len = pkg->is_delta ? 4 : 5;
  rfw_bytes found[5];
  memset(found, 0, sizeof found);
  int rank = -1;
  char name[12];
  for (unsigned i = 0; i < count; i++) {
    const uint8_t *entry = bytes + RFW_HEADER_BYTES + i * RFW_DIRECTORY_ENTRY_BYTES;
    const uint32_t type = rfw_u32le(entry);
    const uint32_t offset = rfw_u32le(entry + 4);
    const uint32_t length = rfw_u32le(entry + 8);
    const uint32_t crc = rfw_u32le(entry + 12);
    int place = -1;
    for (int k = 0; k < order_len; k++) {
      if (order[k] == type) place = k;
    }
    fourcc_text(type, name);
    if (place < 0) return rfw_fail(diag, RFW_REJECT_SECTIONS, "section %u has type %s, which a %s package does not have", i, name, kind);
    if (place <= rank) return rfw_fail(diag, RFW_REJECT_SECTIONS, "section %s is repeated or out of order", name);
    rank = place;
    if ((int64_t)offset != cursor) return rfw_fail(diag, RFW_REJECT_SECTIONS, "section %s starts at %u, the layout puts it at %llu", name, offset, (unsigned long long)cursor);
    if ((int64_t)length > digest_offset - (int64_t)offset) {
      return rfw_fail(diag, RFW_REJECT_SECTIONS, "section %s (%u bytes at %u) runs past the end of the sections at %llu", name, length, offset, (unsigned long long)digest_offset);
    }
    const uint32_t end = offset + length;
    const uint32_t pad_end = (end + 3u) & ~3u;
    for (uint32_t p = end; p < pad_end; p++) {
      if (bytes[p] != 0) return rfw_fail(diag, RFW_REJECT_SECTIONS, "padding after section %s is not zero", name);
    }
    const uint32_t actual = rfw_crc32c(bytes + offset, length);
    if (actual != crc) return rfw_fail(diag, RFW_REJECT_SECTIONS, "section %s fails its CRC-32C (stored %x, computed %x)", name, crc, actual);
    found[place].ptr = bytes + offset;
    found[place].len = length;
    cursor = pad_end;
  }
  if (cursor != digest_offset) {
    return rfw_fail(diag, RFW_REJECT_SECTIONS, "%llu bytes between the last section and the digest belong to no section", (unsigned long long)(digest_offset - cursor));
  }
  for (int k = 0; k < order_len; k++) {
    const int optional = !pkg->is_delta && order[k] == RFW_SECTION_SPEC;
    if (!optional && found[k].ptr == NULL) return rfw_fail(diag, RFW_REJECT_SECTIONS, "the %s package has no %s section", kind, fourcc_text(order[k], name));
  }
  if (pkg->is_delta) {
    pkg->data = found[3];
  } else {
    pkg->strs = found[0];
    pkg->grph = found[1];
    pkg->tens = found[2];
    pkg->spec = found[3];
    pkg->data = found[4];
  }

  /* 4. digest */
  uint8_t digest[RFW_SHA256_BYTES];
  rfw_sha256(bytes, (size_t)digest_offset, digest);
  pkg->digest = bytes + digest_offset;
  if (memcmp(digest, pkg->digest, RFW_DIGEST_BYTES) != 0) return rfw_fail(diag, RFW_REJECT_DIGEST, "the SHA-256 of the package does not match its stored digest");

  /* 5. signature */
  return check_signature(pkg, o, (uint32_t)digest_offset, diag);
}
