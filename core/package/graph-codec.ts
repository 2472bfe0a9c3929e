import { assertNever } from '../assert-never.js';
import type { ModelGraph } from '../graph/model-graph.js';
import type { AvgPoolAttrs } from '../ops/avgpool.js';
import type { BatchNormAttrs } from '../ops/batchnorm.js';
import type { ChannelShuffleAttrs } from '../ops/channel-shuffle.js';
import type { ConvAttrs } from '../ops/conv.js';
import type { DenseAttrs } from '../ops/dense.js';
import type { InputAttrs } from '../ops/input.js';
import type { MaxPoolAttrs } from '../ops/maxpool.js';
import type { MixedPoolAttrs } from '../ops/mixedpool.js';
import type { OpName } from '../ops/op-registry.js';
import type { SpecNode } from '../spec/spec-document.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { NODE_RECORD_FIXED_BYTES, OP_CODES } from './package-constants.js';
import { PackageError } from './package-error.js';
import { readString, type StringTableBuilder } from './string-table.js';

const OP_BY_CODE = new Map(Object.entries(OP_CODES).map(([op, code]) => [code, op as OpName]));

function f64Words(v: number): [number, number] {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v, true);
  return [view.getUint32(0, true), view.getUint32(4, true)];
}

function wordsF64(lo: number, hi: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, lo, true);
  view.setUint32(4, hi, true);
  return view.getFloat64(0, true);
}

/** The attribute words of a node, in the order docs/package-format.md lists them. */
export function attrWords(op: OpName, attrs: unknown): number[] {
  switch (op) {
    case 'conv': {
      const a = attrs as ConvAttrs;
      return [a.outChannels, ...a.kernel, ...a.stride, ...a.padding, a.groups, a.bias ? 1 : 0];
    }
    case 'dense': {
      const a = attrs as DenseAttrs;
      return [a.outFeatures, a.bias ? 1 : 0];
    }
    case 'batchnorm': {
      const a = attrs as BatchNormAttrs;
      return [...f64Words(a.eps), ...f64Words(a.momentum)];
    }
    case 'maxpool': {
      const a = attrs as MaxPoolAttrs;
      return [...a.kernel, ...a.stride, ...a.padding];
    }
    case 'avgpool': {
      const a = attrs as AvgPoolAttrs;
      return [...a.kernel, ...a.stride, ...a.padding, a.countIncludePad ? 1 : 0];
    }
    case 'mixedpool': {
      const a = attrs as MixedPoolAttrs;
      return [a.stride, a.countIncludePad ? 1 : 0, a.kernels.length, ...a.kernels];
    }
    case 'channelshuffle':
      return [(attrs as ChannelShuffleAttrs).groups];
    case 'input': {
      const n = (attrs as InputAttrs).normalize;
      return n === undefined ? [] : [n.mean.length, ...n.mean.flatMap(f64Words), n.std.length, ...n.std.flatMap(f64Words)];
    }
    case 'relu':
    case 'add':
    case 'sub':
    case 'concat':
    case 'globalavgpool':
    case 'flatten':
    case 'softmax':
      return [];
    default:
      return assertNever(op);
  }
}

export function encodeGraph(graph: ModelGraph, strings: StringTableBuilder): Uint8Array {
  const w = new ByteWriter();
  const [nameOff, nameLen] = strings.add(graph.name);
  w.u32(nameOff).u32(nameLen).u32(graph.nodes.length).u32(graph.outputs.length);
  for (const o of graph.outputs) w.u32(o);
  for (const node of graph.nodes) {
    const words = attrWords(node.op, node.attrs);
    const [off, len] = strings.add(node.name);
    w.u8(OP_CODES[node.op]).u8(node.inputs.length).u8(node.outputShape.length).u8(words.length);
    w.u32(off).u32(len);
    for (let d = 0; d < 3; d++) w.u32(node.outputShape[d] ?? 0);
    for (const i of node.inputs) w.u16(i);
    w.pad4();
    for (const word of words) w.u32(word);
  }
  return w.finish();
}

export interface DecodedNode {
  readonly name: string;
  readonly op: OpName;
  readonly inputs: readonly number[];
  readonly outputShape: readonly number[];
  /** The node's spec fields other than name, op, inputs and params. */
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface DecodedGraph {
  readonly name: string;
  readonly nodes: readonly DecodedNode[];
  readonly outputs: readonly number[];
}

const pair = (a: number, b: number): number | [number, number] => (a === b ? a : [a, b]);

function fieldsOf(op: OpName, w: readonly number[], where: string): Record<string, unknown> {
  const need = (n: number) => {
    if (w.length !== n) throw new PackageError('semantics', `${where}: ${op} takes ${n} attribute words, has ${w.length}`);
  };
  const at = (i: number) => w[i] as number;
  const flag = (i: number, field: string) => {
    if (at(i) > 1) throw new PackageError('semantics', `${where}: ${field} must be 0 or 1, is ${at(i)}`);
    return at(i) === 1;
  };
  switch (op) {
    case 'conv':
      need(9);
      return { outChannels: at(0), kernel: pair(at(1), at(2)), stride: pair(at(3), at(4)), padding: pair(at(5), at(6)), groups: at(7), bias: flag(8, 'hasBias') };
    case 'dense':
      need(2);
      return { outFeatures: at(0), bias: flag(1, 'hasBias') };
    case 'batchnorm':
      need(4);
      return { eps: wordsF64(at(0), at(1)), momentum: wordsF64(at(2), at(3)) };
    case 'maxpool':
      need(6);
      return { kernel: pair(at(0), at(1)), stride: pair(at(2), at(3)), padding: pair(at(4), at(5)) };
    case 'avgpool':
      need(7);
      return { kernel: pair(at(0), at(1)), stride: pair(at(2), at(3)), padding: pair(at(4), at(5)), countIncludePad: flag(6, 'countIncludePad') };
    case 'mixedpool':
      if (w.length < 3 || w.length !== 3 + at(2)) throw new PackageError('semantics', `${where}: mixedpool attribute words do not match its kernel count`);
      return { kernels: w.slice(3), stride: at(0), countIncludePad: flag(1, 'countIncludePad') };
    case 'channelshuffle':
      need(1);
      return { groups: at(0) };
    case 'input': {
      if (w.length === 0) return {};
      const f64s = (from: number, n: number): number[] => Array.from({ length: n }, (_, i) => wordsF64(at(from + 2 * i), at(from + 2 * i + 1)));
      const nMean = at(0);
      const nStd = w.length > 1 + 2 * nMean ? at(1 + 2 * nMean) : -1;
      if (nStd < 0 || w.length !== 2 + 2 * nMean + 2 * nStd) throw new PackageError('semantics', `${where}: input normalisation words do not match their counts`);
      return { normalize: { mean: f64s(1, nMean), std: f64s(2 + 2 * nMean, nStd) } };
    }
    case 'relu':
    case 'add':
    case 'sub':
    case 'concat':
    case 'globalavgpool':
    case 'flatten':
    case 'softmax':
      need(0);
      return {};
    default:
      return assertNever(op);
  }
}

export function decodeGraph(bytes: Uint8Array, strings: Uint8Array): DecodedGraph {
  const r = new ByteReader(bytes, 'GRPH');
  const name = readString(strings, r.u32(), r.u32(), 'GRPH model name');
  const nodeCount = r.u32();
  const outputCount = r.u32();
  if (nodeCount < 1 || nodeCount > 65535) throw new PackageError('semantics', `GRPH: node count ${nodeCount} is outside 1..65535`);
  if (outputCount < 1 || outputCount > 64) throw new PackageError('semantics', `GRPH: output count ${outputCount} is outside 1..64`);
  // Every record is at least the fixed part: refuse counts the section cannot hold before allocating.
  if (nodeCount * NODE_RECORD_FIXED_BYTES > r.remaining) throw new PackageError('semantics', `GRPH: ${nodeCount} nodes do not fit in ${bytes.length} bytes`);
  const outputs: number[] = [];
  for (let i = 0; i < outputCount; i++) {
    const o = r.u32();
    if (o >= nodeCount) throw new PackageError('semantics', `GRPH: output ${i} names node ${o}, but there are ${nodeCount}`);
    outputs.push(o);
  }
  const nodes: DecodedNode[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const where = `GRPH node ${n}`;
    const code = r.u8();
    const op = OP_BY_CODE.get(code);
    if (op === undefined) throw new PackageError('semantics', `${where}: unknown op code ${code}`);
    const inputCount = r.u8();
    const rank = r.u8();
    const attrCount = r.u8();
    const nodeName = readString(strings, r.u32(), r.u32(), where);
    if (rank !== 1 && rank !== 3) throw new PackageError('semantics', `${where}: output rank ${rank} is neither 1 nor 3`);
    const dims = [r.u32(), r.u32(), r.u32()];
    const inputs: number[] = [];
    for (let i = 0; i < inputCount; i++) {
      const input = r.u16();
      if (input >= n) throw new PackageError('semantics', `${where}: input ${i} is node ${input}, which does not run before it`);
      inputs.push(input);
    }
    r.skipPad4();
    const words: number[] = [];
    for (let i = 0; i < attrCount; i++) words.push(r.u32());
    nodes.push({ name: nodeName, op, inputs, outputShape: dims.slice(0, rank), fields: fieldsOf(op, words, where) });
  }
  if (r.remaining !== 0) throw new PackageError('semantics', `GRPH: ${r.remaining} bytes follow the last node`);
  return { name, nodes, outputs };
}

/** Rebuilds spec nodes from a decoded graph, so the spec checks (shapes, groups, arity) run on it. */
export function specNodesOf(graph: DecodedGraph, params: ReadonlyMap<number, Record<string, unknown>>): SpecNode[] {
  return graph.nodes.map((node, i) => {
    const inputs = node.inputs.map((j) => (graph.nodes[j] as DecodedNode).name);
    const p = params.get(i);
    const base = node.op === 'input' ? { name: node.name, op: node.op, shape: node.outputShape, ...node.fields } : { name: node.name, op: node.op, inputs, ...node.fields };
    return (p === undefined ? base : { ...base, params: p }) as unknown as SpecNode;
  });
}
