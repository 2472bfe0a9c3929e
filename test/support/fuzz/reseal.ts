// Re-sealing for the package fuzzer: making a mutant pass the container checks again (CRCs, digest,
// signature), so that a mutation reaches the checks behind them.
import { sha256 } from '@noble/hashes/sha2.js';
import { crc32c } from '../../../core/package/crc32c.js';
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  FLAG_SIGNED,
  HEADER_BYTES,
  KEY_ID_BYTES,
  SIGNATURE_BLOCK_BYTES,
} from '../../../core/package/package-constants.js';
import { signatureMessage, type PackageSigner } from '../../../core/package/package-signer.js';
import { view } from './fuzz-targets.js';

/** Recomputes what the container checks look at: CRCs (of entries that fit), digest and, if asked, the signature. */
export function reseal(bytes: Uint8Array, o: { crcs: boolean; signer: PackageSigner | undefined }): Uint8Array {
  const v = view(bytes);
  if (o.crcs) {
    const count = Math.min(v.getUint16(12, true), Math.floor((bytes.length - HEADER_BYTES) / DIRECTORY_ENTRY_BYTES));
    for (let i = 0; i < count; i++) {
      const entry = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
      const offset = v.getUint32(entry + 4, true);
      const length = v.getUint32(entry + 8, true);
      if (offset + length <= bytes.length) v.setUint32(entry + 12, crc32c(bytes, offset, offset + length), true);
    }
  }
  const signed = (v.getUint16(6, true) & FLAG_SIGNED) !== 0;
  const digestOffset = bytes.length - DIGEST_BYTES - (signed ? SIGNATURE_BLOCK_BYTES : 0);
  if (digestOffset < 0) return bytes;
  const digest = sha256(bytes.subarray(0, digestOffset));
  bytes.set(digest, digestOffset);
  if (signed && o.signer !== undefined) {
    bytes.set(o.signer.keyId, digestOffset + DIGEST_BYTES);
    bytes.set(o.signer.sign(signatureMessage(digest)), digestOffset + DIGEST_BYTES + KEY_ID_BYTES);
  }
  return bytes;
}

/**
 * Lays out a container from scratch: the template's header (flags, dtype), then the payloads in the
 * given order with a fresh directory, zero padding, total size and digest. A signed container gets
 * `signatureBlock` (a stale one from the original) or, when it is undefined, a fresh signature.
 */
export function assemble(template: Uint8Array, payloads: readonly (readonly [number, Uint8Array])[], signatureBlock: Uint8Array | undefined, signer: PackageSigner | undefined): Uint8Array {
  const signed = (view(template).getUint16(6, true) & FLAG_SIGNED) !== 0;
  let cursor = HEADER_BYTES + payloads.length * DIRECTORY_ENTRY_BYTES;
  const placed = payloads.map(([type, payload]) => {
    const at = cursor;
    cursor = align4(cursor + payload.length);
    return { type, payload, at };
  });
  const total = cursor + DIGEST_BYTES + (signed ? SIGNATURE_BLOCK_BYTES : 0);
  const out = new Uint8Array(total);
  out.set(template.subarray(0, HEADER_BYTES));
  const v = view(out);
  v.setUint32(8, total, true);
  v.setUint16(12, payloads.length, true);
  placed.forEach(({ type, payload, at }, i) => {
    out.set(payload, at);
    const entry = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    v.setUint32(entry, type, true);
    v.setUint32(entry + 4, at, true);
    v.setUint32(entry + 8, payload.length, true);
    v.setUint32(entry + 12, crc32c(payload), true);
  });
  if (signed && signatureBlock !== undefined) out.set(signatureBlock, cursor + DIGEST_BYTES);
  return reseal(out, { crcs: false, signer: signed && signatureBlock === undefined ? signer : undefined });
}
