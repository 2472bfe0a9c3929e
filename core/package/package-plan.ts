import type { WeightDtype } from '../budget/weight-dtype.js';
import type { ModelGraph } from '../graph/model-graph.js';
import type { Shape } from '../ops/op-def.js';
import { elementCount } from '../ops/shape-math.js';
import { seededMult } from '../seed/seed-mult.js';
import { serializeSpec } from '../spec/serialize-spec.js';
import { encodeGraph } from './graph-codec.js';
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  HEADER_BYTES,
  SECTION,
  SIGNATURE_BLOCK_BYTES,
  TENSOR_ENTRY_BYTES,
  type TensorMode,
  type TensorRole,
} from './package-constants.js';
import { StringTableBuilder, type StringRef } from './string-table.js';

export type StoredDtype = WeightDtype | 'none';

export interface SeededInfo {
  /** 16 hex digits with 0x, as the table stores the full 64 bits. */
  readonly seed: string;
  readonly dist: 'uniform' | 'normal' | 'sign';
  readonly init: 'kaiming' | 'xavier';
  readonly fan: 'fan_in' | 'fan_out' | undefined;
  readonly gain: number;
  /** float32 multiplier of the stream (DESIGN.md §5). */
  readonly mult: number;
}

export interface TensorPlan {
  readonly id: string;
  readonly nameRef: StringRef;
  readonly nodeIndex: number;
  readonly role: TensorRole;
  readonly mode: TensorMode;
  readonly dtype: StoredDtype;
  readonly shape: Shape;
  readonly elements: number;
  readonly seeded?: SeededInfo;
  /** Relative to the start of the DATA payload. */
  readonly dataOffset: number;
  readonly dataLength: number;
}

export interface SectionPlan {
  readonly type: number;
  readonly offset: number;
  readonly length: number;
}

export interface PackagePlan {
  readonly dtype: WeightDtype;
  readonly strings: Uint8Array;
  readonly graphBytes: Uint8Array;
  readonly specBytes: Uint8Array | undefined;
  readonly tensors: readonly TensorPlan[];
  readonly sections: readonly SectionPlan[];
  readonly dataOffset: number;
  readonly dataLength: number;
  readonly digestOffset: number;
  readonly signed: boolean;
  readonly totalSize: number;
}

export interface PlanOptions {
  readonly dtype: WeightDtype;
  /** Carry the spec's canonical JSON for the studio (default true). */
  readonly includeSpec?: boolean;
  readonly signed?: boolean;
}

/** How a stored tensor is kept: int8 only for weights of rank ≥ 2; running statistics always fp32. */
export function storedDtype(mode: TensorMode, rank: number, dtype: WeightDtype): StoredDtype {
  if (mode === 'seeded') return 'none';
  if (mode === 'state') return 'fp32';
  if (dtype === 'int8' && rank < 2) return 'fp32';
  return dtype;
}

export function storedBytes(dtype: StoredDtype, shape: Shape): number {
  const n = elementCount(shape);
  switch (dtype) {
    case 'none':
      return 0;
    case 'fp32':
      return 4 * n;
    case 'fp16':
      return 2 * n;
    case 'int8':
      return 4 * (shape[0] ?? 1) + n;
  }
}

const encoder = new TextEncoder();

/**
 * Lays out a full package: every tensor with its storage, every section with its offset, and the total
 * size. The encoder fills this plan in; the budget sizes packages with it without packing.
 */
export function planPackage(graph: ModelGraph, options: PlanOptions): PackagePlan {
  const strings = new StringTableBuilder();
  const graphBytes = encodeGraph(graph, strings);
  const tensors: TensorPlan[] = [];
  let dataCursor = 0;
  const addTensor = (t: Omit<TensorPlan, 'nameRef' | 'dataOffset' | 'dataLength' | 'dtype' | 'elements'>) => {
    const dtype = storedDtype(t.mode, t.shape.length, options.dtype);
    const dataLength = storedBytes(dtype, t.shape);
    const dataOffset = dataLength === 0 ? 0 : dataCursor;
    if (dataLength > 0) dataCursor = align4(dataCursor + dataLength);
    tensors.push({ ...t, nameRef: strings.add(t.id), dtype, elements: elementCount(t.shape), dataOffset, dataLength });
  };

  graph.nodes.forEach((node, nodeIndex) => {
    for (const p of node.params) {
      const role = p.param as TensorRole;
      if (p.spec.mode === 'seeded') {
        const s = p.spec;
        const seed = `0x${BigInt(s.seed).toString(16).padStart(16, '0')}`;
        const fan = s.init === 'kaiming' ? (s.fan ?? 'fan_in') : undefined;
        const mult = seededMult({ dist: s.dist, init: s.init, ...(fan === undefined ? {} : { fan }), gain: s.gain }, p.shape);
        addTensor({ id: p.id, nodeIndex, role, mode: 'seeded', shape: p.shape, seeded: { seed, dist: s.dist, init: s.init, fan, gain: s.gain, mult } });
      } else {
        addTensor({ id: p.id, nodeIndex, role, mode: p.spec.mode, shape: p.shape });
      }
    }
    if (node.op === 'batchnorm') {
      const shape = [node.outputShape[0] ?? 0];
      addTensor({ id: `${node.name}.running_mean`, nodeIndex, role: 'running_mean', mode: 'state', shape });
      addTensor({ id: `${node.name}.running_var`, nodeIndex, role: 'running_var', mode: 'state', shape });
    }
  });

  const specBytes = options.includeSpec === false ? undefined : encoder.encode(serializeSpec(graph.doc));
  const payloads: [number, number][] = [
    [SECTION.STRS, 0],
    [SECTION.GRPH, graphBytes.length],
    [SECTION.TENS, 4 + tensors.length * TENSOR_ENTRY_BYTES],
    ...(specBytes === undefined ? [] : [[SECTION.SPEC, specBytes.length] as [number, number]]),
    [SECTION.DATA, dataCursor],
  ];
  const stringBytes = strings.finish();
  (payloads[0] as [number, number])[1] = stringBytes.length;

  let cursor = HEADER_BYTES + payloads.length * DIRECTORY_ENTRY_BYTES;
  const sections = payloads.map(([type, length]) => {
    const s = { type, offset: cursor, length };
    cursor = align4(cursor + length);
    return s;
  });
  const data = sections[sections.length - 1] as SectionPlan;
  const signed = options.signed === true;
  return {
    dtype: options.dtype,
    strings: stringBytes,
    graphBytes,
    specBytes,
    tensors,
    sections,
    dataOffset: data.offset,
    dataLength: data.length,
    digestOffset: cursor,
    signed,
    totalSize: cursor + DIGEST_BYTES + (signed ? SIGNATURE_BLOCK_BYTES : 0),
  };
}
