import type { WeightDtype } from '../budget/weight-dtype.js';
import type { GraphNode, ModelGraph, ParamTensor } from '../graph/model-graph.js';
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

/** One tensor a node puts in a package, before the dtype decides how it is stored. */
export interface NodeTensor {
  readonly id: string;
  readonly role: TensorRole;
  readonly mode: TensorMode;
  readonly shape: Shape;
  /** The parameter behind it; absent for a batch norm's running statistics. */
  readonly param?: ParamTensor;
}

/** Every tensor a node puts in a package, in package order: its parameters, then a batch norm's running statistics. */
export function nodeTensors(node: GraphNode): NodeTensor[] {
  const out: NodeTensor[] = node.params.map((p) => ({ id: p.id, role: p.param as TensorRole, mode: p.spec.mode, shape: p.shape, param: p }));
  if (node.op === 'batchnorm') {
    const shape = [node.outputShape[0] ?? 0];
    out.push({ id: `${node.name}.running_mean`, role: 'running_mean', mode: 'state', shape });
    out.push({ id: `${node.name}.running_var`, role: 'running_var', mode: 'state', shape });
  }
  return out;
}

/** Bytes one tensor takes in the DATA section at a dtype, padding included (each starts 4-aligned). */
export function tensorDataBytes(t: Pick<NodeTensor, 'mode' | 'shape'>, dtype: WeightDtype): number {
  return align4(storedBytes(storedDtype(t.mode, t.shape.length, dtype), t.shape));
}

export interface SectionLayout {
  readonly sections: readonly SectionPlan[];
  readonly digestOffset: number;
  readonly totalSize: number;
}

/**
 * Where sections of these payload lengths go, in this order after the header and directory, each
 * 4-aligned, then the digest and the signature block when signed: the one place a package's size is summed.
 */
export function layoutSections(payloads: readonly (readonly [type: number, length: number])[], signed: boolean): SectionLayout {
  let cursor = HEADER_BYTES + payloads.length * DIRECTORY_ENTRY_BYTES;
  const sections = payloads.map(([type, length]) => {
    const s = { type, offset: cursor, length };
    cursor = align4(cursor + length);
    return s;
  });
  return { sections, digestOffset: cursor, totalSize: cursor + DIGEST_BYTES + (signed ? SIGNATURE_BLOCK_BYTES : 0) };
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
  graph.nodes.forEach((node, nodeIndex) => {
    for (const t of nodeTensors(node)) {
      const dtype = storedDtype(t.mode, t.shape.length, options.dtype);
      const dataLength = storedBytes(dtype, t.shape);
      const dataOffset = dataLength === 0 ? 0 : dataCursor;
      dataCursor += tensorDataBytes(t, options.dtype);
      const s = t.param?.spec;
      let seeded: SeededInfo | undefined;
      if (s?.mode === 'seeded') {
        const fan = s.init === 'kaiming' ? (s.fan ?? 'fan_in') : undefined;
        const mult = seededMult({ dist: s.dist, init: s.init, ...(fan === undefined ? {} : { fan }), gain: s.gain }, t.shape);
        seeded = { seed: `0x${BigInt(s.seed).toString(16).padStart(16, '0')}`, dist: s.dist, init: s.init, fan, gain: s.gain, mult };
      }
      const nameRef = strings.add(t.id);
      tensors.push({ id: t.id, nameRef, nodeIndex, role: t.role, mode: t.mode, dtype, shape: t.shape, elements: elementCount(t.shape), ...(seeded === undefined ? {} : { seeded }), dataOffset, dataLength });
    }
  });

  const specBytes = options.includeSpec === false ? undefined : encoder.encode(serializeSpec(graph.doc));
  const stringBytes = strings.finish();
  const payloads: [number, number][] = [
    [SECTION.STRS, stringBytes.length],
    [SECTION.GRPH, graphBytes.length],
    [SECTION.TENS, tensorTableBytes(tensors.length)],
    ...(specBytes === undefined ? [] : [[SECTION.SPEC, specBytes.length] as [number, number]]),
    [SECTION.DATA, dataCursor],
  ];
  const layout = layoutSections(payloads, options.signed === true);
  const data = layout.sections[layout.sections.length - 1] as SectionPlan;
  return {
    dtype: options.dtype,
    strings: stringBytes,
    graphBytes,
    specBytes,
    tensors,
    sections: layout.sections,
    dataOffset: data.offset,
    dataLength: data.length,
    digestOffset: layout.digestOffset,
    signed: options.signed === true,
    totalSize: layout.totalSize,
  };
}

/** The TENS section: a count, then one fixed-size entry per tensor. */
export function tensorTableBytes(count: number): number {
  return 4 + count * TENSOR_ENTRY_BYTES;
}
