// Targets for the package fuzzer: the valid packages (full and delta, unsigned and signed) the mutants
// start from, with the byte offsets of the fields the mutations aim at.
import { decodePackage } from '../../../core/package/decode-package.js';
import { applyDelta, inspectDelta, makeDelta } from '../../../core/package/delta-package.js';
import { encodePackage, type EncodeOptions } from '../../../core/package/encode-package.js';
import { initialValues } from '../../../core/package/initial-values.js';
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  FLAG_SIGNED,
  fourccName,
  HEADER_BYTES,
  NO_BASE_TENSOR,
  SECTION,
  SIGNATURE_BLOCK_BYTES,
  TENSOR_ENTRY_BYTES,
} from '../../../core/package/package-constants.js';
import type { ReadOptions } from '../../../core/package/read-container.js';
import { bytesEqual } from '../../../core/package/tensor-digest.js';
import { checkSpecValue } from '../../../core/spec/load-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { fixedKey, verifierFor, type FuzzKey } from './fuzz-keys.js';

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

export const view = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

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

export function sectionOf(sections: readonly SectionInfo[], type: number): SectionInfo {
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
