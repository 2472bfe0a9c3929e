import { sha256 } from '@noble/hashes/sha2.js';
import { crc32c } from './crc32c.js';
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  FLAG_DELTA,
  FLAG_SIGNED,
  FORMAT_VERSION,
  fourccName,
  HEADER_BYTES,
  KEY_ID_BYTES,
  KNOWN_FLAGS,
  MAGIC,
  MAX_PACKAGE_BYTES,
  MAX_SECTIONS,
  SECTION,
  SIGNATURE_BLOCK_BYTES,
} from './package-constants.js';
import { PackageError } from './package-error.js';
import { signatureMessage, type SignatureVerifier } from './package-signer.js';
import { bytesEqual, toHex } from './tensor-digest.js';

export interface ReadOptions {
  /** Largest package accepted; 256 MiB by default. */
  readonly maxBytes?: number;
  /** Verifies signatures; without one a signature is reported but not verified. */
  readonly verifier?: SignatureVerifier;
  /** Refuse unsigned packages. Defaults to true when a verifier is given. */
  readonly requireSignature?: boolean;
}

export interface SignatureInfo {
  readonly keyId: string;
  readonly verified: boolean;
}

/** A package whose container passed checks 1–5; its payloads are still unread. */
export interface Container {
  readonly kind: 'full' | 'delta';
  readonly weightDtypeCode: number;
  readonly sections: ReadonlyMap<number, Uint8Array>;
  readonly sectionOrder: readonly number[];
  readonly digest: Uint8Array;
  readonly signature: SignatureInfo | undefined;
  readonly totalSize: number;
}

const FULL_ORDER = [SECTION.STRS, SECTION.GRPH, SECTION.TENS, SECTION.SPEC, SECTION.DATA];
const DELTA_ORDER = [SECTION.DLTA, SECTION.TPRE, SECTION.TSUF, SECTION.DATA];
const FULL_REQUIRED = new Set([SECTION.STRS, SECTION.GRPH, SECTION.TENS, SECTION.DATA]);

/**
 * Checks 1 to 5 of docs/package-format.md, in order: size, header, sections (layout and CRC-32C),
 * digest, signature. Returns views of the payloads only when all of them pass.
 */
export function readContainer(bytes: Uint8Array, options: ReadOptions = {}): Container {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const maxBytes = options.maxBytes ?? MAX_PACKAGE_BYTES;
  const minimum = HEADER_BYTES + DIRECTORY_ENTRY_BYTES + DIGEST_BYTES;

  // 1. size
  if (bytes.length < minimum) throw new PackageError('size', `${bytes.length} bytes is shorter than the smallest package (${minimum} bytes)`);
  if (bytes.length > maxBytes) throw new PackageError('size', `${bytes.length} bytes is over the limit of ${maxBytes} bytes`);
  const totalSize = view.getUint32(8, true);
  if (totalSize !== bytes.length) {
    throw new PackageError('size', `the header says ${totalSize} bytes but there are ${bytes.length} (${totalSize > bytes.length ? 'truncated' : 'extra bytes at the end'})`);
  }

  // 2. header
  if (MAGIC.some((b, i) => bytes[i] !== b)) throw new PackageError('header', 'bad magic: this is not a ReFrame seed package (expected "RFPK")');
  const version = view.getUint16(4, true);
  if (version !== FORMAT_VERSION) throw new PackageError('header', `format version ${version} is not supported (this reader knows version ${FORMAT_VERSION})`);
  const flags = view.getUint16(6, true);
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new PackageError('header', `unknown flag bits 0x${(flags & ~KNOWN_FLAGS).toString(16)}`);
  const count = view.getUint16(12, true);
  if (count < 1 || count > MAX_SECTIONS) throw new PackageError('header', `section count ${count} is outside 1..${MAX_SECTIONS}`);
  const headerSize = view.getUint16(14, true);
  if (headerSize !== HEADER_BYTES) throw new PackageError('header', `header size ${headerSize} is not ${HEADER_BYTES}`);
  const weightDtypeCode = view.getUint8(16);
  if (weightDtypeCode > 2) throw new PackageError('header', `weight dtype code ${weightDtypeCode} is unknown`);
  for (let i = 17; i < HEADER_BYTES; i++) if (bytes[i] !== 0) throw new PackageError('header', `reserved header byte ${i} is not zero`);

  // 3. sections
  const signed = (flags & FLAG_SIGNED) !== 0;
  const kind = (flags & FLAG_DELTA) !== 0 ? 'delta' : 'full';
  const digestOffset = bytes.length - DIGEST_BYTES - (signed ? SIGNATURE_BLOCK_BYTES : 0);
  let cursor = HEADER_BYTES + count * DIRECTORY_ENTRY_BYTES;
  if (cursor > digestOffset) throw new PackageError('sections', `${count} directory entries do not fit in ${bytes.length} bytes`);
  const order = kind === 'full' ? FULL_ORDER : DELTA_ORDER;
  const sections = new Map<number, Uint8Array>();
  const sectionOrder: number[] = [];
  let rank = -1;
  for (let i = 0; i < count; i++) {
    const at = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    const type = view.getUint32(at, true);
    const offset = view.getUint32(at + 4, true);
    const length = view.getUint32(at + 8, true);
    const crc = view.getUint32(at + 12, true);
    const name = fourccName(type);
    const place = order.indexOf(type);
    if (place < 0) throw new PackageError('sections', `section ${i} has type ${name}, which a ${kind} package does not have`);
    if (place <= rank) throw new PackageError('sections', `section ${name} is repeated or out of order`);
    rank = place;
    if (offset !== cursor) throw new PackageError('sections', `section ${name} starts at ${offset}, the layout puts it at ${cursor}`);
    if (length > digestOffset - offset) throw new PackageError('sections', `section ${name} (${length} bytes at ${offset}) runs past the end of the sections at ${digestOffset}`);
    const end = offset + length;
    const padEnd = align4(end);
    for (let p = end; p < padEnd; p++) if (bytes[p] !== 0) throw new PackageError('sections', `padding after section ${name} is not zero`);
    const actual = crc32c(bytes, offset, end);
    if (actual !== crc) throw new PackageError('sections', `section ${name} fails its CRC-32C (stored ${crc.toString(16)}, computed ${actual.toString(16)})`);
    sections.set(type, bytes.subarray(offset, end));
    sectionOrder.push(type);
    cursor = padEnd;
  }
  if (cursor !== digestOffset) throw new PackageError('sections', `${digestOffset - cursor} bytes between the last section and the digest belong to no section`);
  const required = kind === 'full' ? FULL_REQUIRED : new Set(DELTA_ORDER);
  for (const type of required) if (!sections.has(type)) throw new PackageError('sections', `the ${kind} package has no ${fourccName(type)} section`);

  // 4. digest
  const digest = bytes.subarray(digestOffset, digestOffset + DIGEST_BYTES);
  if (!bytesEqual(sha256(bytes.subarray(0, digestOffset)), digest)) throw new PackageError('digest', 'the SHA-256 of the package does not match its stored digest');

  // 5. signature
  const requireSignature = options.requireSignature ?? options.verifier !== undefined;
  let signature: SignatureInfo | undefined;
  if (signed) {
    const keyId = bytes.subarray(digestOffset + DIGEST_BYTES, digestOffset + DIGEST_BYTES + KEY_ID_BYTES);
    const sig = bytes.subarray(digestOffset + DIGEST_BYTES + KEY_ID_BYTES);
    let verified = false;
    if (options.verifier !== undefined) {
      const result = options.verifier(keyId, signatureMessage(digest), sig);
      if (result === 'unknown-key') throw new PackageError('signature', `signed with key id ${toHex(keyId)}, which is not a trusted key`);
      if (!result) throw new PackageError('signature', `the Ed25519 signature by key id ${toHex(keyId)} does not verify`);
      verified = true;
    } else if (requireSignature) {
      throw new PackageError('signature', 'a verified signature is required but no public key was given');
    }
    signature = { keyId: toHex(keyId), verified };
  } else if (requireSignature) {
    throw new PackageError('signature', 'the package is not signed, and a signature is required');
  }

  return { kind, weightDtypeCode, sections, sectionOrder, digest, signature, totalSize };
}

/** A payload the container check has already required; refuses (never crashes) if it is absent. */
export function sectionOf(sections: ReadonlyMap<number, Uint8Array>, type: number): Uint8Array {
  const payload = sections.get(type);
  if (payload === undefined) throw new PackageError('sections', `the package has no ${fourccName(type)} section`);
  return payload;
}
