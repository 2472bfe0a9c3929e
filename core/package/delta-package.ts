import { sha256 } from '@noble/hashes/sha2.js';
import { crc32c } from './crc32c.js';
import { ByteWriter } from './byte-writer.js';
import { decodePackage, type DecodedPackage, type TensorRecord } from './decode-package.js';
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  FLAG_DELTA,
  FLAG_SIGNED,
  FORMAT_VERSION,
  HEADER_BYTES,
  KEY_ID_BYTES,
  MAGIC,
  MAX_PACKAGE_BYTES,
  NO_BASE_TENSOR,
  SECTION,
  SIGNATURE_BLOCK_BYTES,
} from './package-constants.js';
import { PackageError } from './package-error.js';
import { signatureMessage, type PackageSigner } from './package-signer.js';
import { readContainer, sectionOf, type ReadOptions } from './read-container.js';
import { bytesEqual, toHex } from './tensor-digest.js';
import { ByteReader } from './byte-reader.js';

function dataStart(pkg: DecodedPackage, bytes: Uint8Array): number {
  return pkg.data.byteOffset - bytes.byteOffset;
}

/**
 * Makes a delta that turns `baseBytes` into `targetBytes`: the target's bytes around its DATA travel
 * whole (they are small), and of DATA only the tensors the base cannot supply byte for byte.
 */
export function makeDelta(baseBytes: Uint8Array, targetBytes: Uint8Array, signer?: PackageSigner): Uint8Array {
  const base = decodePackage(baseBytes);
  const target = decodePackage(targetBytes);
  const byDigest = new Map<string, number[]>();
  base.tensors.forEach((t, i) => {
    if (t.dataLength > 0) byDigest.set(toHex(t.digest), [...(byDigest.get(toHex(t.digest)) ?? []), i]);
  });
  const refs: number[] = [];
  const literal = new ByteWriter();
  for (const t of target.tensors) {
    if (t.dataLength === 0) {
      refs.push(NO_BASE_TENSOR);
      continue;
    }
    const bytes = target.data.subarray(t.dataOffset, t.dataOffset + t.dataLength);
    // Same digest is the cue; same stored bytes is the proof (int8 scales could differ for equal values).
    const match = (byDigest.get(toHex(t.digest)) ?? []).find((i) => {
      const b = base.tensors[i] as TensorRecord;
      return b.dtype === t.dtype && bytesEqual(base.data.subarray(b.dataOffset, b.dataOffset + b.dataLength), bytes);
    });
    if (match !== undefined) {
      refs.push(match);
    } else {
      refs.push(NO_BASE_TENSOR);
      literal.raw(bytes).pad4();
    }
  }
  const dataBegin = dataStart(target, targetBytes);
  const dataEnd = dataBegin + target.data.length;
  const dlta = new ByteWriter().raw(base.digest).raw(target.digest).u32(targetBytes.length).u32(refs.length);
  for (const r of refs) dlta.u32(r);
  return assembleDelta(
    [
      [SECTION.DLTA, dlta.finish()],
      [SECTION.TPRE, targetBytes.subarray(0, dataBegin)],
      [SECTION.TSUF, targetBytes.subarray(dataEnd)],
      [SECTION.DATA, literal.finish()],
    ],
    signer,
  );
}

function assembleDelta(sections: readonly [number, Uint8Array][], signer: PackageSigner | undefined): Uint8Array {
  let cursor = HEADER_BYTES + sections.length * DIRECTORY_ENTRY_BYTES;
  const placed = sections.map(([type, payload]) => {
    const at = cursor;
    cursor = align4(cursor + payload.length);
    return { type, payload, at };
  });
  const digestOffset = cursor;
  const total = digestOffset + DIGEST_BYTES + (signer === undefined ? 0 : SIGNATURE_BLOCK_BYTES);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint16(6, FLAG_DELTA | (signer === undefined ? 0 : FLAG_SIGNED), true);
  view.setUint32(8, total, true);
  view.setUint16(12, sections.length, true);
  view.setUint16(14, HEADER_BYTES, true);
  placed.forEach(({ type, payload, at }, i) => {
    out.set(payload, at);
    const entry = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    view.setUint32(entry, type, true);
    view.setUint32(entry + 4, at, true);
    view.setUint32(entry + 8, payload.length, true);
    view.setUint32(entry + 12, crc32c(payload), true);
  });
  const digest = sha256(out.subarray(0, digestOffset));
  out.set(digest, digestOffset);
  if (signer !== undefined) {
    out.set(signer.keyId, digestOffset + DIGEST_BYTES);
    out.set(signer.sign(signatureMessage(digest)), digestOffset + DIGEST_BYTES + KEY_ID_BYTES);
  }
  return out;
}

export interface DeltaInfo {
  readonly baseDigest: string;
  readonly targetDigest: string;
  readonly targetSize: number;
  /** Stored tensors taken from the base. */
  readonly reused: number;
  /** Stored tensors whose bytes travel in the delta. */
  readonly carried: number;
}

function delta(message: string): PackageError {
  return new PackageError('delta', message);
}

/** Reads a delta's own description, after the container checks (size to signature) have passed. */
export function inspectDelta(deltaBytes: Uint8Array, options: ReadOptions = {}): DeltaInfo & { refs: number[]; sections: ReadonlyMap<number, Uint8Array> } {
  const c = readContainer(deltaBytes, options);
  if (c.kind !== 'delta') throw new PackageError('header', 'this is a full package, not a delta');
  if (c.weightDtypeCode !== 0) throw new PackageError('header', `a delta's weight dtype byte must be 0, is ${c.weightDtypeCode}`);
  const r = new ByteReader(sectionOf(c.sections, SECTION.DLTA), 'DLTA');
  const baseDigest = toHex(r.slice(32));
  const targetDigest = toHex(r.slice(32));
  const targetSize = r.u32();
  const count = r.u32();
  if (count > 65535 || r.remaining !== count * 4) throw new PackageError('semantics', `DLTA: ${count} tensor references do not fit its ${r.remaining} remaining bytes`);
  const refs: number[] = [];
  for (let i = 0; i < count; i++) refs.push(r.u32());
  const entries = readTargetTable(sectionOf(c.sections, SECTION.TPRE), count);
  const reused = refs.filter((x) => x !== NO_BASE_TENSOR).length;
  // Seeded tensors have no stored bytes: neither reused nor carried.
  const carried = refs.filter((x, i) => x === NO_BASE_TENSOR && (entries[i]?.length ?? 0) > 0).length;
  return { baseDigest, targetDigest, targetSize, reused, carried, refs, sections: c.sections };
}

/**
 * Applies a delta to its base and returns the full target package, byte-identical to the one the
 * delta was made from: its SHA-256 must equal the target digest the delta names, then it is decoded
 * with every check like any package.
 */
export function applyDelta(baseBytes: Uint8Array, deltaBytes: Uint8Array, options: ReadOptions = {}): Uint8Array {
  const info = inspectDelta(deltaBytes, options);
  const base = decodePackage(baseBytes);
  if (toHex(base.digest) !== info.baseDigest) throw delta(`made for base ${info.baseDigest.slice(0, 16)}…, but this base is ${toHex(base.digest).slice(0, 16)}…`);
  const prefix = sectionOf(info.sections, SECTION.TPRE);
  const suffix = sectionOf(info.sections, SECTION.TSUF);
  const literal = sectionOf(info.sections, SECTION.DATA);
  const dataLength = info.targetSize - prefix.length - suffix.length;
  if (dataLength < 0) throw delta(`target size ${info.targetSize} is smaller than its carried parts`);
  if (info.targetSize > (options.maxBytes ?? MAX_PACKAGE_BYTES)) throw delta(`target size ${info.targetSize} is over the package limit`);
  // The target's tensor table sits in the prefix; read offsets from it without trusting it yet:
  // whatever it says, the result must hash to the target digest before anything uses it. Every
  // piece is checked against its source before the target is allocated.
  const entries = readTargetTable(prefix, info.refs.length);
  const pieces: { at: number; bytes: Uint8Array }[] = [];
  let cursor = 0;
  let end = 0;
  entries.forEach(({ offset, length }, i) => {
    if (length === 0) {
      if (info.refs[i] !== NO_BASE_TENSOR) throw delta(`target tensor ${i} stores no bytes but refers to base tensor ${info.refs[i]}`);
      return;
    }
    if (offset !== end) throw delta(`target tensor ${i} is not where the canonical layout puts it`);
    end = align4(offset + length);
    const ref = info.refs[i] as number;
    if (ref === NO_BASE_TENSOR) {
      if (cursor + length > literal.length) throw delta(`the delta's DATA ends before target tensor ${i}`);
      pieces.push({ at: offset, bytes: literal.subarray(cursor, cursor + length) });
      for (let p = cursor + length; p < align4(cursor + length); p++) if (literal[p] !== 0) throw delta(`padding after carried tensor ${i} is not zero`);
      cursor = align4(cursor + length);
    } else {
      const b = base.tensors[ref];
      if (b === undefined || b.dataLength !== length) throw delta(`target tensor ${i} refers to base tensor ${ref}, which does not fit`);
      pieces.push({ at: offset, bytes: base.data.subarray(b.dataOffset, b.dataOffset + b.dataLength) });
    }
  });
  if (cursor !== literal.length) throw delta(`the delta carries ${literal.length - cursor} bytes no tensor uses`);
  if (end !== dataLength) throw delta(`the target's tensors fill ${end} data bytes, its size leaves ${dataLength}`);
  const out = new Uint8Array(info.targetSize);
  out.set(prefix, 0);
  for (const p of pieces) out.set(p.bytes, prefix.length + p.at);
  out.set(suffix, prefix.length + dataLength);
  if (!bytesEqual(targetDigestOf(out, suffix.length), hexBytes(info.targetDigest))) {
    throw delta('the rebuilt package does not match the target digest');
  }
  decodePackage(out, options);
  return out;
}

function hexBytes(hex: string): Uint8Array {
  return Uint8Array.from(hex.match(/../g) ?? [], (h) => parseInt(h, 16));
}

/** SHA-256 over the bytes a package's digest covers (everything before the digest and signature). */
function targetDigestOf(pkg: Uint8Array, suffixLength: number): Uint8Array {
  const view = new DataView(pkg.buffer, pkg.byteOffset, pkg.byteLength);
  const signed = (view.getUint16(6, true) & FLAG_SIGNED) !== 0;
  const covered = pkg.length - DIGEST_BYTES - (signed ? SIGNATURE_BLOCK_BYTES : 0);
  if (covered < pkg.length - suffixLength) throw delta('the target suffix is shorter than its digest');
  return sha256(pkg.subarray(0, covered));
}

function readTargetTable(prefix: Uint8Array, count: number): { offset: number; length: number }[] {
  const view = new DataView(prefix.buffer, prefix.byteOffset, prefix.byteLength);
  if (prefix.length < HEADER_BYTES) throw delta('the target prefix is shorter than a header');
  const sections = view.getUint16(12, true);
  for (let i = 0; i < sections; i++) {
    const at = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    if (at + DIRECTORY_ENTRY_BYTES > prefix.length) break;
    if (view.getUint32(at, true) !== SECTION.TENS) continue;
    const offset = view.getUint32(at + 4, true);
    const r = new ByteReader(prefix.subarray(Math.min(offset, prefix.length)), 'target TENS', 'delta');
    if (r.u32() !== count) throw delta(`the target table and the delta disagree on the tensor count`);
    const out: { offset: number; length: number }[] = [];
    for (let t = 0; t < count; t++) {
      r.slice(44);
      const o = r.u32();
      const l = r.u32();
      r.slice(96 - 52);
      out.push({ offset: o, length: l });
    }
    return out;
  }
  throw delta('the target prefix has no tensor table');
}
