// The seed-package fuzzer: mutates valid packages (full and delta, unsigned and signed) and checks that
// every mutant is refused by decodePackage / applyDelta with a PackageError naming the right check.
// test/package-fuzz.test.ts runs it in CI; scripts/fuzz-packages.mjs runs it for long (through vitest).
// Everything random comes from FuzzRandom, seeded per mutant from (seed, index), so a failure printed
// with its seed and index replays exactly.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { keyIdOf } from '../../core/node/package-keys.js';
import { crc32c } from '../../core/package/crc32c.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { applyDelta, inspectDelta, makeDelta } from '../../core/package/delta-package.js';
import { encodePackage, type EncodeOptions } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  FLAG_SIGNED,
  fourccName,
  HEADER_BYTES,
  KEY_ID_BYTES,
  NO_BASE_TENSOR,
  SECTION,
  SIGNATURE_BLOCK_BYTES,
  TENSOR_ENTRY_BYTES,
} from '../../core/package/package-constants.js';
import { PackageError, type PackageCheck } from '../../core/package/package-error.js';
import { signatureMessage, type PackageSigner, type SignatureVerifier } from '../../core/package/package-signer.js';
import type { ReadOptions } from '../../core/package/read-container.js';
import { checkTensorDigests } from '../../core/package/read-tensor.js';
import { bytesEqual } from '../../core/package/tensor-digest.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { findPreset } from '../../core/zoo/presets.js';

// ---------------------------------------------------------------------------------------------------
// Seeded randomness

function splitmix32(state: number): [next: number, output: number] {
  const next = (state + 0x9e3779b9) >>> 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return [next, (z ^ (z >>> 16)) >>> 0];
}

/** sfc32, seeded through splitmix32 from a 32-bit seed and a stream number (the mutant's index). */
export class FuzzRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number, stream = 0) {
    // Mix the seed first, so that seeds and streams differing in the same bits do not collide.
    let out = splitmix32(seed >>> 0)[1];
    let s = (out ^ Math.imul(stream >>> 0, 0x2545f491)) >>> 0;
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      [s, out] = splitmix32(s);
      words.push(out);
    }
    [this.a, this.b, this.c, this.d] = words as [number, number, number, number];
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 0x1_0000_0000) * n);
  }

  /** An integer in [lo, hi], both included. */
  between(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }

  chance(p: number): boolean {
    return this.u32() < p * 0x1_0000_0000;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('internal: pick from nothing');
    return items[this.int(items.length)] as T;
  }

  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u32() & 0xff;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------
// Keys: fixed Ed25519 keys (from fixed 32-byte seeds), so packages and signatures are the same every run

const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

export interface FuzzKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly signer: PackageSigner;
}

export function fixedKey(label: string): FuzzKey {
  const seed = sha256(new TextEncoder().encode(label));
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(seed, PKCS8_ED25519_PREFIX.length);
  const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return { privateKey, publicKey, signer: { keyId, sign: (message) => new Uint8Array(sign(null, message, privateKey)) } };
}

/** Trusts exactly one key, matched by key id, like core/node/package-keys.ts loadVerifier. */
export function verifierFor(key: FuzzKey): SignatureVerifier {
  return (keyId, message, signature) => {
    if (!bytesEqual(keyId, key.signer.keyId)) return 'unknown-key';
    return signature.length === 64 && verify(null, message, key.publicKey, signature);
  };
}

// ---------------------------------------------------------------------------------------------------
// Targets: the valid packages the mutants start from

interface SectionInfo {
  readonly type: number;
  readonly name: string;
  /** Byte offset of this section's directory entry. */
  readonly entry: number;
  readonly offset: number;
  readonly length: number;
}

interface Region {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

interface TensorSlot {
  readonly id: string;
  /** Absolute offset of the 96-byte TENS entry. */
  readonly entry: number;
  readonly dataOffset: number;
  readonly dataLength: number;
}

interface GraphWords {
  readonly nodeCount: number;
  readonly outputCount: number;
  readonly outputs: readonly number[];
  /** Absolute offsets of each node's record and of its fields. */
  readonly nodes: readonly { readonly name: string; readonly record: number; readonly inputCount: number; readonly attrCount: number; readonly attrs: readonly number[] }[];
}

interface DeltaWords {
  readonly dlta: number;
  readonly refs: readonly { readonly at: number; readonly ref: number; readonly length: number }[];
  /** Byte ranges of the carried tensors' values inside the delta's DATA payload (padding excluded). */
  readonly literal: readonly Region[];
  readonly baseBytes: readonly Uint8Array[];
  readonly tpre: SectionInfo;
  readonly tsuf: SectionInfo;
  /** Where the target's own digest starts, counted from the end of the target. */
  readonly targetDigestFromEnd: number;
  readonly targetSigned: boolean;
}

export interface FuzzTarget {
  readonly name: string;
  readonly kind: 'full' | 'delta';
  readonly bytes: Uint8Array;
  readonly signed: boolean;
  readonly options: ReadOptions;
  readonly sections: readonly SectionInfo[];
  readonly digestOffset: number;
  readonly regions: readonly Region[];
  readonly hasSpec: boolean;
  readonly tensors: readonly TensorSlot[];
  readonly graph: GraphWords | undefined;
  readonly delta: DeltaWords | undefined;
  /** The base package a delta applies to. */
  readonly base: Uint8Array | undefined;
  /** What applying an unmutated delta gives. */
  readonly deltaResult: Uint8Array | undefined;
}

const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

function readLayout(bytes: Uint8Array): { sections: SectionInfo[]; digestOffset: number; signed: boolean; regions: Region[] } {
  const v = view(bytes);
  const count = v.getUint16(12, true);
  const signed = (v.getUint16(6, true) & FLAG_SIGNED) !== 0;
  const digestOffset = bytes.length - DIGEST_BYTES - (signed ? SIGNATURE_BLOCK_BYTES : 0);
  const sections: SectionInfo[] = [];
  const regions: Region[] = [
    { name: 'header', start: 0, end: HEADER_BYTES },
    { name: 'directory', start: HEADER_BYTES, end: HEADER_BYTES + count * DIRECTORY_ENTRY_BYTES },
  ];
  for (let i = 0; i < count; i++) {
    const entry = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    const s = { type: v.getUint32(entry, true), name: '', entry, offset: v.getUint32(entry + 4, true), length: v.getUint32(entry + 8, true) };
    const named = { ...s, name: fourccName(s.type) };
    sections.push(named);
    if (s.length > 0) regions.push({ name: named.name, start: s.offset, end: s.offset + s.length });
    if (align4(s.offset + s.length) > s.offset + s.length) regions.push({ name: `${named.name} padding`, start: s.offset + s.length, end: align4(s.offset + s.length) });
  }
  regions.push({ name: 'digest', start: digestOffset, end: digestOffset + DIGEST_BYTES });
  if (signed) regions.push({ name: 'signature', start: digestOffset + DIGEST_BYTES, end: bytes.length });
  return { sections, digestOffset, signed, regions };
}

function sectionOf(sections: readonly SectionInfo[], type: number): SectionInfo {
  const s = sections.find((x) => x.type === type);
  if (s === undefined) throw new Error(`internal: no ${fourccName(type)} section`);
  return s;
}

function readGraphWords(bytes: Uint8Array, grph: SectionInfo, strs: SectionInfo): GraphWords {
  const v = view(bytes);
  let p = grph.offset + 8;
  const nodeCount = p;
  const outputCount = p + 4;
  const outputs: number[] = [];
  const nOutputs = v.getUint32(outputCount, true);
  p += 8;
  for (let i = 0; i < nOutputs; i++, p += 4) outputs.push(p);
  const nodes: { name: string; record: number; inputCount: number; attrCount: number; attrs: number[] }[] = [];
  for (let n = 0; n < v.getUint32(nodeCount, true); n++) {
    const record = p;
    const inputs = v.getUint8(record + 1);
    const attrCount = v.getUint8(record + 3);
    const nameAt = strs.offset + v.getUint32(record + 4, true);
    const name = new TextDecoder().decode(bytes.subarray(nameAt, nameAt + v.getUint32(record + 8, true)));
    p = record + 24 + align4(2 * inputs);
    const attrs: number[] = [];
    for (let i = 0; i < attrCount; i++, p += 4) attrs.push(p);
    nodes.push({ name, record, inputCount: record + 1, attrCount: record + 3, attrs });
  }
  if (p !== grph.offset + grph.length) throw new Error('internal: GRPH walk did not end at the end of GRPH');
  return { nodeCount, outputCount, outputs, nodes };
}

function fullTarget(name: string, bytes: Uint8Array, options: ReadOptions): FuzzTarget {
  const pkg = decodePackage(bytes, options);
  const layout = readLayout(bytes);
  const tens = sectionOf(layout.sections, SECTION.TENS);
  const tensors = pkg.tensors.map((t, i) => ({ id: t.id, entry: tens.offset + 4 + i * TENSOR_ENTRY_BYTES, dataOffset: t.dataOffset, dataLength: t.dataLength }));
  const graph = readGraphWords(bytes, sectionOf(layout.sections, SECTION.GRPH), sectionOf(layout.sections, SECTION.STRS));
  return {
    name,
    kind: 'full',
    bytes,
    signed: layout.signed,
    options,
    sections: layout.sections,
    digestOffset: layout.digestOffset,
    regions: layout.regions,
    hasSpec: pkg.specText !== undefined,
    tensors,
    graph,
    delta: undefined,
    base: undefined,
    deltaResult: undefined,
  };
}

function deltaTarget(name: string, base: Uint8Array, target: Uint8Array, bytes: Uint8Array, options: ReadOptions): FuzzTarget {
  const result = applyDelta(base, bytes, options);
  if (!bytesEqual(result, target)) throw new Error(`internal: delta ${name} does not rebuild its target`);
  const layout = readLayout(bytes);
  const info = inspectDelta(bytes, options);
  const basePkg = decodePackage(base);
  const targetPkg = decodePackage(target, options);
  const dlta = sectionOf(layout.sections, SECTION.DLTA).offset;
  const data = sectionOf(layout.sections, SECTION.DATA).offset;
  const literal: Region[] = [];
  let cursor = 0;
  const refs = targetPkg.tensors.map((t, i) => {
    const ref = info.refs[i]!;
    if (t.dataLength > 0 && ref === NO_BASE_TENSOR) {
      literal.push({ name: t.id, start: data + cursor, end: data + cursor + t.dataLength });
      cursor = align4(cursor + t.dataLength);
    }
    return { at: dlta + 72 + 4 * i, ref, length: t.dataLength };
  });
  const targetSigned = targetPkg.signature !== undefined;
  return {
    name,
    kind: 'delta',
    bytes,
    signed: layout.signed,
    options,
    sections: layout.sections,
    digestOffset: layout.digestOffset,
    regions: layout.regions,
    hasSpec: false,
    tensors: [],
    graph: undefined,
    delta: {
      dlta,
      refs,
      literal,
      baseBytes: basePkg.tensors.map((t) => basePkg.data.subarray(t.dataOffset, t.dataOffset + t.dataLength)),
      tpre: sectionOf(layout.sections, SECTION.TPRE),
      tsuf: sectionOf(layout.sections, SECTION.TSUF),
      targetDigestFromEnd: DIGEST_BYTES + (targetSigned ? SIGNATURE_BLOCK_BYTES : 0),
      targetSigned,
    },
    base,
    deltaResult: target,
  };
}

export interface FuzzFixtures {
  readonly targets: readonly FuzzTarget[];
  readonly trusted: FuzzKey;
  readonly stranger: FuzzKey;
}

/** Largest package the fuzz runs accept: the packages are ~10 KB, and a delta naming a bigger target must be refused before it is built. */
export const FUZZ_MAX_BYTES = 1 << 20;

/**
 * The `tiny` preset packed in fp32, fp16 and int8, without its spec, signed (fp32, int8), and three
 * deltas (unsigned fp32 → fp32, fp32 → fp16, signed fp32 → fp32) whose targets change two tensors.
 */
export function buildFuzzFixtures(): FuzzFixtures {
  const checked = checkSpecValue(findPreset('tiny')!.build());
  if (!checked.ok) throw new Error('internal: the tiny preset does not check');
  const graph = checked.graph;
  const values = initialValues(graph);
  const trained = new Map(values);
  for (const id of ['fc.weight', 'layer1.0.nl2.pw.weight']) trained.set(id, values.get(id)!.map((x) => x * 0.5 + 0.01));
  const trusted = fixedKey('reframe package fuzz: trusted key');
  const stranger = fixedKey('reframe package fuzz: a key nobody trusts');
  const pack = (v: typeof values, options: EncodeOptions) => encodePackage(graph, v, options);
  const plain: ReadOptions = { maxBytes: FUZZ_MAX_BYTES };
  const verified: ReadOptions = { maxBytes: FUZZ_MAX_BYTES, verifier: verifierFor(trusted) };

  const fp32 = pack(values, { dtype: 'fp32' });
  const newFp32 = pack(trained, { dtype: 'fp32' });
  const newFp16 = pack(trained, { dtype: 'fp16' });
  const newSigned = pack(trained, { dtype: 'fp32', signer: trusted.signer });
  const targets = [
    fullTarget('fp32', fp32, plain),
    fullTarget('fp16', pack(values, { dtype: 'fp16' }), plain),
    fullTarget('int8', pack(values, { dtype: 'int8' }), plain),
    fullTarget('fp32 no-spec', pack(values, { dtype: 'fp32', includeSpec: false }), plain),
    fullTarget('fp32 signed', pack(values, { dtype: 'fp32', signer: trusted.signer }), verified),
    fullTarget('int8 signed', pack(values, { dtype: 'int8', signer: trusted.signer }), verified),
    deltaTarget('delta fp32', fp32, newFp32, makeDelta(fp32, newFp32), plain),
    deltaTarget('delta fp16', fp32, newFp16, makeDelta(fp32, newFp16), plain),
    deltaTarget('delta signed', fp32, newSigned, makeDelta(fp32, newSigned, trusted.signer), verified),
  ];
  return { targets, trusted, stranger };
}

// ---------------------------------------------------------------------------------------------------
// Re-sealing: making a mutant pass the container checks again

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

// ---------------------------------------------------------------------------------------------------
// Mutations

/** Checks 1 to 5: what a mutant whose CRCs and digest were left alone must be refused by. */
const CONTAINER: readonly PackageCheck[] = ['size', 'header', 'sections', 'digest', 'signature'];

interface Mutant {
  readonly bytes: Uint8Array;
  /** The checks allowed to refuse it. */
  readonly expect: readonly PackageCheck[];
  /** What was done, for the failure message. */
  readonly note: string;
  /**
   * DATA values were rewritten and the container resealed: unsigned (or re-signed), that is a valid
   * package with other weights, so it may decode, but then its tensor digests must not match.
   */
  readonly valuesChanged?: boolean;
}

interface MutationContext {
  readonly rng: FuzzRandom;
  readonly target: FuzzTarget;
  readonly fixtures: FuzzFixtures;
}

type Mutation = (c: MutationContext) => Mutant;

interface MutationKind {
  readonly name: string;
  readonly weight: number;
  readonly applies: (t: FuzzTarget) => boolean;
  readonly make: Mutation;
}

const u16At = (b: Uint8Array, at: number) => view(b).getUint16(at, true);
const u32At = (b: Uint8Array, at: number) => view(b).getUint32(at, true);
const setU8 = (b: Uint8Array, at: number, x: number) => view(b).setUint8(at, x);
const setU16 = (b: Uint8Array, at: number, x: number) => view(b).setUint16(at, x, true);
const setU32 = (b: Uint8Array, at: number, x: number) => view(b).setUint32(at, x >>> 0, true);

function regionOf(t: FuzzTarget, at: number): string {
  return t.regions.find((r) => at >= r.start && at < r.end)?.name ?? 'beyond the end';
}

/** A u32 different from `current`, biased to the values that break parsers: huge, zero, off by a little. */
function interestingU32(rng: FuzzRandom, current: number, extra: readonly number[] = []): number {
  const candidates = [0, 1, 3, 4, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff, current + 1, current - 1, current + 4, current - 4, current * 2, ...extra];
  for (;;) {
    const x = (rng.chance(0.8) ? rng.pick(candidates) : rng.u32()) >>> 0;
    if (x !== current) return x;
  }
}

function interestingU8(rng: FuzzRandom, current: number): number {
  for (;;) {
    const x = rng.chance(0.7) ? rng.pick([0, 1, 2, 3, 4, 5, 9, 15, 16, 0x7f, 0x80, 0xfe, 0xff, current + 1, current - 1]) & 0xff : rng.int(256);
    if (x !== current) return x;
  }
}

/** Signed and not re-signed: a verifier refuses the stale signature before semantics can look. */
function afterSignature(c: MutationContext, resigned: boolean, checks: readonly PackageCheck[]): readonly PackageCheck[] {
  return c.target.signed && !resigned ? ['signature'] : checks;
}

function sealed(c: MutationContext, bytes: Uint8Array, checks: readonly PackageCheck[], note: string, extra: Partial<Mutant> = {}): Mutant {
  const resign = c.target.signed && c.rng.chance(0.5);
  reseal(bytes, { crcs: true, signer: resign ? c.fixtures.trusted.signer : undefined });
  return { bytes, expect: afterSignature(c, resign, checks), note: `${note}; CRCs and digest recomputed${c.target.signed ? (resign ? ', re-signed' : ', signature left stale') : ''}`, ...extra };
}

const bitFlip: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const at = rng.int(bytes.length);
  const bit = rng.int(8);
  bytes[at]! ^= 1 << bit;
  return { bytes, expect: CONTAINER, note: `bit ${bit} of byte ${at} (${regionOf(target, at)}) flipped` };
};

const multiBitFlip: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const flips = rng.between(2, 24);
  const burst = rng.chance(0.5);
  const origin = rng.int(bytes.length);
  for (let i = 0; i < flips; i++) {
    const at = burst ? Math.min(bytes.length - 1, origin + rng.int(8)) : rng.int(bytes.length);
    bytes[at]! ^= 1 << rng.int(8);
  }
  if (bytesEqual(bytes, target.bytes)) bytes[origin]! ^= 0x10; // the flips cancelled out
  return { bytes, expect: CONTAINER, note: `${flips} bits flipped ${burst ? `in a burst at byte ${origin} (${regionOf(target, origin)})` : 'across the file'}` };
};

const byteOverwrite: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const n = rng.between(1, 16);
  const run = rng.chance(0.5);
  const origin = rng.int(bytes.length);
  for (let i = 0; i < n; i++) {
    const at = run ? Math.min(bytes.length - 1, origin + i) : rng.int(bytes.length);
    bytes[at] = rng.chance(0.5) ? rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01]) : rng.int(256);
  }
  if (bytesEqual(bytes, target.bytes)) bytes[origin] = (bytes[origin]! + 1) & 0xff;
  return { bytes, expect: CONTAINER, note: `${n} byte(s) overwritten ${run ? `from byte ${origin} (${regionOf(target, origin)})` : 'across the file'}` };
};

const truncate: Mutation = ({ rng, target }) => {
  const region = rng.pick(target.regions);
  const cut = rng.between(region.start, region.end - 1);
  const bytes = target.bytes.slice(0, cut);
  // Fixing up totalSize moves the problem from the size check to the layout.
  if (cut >= HEADER_BYTES && rng.chance(0.3)) {
    setU32(bytes, 8, cut);
    return { bytes, expect: cut < HEADER_BYTES + DIRECTORY_ENTRY_BYTES + DIGEST_BYTES ? ['size'] : ['sections'], note: `cut to ${cut} bytes (inside ${region.name}), totalSize set to match` };
  }
  return { bytes, expect: ['size'], note: `cut to ${cut} bytes (inside ${region.name})` };
};

const extend: Mutation = ({ rng, target }) => {
  const more = rng.chance(0.2) ? rng.pick([1, 2, 3, 4, 32, SIGNATURE_BLOCK_BYTES]) : rng.between(1, 256);
  const bytes = new Uint8Array(target.bytes.length + more);
  bytes.set(target.bytes);
  bytes.set(rng.bytes(more), target.bytes.length);
  if (rng.chance(0.4)) {
    setU32(bytes, 8, bytes.length);
    return { bytes, expect: ['sections'], note: `${more} random bytes appended, totalSize set to match` };
  }
  return { bytes, expect: ['size'], note: `${more} random bytes appended` };
};

const headerEdit: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  // A delta's weight-dtype byte means nothing and any of 0..2 applies, so 'other dtype' with the
  // digest recomputed would be a valid delta: that edit is for full packages only.
  const fields = ['magic', 'version', 'unknown flag', 'known flag', 'totalSize', 'section count', 'header size', 'reserved', 'bad dtype', ...(target.kind === 'full' ? ['other dtype'] : [])];
  const field = rng.pick(fields);
  let expect: readonly PackageCheck[];
  let semantic = false;
  switch (field) {
    case 'magic': {
      const at = rng.int(4);
      setU8(bytes, at, interestingU8(rng, bytes[at]!));
      expect = ['header'];
      break;
    }
    case 'version':
      setU16(bytes, 4, rng.chance(0.5) ? rng.pick([0, 2, 0x100, 0xffff]) : rng.between(2, 0xffff));
      expect = ['header'];
      break;
    case 'unknown flag':
      setU16(bytes, 6, u16At(bytes, 6) | (rng.between(1, 0x3fff) << 2));
      expect = ['header'];
      break;
    case 'known flag':
      setU16(bytes, 6, u16At(bytes, 6) ^ rng.between(1, 3));
      expect = ['sections'];
      break;
    case 'totalSize':
      setU32(bytes, 8, interestingU32(rng, bytes.length));
      expect = ['size'];
      break;
    case 'section count': {
      const count = u16At(bytes, 12);
      const next = rng.chance(0.5) ? rng.pick([0, 9, 16, 0x100, 0xffff]) : rng.pick([1, 2, 3, 4, 5, 6, 7, 8].filter((n) => n !== count));
      setU16(bytes, 12, next);
      expect = next === 0 || next > 8 ? ['header'] : ['sections'];
      break;
    }
    case 'header size':
      setU16(bytes, 14, rng.pick([0, 16, 31, 33, 64, 0xffff]));
      expect = ['header'];
      break;
    case 'reserved':
      setU8(bytes, rng.between(17, 31), rng.between(1, 255));
      expect = ['header'];
      break;
    case 'bad dtype':
      setU8(bytes, 16, rng.between(3, 255));
      expect = ['header'];
      break;
    default: {
      // Another valid dtype: only the digest, or with it recomputed the tensor table, disagrees.
      const now = bytes[16]!;
      setU8(bytes, 16, rng.pick([0, 1, 2].filter((d) => d !== now)));
      expect = ['digest'];
      semantic = true;
    }
  }
  const note = `header ${field} edited`;
  if (semantic && rng.chance(0.7)) return sealed(c, bytes, ['semantics'], note);
  if (!semantic && rng.chance(0.5)) {
    // A recomputed digest does not rescue a bad header or layout: those checks come first.
    reseal(bytes, { crcs: false, signer: target.signed ? c.fixtures.trusted.signer : undefined });
    return { bytes, expect, note: `${note}; digest recomputed` };
  }
  return { bytes, expect, note };
};

const swapSections: Mutation = (c) => {
  const { rng, target } = c;
  const payloads = target.sections.map((s) => [s.type, target.bytes.subarray(s.offset, s.offset + s.length)] as const);
  const i = rng.int(payloads.length);
  let j = rng.int(payloads.length - 1);
  if (j >= i) j++;
  const swapped = payloads.map(([type, payload], k) => [type, k === i ? payloads[j]![1] : k === j ? payloads[i]![1] : payload] as const);
  const resign = target.signed && rng.chance(0.5);
  const stale = target.signed && !resign ? target.bytes.subarray(target.digestOffset + DIGEST_BYTES) : undefined;
  const bytes = assemble(target.bytes, swapped, stale, c.fixtures.trusted.signer);
  const checks: readonly PackageCheck[] = target.kind === 'full' ? ['semantics'] : ['semantics', 'delta'];
  return {
    bytes,
    expect: afterSignature(c, resign, checks),
    note: `payloads of ${target.sections[i]!.name} and ${target.sections[j]!.name} swapped, directory, CRCs and digest rebuilt${target.signed ? (resign ? ', re-signed' : ', signature left stale') : ''}`,
  };
};

const directoryHuge: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const s = rng.pick(target.sections);
  const field = rng.pick(['offset', 'length'] as const);
  const at = s.entry + (field === 'offset' ? 4 : 8);
  const current = u32At(bytes, at);
  // Lengths move by 4 or more, so the change always shows in the layout. (A length grown by 1 to 3
  // bytes into its own zero padding keeps the layout; the decoder refuses that through its canonical
  // STRS/GRPH comparison, tested in core/package/decode-checks.test.ts.)
  let next = interestingU32(rng, current, [bytes.length, bytes.length * 2, current + 4 * rng.between(1, 64), current - 4 * rng.between(1, 64)]);
  if (field === 'length' && Math.abs(next - current) < 4) next = current + 4;
  setU32(bytes, at, next);
  const resign = target.signed && rng.chance(0.5);
  reseal(bytes, { crcs: true, signer: resign ? c.fixtures.trusted.signer : undefined });
  return { bytes, expect: ['sections'], note: `directory ${s.name} ${field} ${current} → ${next}; CRCs and digest recomputed` };
};

const countHuge: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  if (target.kind === 'delta') {
    const d = target.delta!;
    const count = u32At(bytes, d.dlta + 68);
    setU32(bytes, d.dlta + 68, interestingU32(rng, count, [65535, 65536]));
    return sealed(c, bytes, ['semantics'], `DLTA tensor count ${count} → ${u32At(bytes, d.dlta + 68)}`);
  }
  const g = target.graph!;
  const tens = sectionOf(target.sections, SECTION.TENS);
  const choice = rng.pick(['tensor count', 'node count', 'output count', 'input count', 'attr count', 'tensor rank', 'tensor dim', 'string ref'] as const);
  let note: string;
  switch (choice) {
    case 'tensor count': {
      const now = u32At(bytes, tens.offset);
      setU32(bytes, tens.offset, interestingU32(rng, now, [65535, 65536]));
      note = `TENS count ${now} → ${u32At(bytes, tens.offset)}`;
      break;
    }
    case 'node count':
    case 'output count': {
      const at = choice === 'node count' ? g.nodeCount : g.outputCount;
      const now = u32At(bytes, at);
      setU32(bytes, at, interestingU32(rng, now, [65535, 65536, 64, 65]));
      note = `GRPH ${choice} ${now} → ${u32At(bytes, at)}`;
      break;
    }
    case 'input count':
    case 'attr count': {
      const node = rng.pick(g.nodes);
      const at = choice === 'input count' ? node.inputCount : node.attrCount;
      const now = bytes[at]!;
      setU8(bytes, at, interestingU8(rng, now));
      note = `GRPH node ${node.name} ${choice} ${now} → ${bytes[at]}`;
      break;
    }
    case 'tensor rank': {
      const t = rng.pick(target.tensors);
      const now = bytes[t.entry + 13]!;
      setU8(bytes, t.entry + 13, interestingU8(rng, now));
      note = `TENS ${t.id} rank ${now} → ${bytes[t.entry + 13]}`;
      break;
    }
    case 'tensor dim': {
      const t = rng.pick(target.tensors);
      const at = t.entry + 16 + 4 * rng.int(4);
      const now = u32At(bytes, at);
      setU32(bytes, at, interestingU32(rng, now));
      note = `TENS ${t.id} dim ${(at - t.entry - 16) / 4} ${now} → ${u32At(bytes, at)}`;
      break;
    }
    default: {
      // A name reference (offset or length) of a tensor, or of the model.
      const inTens = rng.chance(0.6);
      const at = inTens ? rng.pick(target.tensors).entry + 4 * rng.int(2) : sectionOf(target.sections, SECTION.GRPH).offset + 4 * rng.int(2);
      const now = u32At(bytes, at);
      setU32(bytes, at, interestingU32(rng, now, [sectionOf(target.sections, SECTION.STRS).length]));
      note = `${inTens ? 'TENS' : 'GRPH model'} name reference word ${now} → ${u32At(bytes, at)}`;
    }
  }
  return sealed(c, bytes, ['semantics'], note);
};

const tensorRef: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const t = rng.pick(target.tensors);
  const field = rng.pick(['offset', 'length'] as const);
  const at = t.entry + (field === 'offset' ? 44 : 48);
  const now = u32At(bytes, at);
  const data = sectionOf(target.sections, SECTION.DATA);
  const others = target.tensors.flatMap((x) => [x.dataOffset, x.dataLength, x.dataOffset + x.dataLength]);
  setU32(bytes, at, interestingU32(rng, now, [data.length, data.length + 4, data.length - 4, now + 2, ...others]));
  return sealed(c, bytes, ['semantics'], `TENS ${t.id} data ${field} ${now} → ${u32At(bytes, at)}`);
};

const graphField: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const g = target.graph!;
  const withAttrs = g.nodes.filter((n) => n.attrs.length > 0);
  let at: number;
  let what: string;
  const grph = sectionOf(target.sections, SECTION.GRPH);
  if (rng.chance(0.1)) {
    // Rename the model to a node's name: a valid string of STRS, but not what SPEC calls it.
    const { record } = rng.pick(g.nodes);
    setU32(bytes, grph.offset, u32At(bytes, record + 4));
    setU32(bytes, grph.offset + 4, u32At(bytes, record + 8));
    return sealed(c, bytes, ['semantics'], 'GRPH model name set to a node name (SPEC names the model otherwise)');
  }
  if (rng.chance(0.2)) {
    at = rng.pick(g.outputs);
    what = 'output index';
  } else {
    const node = rng.pick(withAttrs);
    const k = rng.int(node.attrs.length);
    at = node.attrs[k]!;
    what = `node ${node.name} attribute word ${k}`;
  }
  const now = u32At(bytes, at);
  setU32(bytes, at, interestingU32(rng, now, [2, 5, 7, 8, 16]));
  return sealed(c, bytes, ['semantics'], `GRPH ${what} ${now} → ${u32At(bytes, at)} (the SPEC section still says otherwise)`);
};

const dataRewrite: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const data = sectionOf(target.sections, SECTION.DATA);
  const stored = target.tensors.filter((t) => t.dataLength > 0);
  const t = rng.pick(stored);
  const start = data.offset + t.dataOffset;
  const padding = align4(t.dataLength) - t.dataLength;
  const intoPadding = padding > 0 && rng.chance(0.3);
  const at = intoPadding ? start + t.dataLength + rng.int(padding) : start + rng.int(t.dataLength);
  if (rng.chance(0.5)) bytes[at]! ^= 1 << rng.int(8);
  else bytes[at] = (bytes[at]! + rng.between(1, 255)) & 0xff;
  return sealed(c, bytes, ['semantics'], `DATA byte ${at - start} of ${t.id}${intoPadding ? ' (padding)' : ''} changed`, { valuesChanged: true });
};

const stripSignature: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice(0, target.bytes.length - SIGNATURE_BLOCK_BYTES);
  setU16(bytes, 6, u16At(bytes, 6) & ~FLAG_SIGNED);
  setU32(bytes, 8, bytes.length);
  if (rng.chance(0.8)) {
    reseal(bytes, { crcs: false, signer: undefined });
    return { bytes, expect: ['signature'], note: 'signature removed, SIGNED cleared, size and digest fixed: a valid unsigned package where a signature is required' };
  }
  return { bytes, expect: ['digest'], note: 'signature removed, SIGNED cleared and size fixed, digest left' };
};

const signatureFlip: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const from = target.digestOffset + DIGEST_BYTES;
  const flips = rng.between(1, 8);
  for (let i = 0; i < flips; i++) bytes[from + rng.int(SIGNATURE_BLOCK_BYTES)]! ^= 1 << rng.int(8);
  if (bytesEqual(bytes, target.bytes)) bytes[from + KEY_ID_BYTES]! ^= 1;
  return { bytes, expect: ['signature'], note: `${flips} bit(s) of the key id or signature flipped` };
};

const foreignSignature: Mutation = ({ rng, target, fixtures }) => {
  const bytes = target.bytes.slice();
  const from = target.digestOffset + DIGEST_BYTES;
  const message = signatureMessage(bytes.subarray(target.digestOffset, from));
  const how = rng.pick(['stranger', 'stranger under the trusted id', 'trusted key, other message'] as const);
  if (how === 'stranger') {
    bytes.set(fixtures.stranger.signer.keyId, from);
    bytes.set(fixtures.stranger.signer.sign(message), from + KEY_ID_BYTES);
  } else if (how === 'stranger under the trusted id') {
    bytes.set(fixtures.stranger.signer.sign(message), from + KEY_ID_BYTES);
  } else {
    const other = message.slice();
    other[other.length - 1 - rng.int(DIGEST_BYTES)]! ^= 1 << rng.int(8);
    bytes.set(fixtures.trusted.signer.sign(other), from + KEY_ID_BYTES);
  }
  return { bytes, expect: ['signature'], note: `signed by the ${how}` };
};

const deltaField: Mutation = (c) => {
  const { rng, target } = c;
  const d = target.delta!;
  const bytes = target.bytes.slice();
  const choice = rng.pick(['base digest', 'target digest', 'target size', 'ref', 'prefix', 'suffix', 'carried bytes'] as const);
  let checks: readonly PackageCheck[] = ['delta'];
  let note: string;
  switch (choice) {
    case 'base digest':
    case 'target digest': {
      const at = d.dlta + (choice === 'base digest' ? 0 : 32) + rng.int(DIGEST_BYTES);
      bytes[at]! ^= 1 << rng.int(8);
      note = `DLTA ${choice} changed`;
      break;
    }
    case 'target size': {
      const now = u32At(bytes, d.dlta + 64);
      setU32(bytes, d.dlta + 64, interestingU32(rng, now, [FUZZ_MAX_BYTES, FUZZ_MAX_BYTES + 1, now + 1, now + 2, now - 2]));
      note = `DLTA target size ${now} → ${u32At(bytes, d.dlta + 64)}`;
      break;
    }
    case 'ref': {
      // Only tensors with stored bytes, and never another base tensor with the same bytes: either
      // would rebuild the very same target (the apply ignores refs of tensors without bytes).
      const slots = d.refs.filter((r) => r.length > 0);
      const slot = rng.pick(slots);
      const same = (i: number) => {
        const mine = slot.ref === NO_BASE_TENSOR ? undefined : d.baseBytes[slot.ref];
        const theirs = d.baseBytes[i];
        return mine !== undefined && theirs !== undefined && bytesEqual(mine, theirs);
      };
      let next: number;
      do next = interestingU32(rng, slot.ref, [NO_BASE_TENSOR, d.baseBytes.length, rng.int(d.baseBytes.length), rng.int(d.baseBytes.length)]);
      while (same(next));
      setU32(bytes, slot.at, next);
      note = `DLTA ref ${(slot.at - d.dlta - 72) / 4} ${slot.ref} → ${next}`;
      break;
    }
    case 'prefix':
    case 'suffix': {
      const s = choice === 'prefix' ? d.tpre : d.tsuf;
      const k = rng.int(s.length);
      bytes[s.offset + k] = (bytes[s.offset + k]! + rng.between(1, 255)) & 0xff;
      if (choice === 'suffix') {
        // The suffix is the target's padding (checked by the target digest), then its own digest and
        // signature, which only the target's own checks look at.
        const fromEnd = s.length - k;
        checks = fromEnd > d.targetDigestFromEnd ? ['delta'] : fromEnd > d.targetDigestFromEnd - DIGEST_BYTES ? ['digest'] : ['signature'];
      }
      note = `${s.name} byte ${k} changed`;
      break;
    }
    default: {
      // Values only: non-zero padding between carried tensors is refused by the apply too, but that
      // case is a single check; values are where a forged delta could hide.
      const r = rng.pick(d.literal);
      const at = rng.between(r.start, r.end - 1);
      bytes[at]! ^= 1 << rng.int(8);
      note = `carried bytes of ${r.name} changed`;
    }
  }
  return sealed(c, bytes, checks, note);
};

const KINDS: readonly MutationKind[] = [
  { name: 'bit flip', weight: 14, applies: () => true, make: bitFlip },
  { name: 'multi-bit flip', weight: 8, applies: () => true, make: multiBitFlip },
  { name: 'byte overwrite', weight: 8, applies: () => true, make: byteOverwrite },
  { name: 'truncate', weight: 8, applies: () => true, make: truncate },
  { name: 'extend', weight: 5, applies: () => true, make: extend },
  { name: 'header edit', weight: 9, applies: () => true, make: headerEdit },
  { name: 'swap sections', weight: 6, applies: () => true, make: swapSections },
  { name: 'directory huge', weight: 6, applies: () => true, make: directoryHuge },
  { name: 'count huge', weight: 8, applies: () => true, make: countHuge },
  { name: 'tensor offset/length', weight: 6, applies: (t) => t.kind === 'full', make: tensorRef },
  { name: 'graph field', weight: 5, applies: (t) => t.kind === 'full' && t.hasSpec, make: graphField },
  { name: 'data rewrite', weight: 6, applies: (t) => t.kind === 'full', make: dataRewrite },
  { name: 'strip signature', weight: 3, applies: (t) => t.signed, make: stripSignature },
  { name: 'signature flip', weight: 4, applies: (t) => t.signed, make: signatureFlip },
  { name: 'foreign signature', weight: 3, applies: (t) => t.signed, make: foreignSignature },
  { name: 'delta field', weight: 10, applies: (t) => t.kind === 'delta', make: deltaField },
];

export const MUTATION_KINDS: readonly string[] = KINDS.map((k) => k.name);

// ---------------------------------------------------------------------------------------------------
// Running

/** How a mutant ended: the check that refused it, or 'tensor digest' for rewritten values that decode but fail their digests. */
export type FuzzOutcome = PackageCheck | 'tensor digest' | 'accepted' | 'crash' | 'wrong check';

export interface FuzzFailure {
  readonly index: number;
  readonly target: string;
  readonly kind: string;
  readonly note: string;
  readonly problem: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly count: number;
  readonly ms: number;
  readonly accepted: number;
  readonly crashes: number;
  readonly wrongChecks: number;
  /** The first failures, at most 25. */
  readonly failures: readonly FuzzFailure[];
  readonly failureCount: number;
  /** Outcome counts per mutation kind. */
  readonly table: ReadonlyMap<string, ReadonlyMap<FuzzOutcome, number>>;
  readonly byTarget: ReadonlyMap<string, number>;
}

export interface FuzzOptions {
  readonly count: number;
  readonly seed: number;
  /** Run only this mutant index (to replay one failure). */
  readonly only?: number;
  readonly fixtures?: FuzzFixtures;
}

const PREFIX = /^package rejected by the ([a-z]+) check: (.*)$/s;

/** Why a thrown value is not an acceptable rejection, or undefined when it is one with an allowed check. */
function judge(error: unknown, expect: readonly PackageCheck[]): { outcome: FuzzOutcome; problem?: string } {
  if (!(error instanceof PackageError)) {
    const e = error as Error;
    return { outcome: 'crash', problem: `threw ${e?.name ?? typeof error}: ${e?.message ?? String(error)} ${(e?.stack ?? '').split('\n').slice(1, 3).join(' ')}` };
  }
  const m = PREFIX.exec(error.message);
  if (m === null || m[1] !== error.check || (m[2] ?? '').trim() === '') {
    return { outcome: 'crash', problem: `PackageError with a malformed message for check ${error.check}: ${JSON.stringify(error.message)}` };
  }
  if (!expect.includes(error.check)) return { outcome: 'wrong check', problem: `refused by the ${error.check} check, expected ${expect.join(' or ')}: ${error.message}` };
  return { outcome: error.check };
}

function attempt(target: FuzzTarget, m: Mutant): { outcome: FuzzOutcome; problem?: string } {
  if (bytesEqual(m.bytes, target.bytes)) return { outcome: 'crash', problem: 'internal: the mutation changed nothing' };
  if (target.kind === 'full') {
    try {
      const pkg = decodePackage(m.bytes, target.options);
      if (m.valuesChanged === true) {
        if (checkTensorDigests(pkg).length > 0) return { outcome: 'tensor digest' };
        return { outcome: 'accepted', problem: 'rewritten DATA values decode and still match every tensor digest' };
      }
      return { outcome: 'accepted', problem: 'decodePackage returned' };
    } catch (error) {
      return judge(error, m.expect);
    }
  }
  // Deltas: the delta's own reader, a decode (which must refuse a delta), then the apply.
  let inspected: PackageCheck | undefined;
  try {
    inspectDelta(m.bytes, target.options);
  } catch (error) {
    const j = judge(error, CONTAINER.includes((error as PackageError).check) ? CONTAINER : m.expect);
    if (j.problem !== undefined) return { outcome: j.outcome, problem: `inspectDelta: ${j.problem}` };
    inspected = (error as PackageError).check;
  }
  try {
    decodePackage(m.bytes, target.options);
    return { outcome: 'accepted', problem: 'decodePackage returned for a delta' };
  } catch (error) {
    const j = judge(error, [...CONTAINER, 'semantics']);
    if (j.problem !== undefined) return { outcome: j.outcome, problem: `decodePackage: ${j.problem}` };
  }
  try {
    const rebuilt = applyDelta(target.base!, m.bytes, target.options);
    return { outcome: 'accepted', problem: `applyDelta returned ${bytesEqual(rebuilt, target.deltaResult!) ? 'the original target' : 'a different package'}` };
  } catch (error) {
    const j = judge(error, m.expect);
    if (j.problem === undefined && inspected !== undefined && j.outcome !== inspected) {
      return { outcome: 'wrong check', problem: `inspectDelta refused it by the ${inspected} check, applyDelta by ${j.outcome}` };
    }
    return j;
  }
}

function pickKind(rng: FuzzRandom, target: FuzzTarget): MutationKind {
  const kinds = KINDS.filter((k) => k.applies(target));
  let r = rng.int(kinds.reduce((a, k) => a + k.weight, 0));
  for (const k of kinds) {
    if (r < k.weight) return k;
    r -= k.weight;
  }
  return kinds[kinds.length - 1]!;
}

/** Counts outcomes per mutation kind and keeps the first failures. */
class Tally {
  readonly table = new Map<string, Map<FuzzOutcome, number>>();
  readonly byTarget = new Map<string, number>();
  readonly failures: FuzzFailure[] = [];
  failureCount = 0;
  accepted = 0;
  crashes = 0;
  wrongChecks = 0;
  count = 0;

  add(index: number, target: FuzzTarget, kind: string, note: string, result: { outcome: FuzzOutcome; problem?: string }): void {
    this.count++;
    const row = this.table.get(kind) ?? new Map<FuzzOutcome, number>();
    row.set(result.outcome, (row.get(result.outcome) ?? 0) + 1);
    this.table.set(kind, row);
    this.byTarget.set(target.name, (this.byTarget.get(target.name) ?? 0) + 1);
    if (result.problem === undefined) return;
    this.failureCount++;
    if (result.outcome === 'accepted') this.accepted++;
    else if (result.outcome === 'wrong check') this.wrongChecks++;
    else this.crashes++;
    if (this.failures.length < 25) this.failures.push({ index, target: target.name, kind, note, problem: result.problem });
  }

  report(seed: number, started: number): FuzzReport {
    const { count, accepted, crashes, wrongChecks, failures, failureCount, table, byTarget } = this;
    return { seed, count, ms: performance.now() - started, accepted, crashes, wrongChecks, failures, failureCount, table, byTarget };
  }
}

/** Runs `count` mutants (or the one `only` names); mutant i draws everything from FuzzRandom(seed, i). */
export function runPackageFuzz(options: FuzzOptions): FuzzReport {
  const fixtures = options.fixtures ?? buildFuzzFixtures();
  const started = performance.now();
  const tally = new Tally();
  const first = options.only ?? 0;
  const end = options.only === undefined ? options.count : options.only + 1;
  for (let index = first; index < end; index++) {
    const rng = new FuzzRandom(options.seed, index);
    const target = rng.pick(fixtures.targets);
    const kind = pickKind(rng, target);
    let note = '(the mutation itself threw)';
    let result: { outcome: FuzzOutcome; problem?: string };
    try {
      const mutant = kind.make({ rng, target, fixtures });
      note = mutant.note;
      result = attempt(target, mutant);
    } catch (error) {
      result = { outcome: 'crash', problem: `internal: ${(error as Error).stack ?? String(error)}` };
    }
    tally.add(index, target, kind.name, note, result);
  }
  return tally.report(options.seed, started);
}

/**
 * The exhaustive part, without randomness: every target cut at every length (each region: header,
 * directory, every section and its padding, digest, signature), and every single bit of its header
 * and directory flipped.
 */
export function runPackageSweeps(fixtures: FuzzFixtures): FuzzReport {
  const started = performance.now();
  const tally = new Tally();
  for (const target of fixtures.targets) {
    for (let cut = 0; cut < target.bytes.length; cut++) {
      // A view, not a copy: nothing here writes to the mutant.
      const m: Mutant = { bytes: target.bytes.subarray(0, cut), expect: ['size'], note: `cut to ${cut} bytes (inside ${regionOf(target, cut)})` };
      tally.add(cut, target, 'sweep: every truncation', m.note, attempt(target, m));
    }
    const directoryEnd = HEADER_BYTES + target.sections.length * DIRECTORY_ENTRY_BYTES;
    for (let bit = 0; bit < directoryEnd * 8; bit++) {
      const bytes = target.bytes.slice();
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      const m: Mutant = { bytes, expect: CONTAINER, note: `bit ${bit & 7} of byte ${bit >> 3} (${regionOf(target, bit >> 3)}) flipped` };
      tally.add(bit, target, 'sweep: header+directory bits', m.note, attempt(target, m));
    }
  }
  return tally.report(0, started);
}

const COLUMNS: readonly FuzzOutcome[] = ['size', 'header', 'sections', 'digest', 'signature', 'semantics', 'delta', 'tensor digest', 'accepted', 'crash', 'wrong check'];

export function formatSeed(seed: number): string {
  return `0x${(seed >>> 0).toString(16).padStart(8, '0')}`;
}

/** The outcome table: one row per mutation kind, one column per rejecting check. */
export function formatFuzzReport(r: FuzzReport, title = `package fuzz, seed ${formatSeed(r.seed)}`): string {
  const head = ['mutation', ...COLUMNS, 'total'];
  const rows: string[][] = [];
  const totals = new Map<FuzzOutcome, number>();
  const order = (kind: string) => (MUTATION_KINDS.includes(kind) ? MUTATION_KINDS.indexOf(kind) : MUTATION_KINDS.length);
  for (const [kind, outcomes] of [...r.table].sort((a, b) => order(a[0]) - order(b[0]))) {
    let sum = 0;
    const cells = COLUMNS.map((c) => {
      const n = outcomes.get(c) ?? 0;
      sum += n;
      totals.set(c, (totals.get(c) ?? 0) + n);
      return n === 0 ? '·' : String(n);
    });
    rows.push([kind, ...cells, String(sum)]);
  }
  rows.push(['all', ...COLUMNS.map((c) => String(totals.get(c) ?? 0)), String(r.count)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const targets = [...r.byTarget].map(([t, n]) => `${t} ${n}`).join(', ');
  return [
    `${title}: ${r.count} mutants, ${(r.ms / 1000).toFixed(1)} s; accepted ${r.accepted}, crashes ${r.crashes}, wrong checks ${r.wrongChecks}`,
    `targets: ${targets}`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

export function formatFailure(f: FuzzFailure): string {
  return `#${f.index} [${f.target}] ${f.kind}: ${f.note} → ${f.problem}`;
}
