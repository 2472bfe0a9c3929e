import { sha256 } from '@noble/hashes/sha2.js';
import type { WeightDtype } from '../budget/weight-dtype.js';
import type { ModelGraph } from '../graph/model-graph.js';
import { regenerate } from '../seed/seed-stream.js';
import { crc32c } from './crc32c.js';
import { ByteWriter } from './byte-writer.js';
import {
  DIGEST_BYTES,
  DISTS,
  DTYPE_CODES,
  DTYPE_NONE,
  FANS,
  FLAG_SIGNED,
  FORMAT_VERSION,
  HEADER_BYTES,
  INITS,
  KEY_ID_BYTES,
  MAGIC,
  MODES,
  ROLES,
  SECTION,
} from './package-constants.js';
import { PackageError } from './package-error.js';
import { planPackage, type PackagePlan, type TensorPlan } from './package-plan.js';
import { signatureMessage, type PackageSigner } from './package-signer.js';
import { tensorDigest } from './tensor-digest.js';
import { storeTensor } from './tensor-storage.js';

/** Float32 values of learnable, frozen and state tensors by id (`node.param`). */
export type TensorValues = ReadonlyMap<string, Float32Array>;

export interface EncodeOptions {
  readonly dtype: WeightDtype;
  readonly includeSpec?: boolean;
  readonly signer?: PackageSigner;
}

function tensorEntry(w: ByteWriter, t: TensorPlan, digest: Uint8Array): void {
  w.u32(t.nameRef[0]).u32(t.nameRef[1]).u16(t.nodeIndex);
  w.u8(ROLES.indexOf(t.role)).u8(MODES.indexOf(t.mode)).u8(t.dtype === 'none' ? DTYPE_NONE : DTYPE_CODES[t.dtype]).u8(t.shape.length);
  const s = t.seeded;
  w.u8(s === undefined ? 0 : DISTS.indexOf(s.dist));
  w.u8(s === undefined ? 0 : INITS.indexOf(s.init) | (FANS.indexOf(s.fan) << 2));
  for (let d = 0; d < 4; d++) w.u32(t.shape[d] ?? 0);
  const seed = s === undefined ? 0n : BigInt(s.seed);
  w.u32(Number(seed & 0xffffffffn)).u32(Number(seed >> 32n));
  w.f32(s?.mult ?? 0).u32(t.dataOffset).u32(t.dataLength).u32(0).f64(s?.gain ?? 0);
  w.raw(digest);
}

/**
 * Packs a model: graph, seeds, stored tensors, CRCs, digest and optional signature. The same graph,
 * values and options always give the same bytes, which is what makes deltas byte-exact.
 */
export function encodePackage(graph: ModelGraph, values: TensorValues, options: EncodeOptions): Uint8Array {
  const plan = planPackage(graph, { dtype: options.dtype, includeSpec: options.includeSpec ?? true, signed: options.signer !== undefined });
  const data = new Uint8Array(plan.dataLength);
  const table = new ByteWriter().u32(plan.tensors.length);
  for (const t of plan.tensors) {
    let floats: Float32Array;
    if (t.seeded !== undefined) {
      floats = regenerate({ seed: t.seeded.seed, dist: t.seeded.dist, mult: t.seeded.mult }, t.elements);
    } else {
      const given = values.get(t.id);
      if (given === undefined) throw new PackageError('pack', `no values for tensor ${t.id}`);
      if (given.length !== t.elements) throw new PackageError('pack', `tensor ${t.id} has ${given.length} values, its shape [${t.shape.join(',')}] needs ${t.elements}`);
      const bad = given.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new PackageError('pack', `tensor ${t.id} has a non-finite value (${given[bad]}) at element ${bad}`);
      floats = given;
    }
    const stored = storeTensor(t.id, floats, t.dtype, t.shape[0] ?? 1);
    data.set(stored.bytes, t.dataOffset);
    tensorEntry(table, t, tensorDigest(stored.readBack));
  }
  return assemble(plan, table.finish(), data, options.signer);
}

function assemble(plan: PackagePlan, tableBytes: Uint8Array, data: Uint8Array, signer: PackageSigner | undefined): Uint8Array {
  const payloadOf = (type: number): Uint8Array => {
    if (type === SECTION.STRS) return plan.strings;
    if (type === SECTION.GRPH) return plan.graphBytes;
    if (type === SECTION.TENS) return tableBytes;
    if (type === SECTION.SPEC && plan.specBytes !== undefined) return plan.specBytes;
    return data;
  };
  const out = new Uint8Array(plan.totalSize);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint16(4, FORMAT_VERSION, true);
  view.setUint16(6, plan.signed ? FLAG_SIGNED : 0, true);
  view.setUint32(8, plan.totalSize, true);
  view.setUint16(12, plan.sections.length, true);
  view.setUint16(14, HEADER_BYTES, true);
  view.setUint8(16, DTYPE_CODES[plan.dtype]);
  plan.sections.forEach((s, i) => {
    const payload = payloadOf(s.type);
    if (payload.length !== s.length) throw new Error(`internal: section ${i} planned ${s.length} bytes, encoded ${payload.length}`);
    out.set(payload, s.offset);
    const at = HEADER_BYTES + i * 16;
    view.setUint32(at, s.type, true);
    view.setUint32(at + 4, s.offset, true);
    view.setUint32(at + 8, s.length, true);
    view.setUint32(at + 12, crc32c(payload), true);
  });
  const digest = sha256(out.subarray(0, plan.digestOffset));
  out.set(digest, plan.digestOffset);
  if (signer !== undefined) {
    if (signer.keyId.length !== KEY_ID_BYTES) throw new PackageError('pack', `a key id has ${KEY_ID_BYTES} bytes, got ${signer.keyId.length}`);
    out.set(signer.keyId, plan.digestOffset + DIGEST_BYTES);
    out.set(signer.sign(signatureMessage(digest)), plan.digestOffset + DIGEST_BYTES + KEY_ID_BYTES);
  }
  return out;
}
