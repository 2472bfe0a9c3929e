import type { InputAttrs } from '../../ops/input.js';
import { assertNever } from '../../assert-never.js';
import type { GraphNode, ModelGraph } from '../../graph/model-graph.js';
import type { AvgPoolAttrs } from '../../ops/avgpool.js';
import type { BatchNormAttrs } from '../../ops/batchnorm.js';
import type { ChannelShuffleAttrs } from '../../ops/channel-shuffle.js';
import type { ConvAttrs } from '../../ops/conv.js';
import type { MaxPoolAttrs } from '../../ops/maxpool.js';
import { mixedPoolSplits, type MixedPoolAttrs } from '../../ops/mixedpool.js';
import type { TensorValues } from '../../package/encode-package.js';
import { seededMult } from '../../seed/seed-mult.js';
import { regenerate } from '../../seed/seed-stream.js';
import { ATTR, DTYPE, ModelProto } from './onnx-schema.js';

interface Attr {
  name: string;
  type: number;
  i?: number;
  f?: number;
  ints?: number[];
}

const int = (name: string, i: number): Attr => ({ name, type: ATTR.INT, i });
const ints = (name: string, v: readonly number[]): Attr => ({ name, type: ATTR.INTS, ints: [...v] });
const float = (name: string, f: number): Attr => ({ name, type: ATTR.FLOAT, f });

/**
 * Writes a model as ONNX (opset 13, NCHW, batch dimension "N"), in inference mode: BatchNorm uses
 * running statistics, seeded tensors become ordinary initialisers (ONNX has no seeds). A runtime that
 * nobody here wrote can then check our semantics.
 */
export function exportOnnx(graph: ModelGraph, values: TensorValues, producerVersion: string): Uint8Array {
  const nodes: object[] = [];
  const initializers: object[] = [];
  const tensorName = (node: GraphNode, param: string) => `${node.name}.${param}`;
  const addFloat = (name: string, dims: readonly number[], data: Float32Array) =>
    initializers.push({ name, dims: [...dims], dataType: DTYPE.FLOAT, rawData: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) });
  const addInt64 = (name: string, data: readonly number[]) => {
    const raw = new BigInt64Array(data.map((d) => BigInt(d)));
    initializers.push({ name, dims: [data.length], dataType: DTYPE.INT64, rawData: new Uint8Array(raw.buffer) });
  };
  const op = (opType: string, name: string, inputs: string[], outputs: string[], attribute: Attr[] = []) => nodes.push({ opType, name, input: inputs, output: outputs, attribute });

  for (const node of graph.nodes) {
    for (const p of node.params) {
      const s = p.spec;
      let data: Float32Array;
      if (s.mode === 'seeded') {
        const fan = s.init === 'kaiming' ? (s.fan ?? 'fan_in') : undefined;
        data = regenerate({ seed: s.seed, dist: s.dist, mult: seededMult({ dist: s.dist, init: s.init, ...(fan === undefined ? {} : { fan }), gain: s.gain }, p.shape) }, p.elements);
      } else {
        const v = values.get(p.id);
        if (v === undefined) throw new Error(`no values for tensor ${p.id}`);
        data = v;
      }
      addFloat(p.id, p.shape, data);
    }
    if (node.op === 'batchnorm') {
      for (const stat of ['running_mean', 'running_var']) {
        const v = values.get(`${node.name}.${stat}`);
        if (v === undefined) throw new Error(`no values for tensor ${node.name}.${stat}`);
        addFloat(`${node.name}.${stat}`, [v.length], v);
      }
    }
  }

  // An input that normalises itself keeps its name for the graph input; consumers read the normalised copy.
  const normalizeOf = (node: GraphNode) => (node.op === 'input' ? (node.attrs as InputAttrs).normalize : undefined);
  const outputOf = (i: number) => {
    const node = graph.nodes[i] as GraphNode;
    return normalizeOf(node) === undefined ? node.name : `${node.name}.normalized`;
  };
  for (const node of graph.nodes) {
    const ins = node.inputs.map(outputOf);
    const out = node.name;
    switch (node.op) {
      case 'input': {
        const n = normalizeOf(node);
        if (n === undefined) break;
        // [C,1,1] broadcasts over an NCHW image, [F] over an [N,F] vector; a single value over anything.
        const dims = (v: readonly number[]) => (v.length === 1 ? [1] : node.outputShape.length === 3 ? [v.length, 1, 1] : [v.length]);
        addFloat(`${node.name}.mean`, dims(n.mean), Float32Array.from(n.mean));
        addFloat(`${node.name}.std`, dims(n.std), Float32Array.from(n.std));
        op('Sub', `${node.name}.centre`, [node.name, `${node.name}.mean`], [`${node.name}.centred`]);
        op('Div', `${node.name}.scale`, [`${node.name}.centred`, `${node.name}.std`], [outputOf(graph.nodes.indexOf(node))]);
        break;
      }
      case 'conv': {
        const a = node.attrs as ConvAttrs;
        op('Conv', out, [...ins, tensorName(node, 'weight'), ...(a.bias ? [tensorName(node, 'bias')] : [])], [out], [
          ints('kernel_shape', a.kernel),
          ints('strides', a.stride),
          ints('pads', [a.padding[0], a.padding[1], a.padding[0], a.padding[1]]),
          int('group', a.groups),
        ]);
        break;
      }
      case 'dense': {
        const bias = (node.attrs as { bias: boolean }).bias;
        op('Gemm', out, [...ins, tensorName(node, 'weight'), ...(bias ? [tensorName(node, 'bias')] : [])], [out], [int('transB', 1)]);
        break;
      }
      case 'batchnorm':
        op('BatchNormalization', out, [...ins, tensorName(node, 'weight'), tensorName(node, 'bias'), `${node.name}.running_mean`, `${node.name}.running_var`], [out], [float('epsilon', (node.attrs as BatchNormAttrs).eps)]);
        break;
      case 'relu':
        op('Relu', out, ins, [out]);
        break;
      case 'maxpool': {
        const a = node.attrs as MaxPoolAttrs;
        op('MaxPool', out, ins, [out], [ints('kernel_shape', a.kernel), ints('strides', a.stride), ints('pads', [a.padding[0], a.padding[1], a.padding[0], a.padding[1]])]);
        break;
      }
      case 'avgpool': {
        const a = node.attrs as AvgPoolAttrs;
        op('AveragePool', out, ins, [out], [ints('kernel_shape', a.kernel), ints('strides', a.stride), ints('pads', [a.padding[0], a.padding[1], a.padding[0], a.padding[1]]), int('count_include_pad', a.countIncludePad ? 1 : 0)]);
        break;
      }
      case 'mixedpool': {
        const a = node.attrs as MixedPoolAttrs;
        const splits = mixedPoolSplits(node.outputShape[0] ?? 0, a.kernels.length);
        const parts = splits.map((_, g) => `${out}/part${g}`);
        addInt64(`${out}/splits`, splits);
        op('Split', `${out}/split`, [...ins, `${out}/splits`], parts, [int('axis', 1)]);
        a.kernels.forEach((k, g) => {
          const half = Math.floor(k / 2);
          op('AveragePool', `${out}/pool${g}`, [parts[g] as string], [`${out}/pooled${g}`], [ints('kernel_shape', [k, k]), ints('strides', [a.stride, a.stride]), ints('pads', [half, half, half, half]), int('count_include_pad', a.countIncludePad ? 1 : 0)]);
        });
        op('Concat', out, a.kernels.map((_, g) => `${out}/pooled${g}`), [out], [int('axis', 1)]);
        break;
      }
      case 'add':
        op('Add', out, ins, [out]);
        break;
      case 'sub':
        op('Sub', out, ins, [out]);
        break;
      case 'concat':
        op('Concat', out, ins, [out], [int('axis', 1)]);
        break;
      case 'channelshuffle': {
        const g = (node.attrs as ChannelShuffleAttrs).groups;
        const [c, h, w] = node.outputShape as [number, number, number];
        // 0 in a Reshape target copies that input dimension: the batch stays dynamic.
        addInt64(`${out}/grouped`, [0, g, c / g, h, w]);
        addInt64(`${out}/flat`, [0, c, h, w]);
        op('Reshape', `${out}/reshape`, [...ins, `${out}/grouped`], [`${out}/g`]);
        op('Transpose', `${out}/transpose`, [`${out}/g`], [`${out}/t`], [ints('perm', [0, 2, 1, 3, 4])]);
        op('Reshape', out, [`${out}/t`, `${out}/flat`], [out]);
        break;
      }
      case 'globalavgpool':
        op('GlobalAveragePool', out, ins, [out]);
        break;
      case 'flatten':
        op('Flatten', out, ins, [out], [int('axis', 1)]);
        break;
      case 'softmax':
        op('Softmax', out, ins, [out], [int('axis', 1)]);
        break;
      default:
        assertNever(node.op);
    }
  }

  const valueInfo = (name: string, shape: readonly number[]) => ({
    name,
    type: { tensorType: { elemType: DTYPE.FLOAT, shape: { dim: [{ dimParam: 'N' }, ...shape.map((d) => ({ dimValue: d }))] } } },
  });
  const inputs = graph.nodes.filter((n) => n.op === 'input').map((n) => valueInfo(n.name, n.outputShape));
  const outputs = graph.outputs.map((i) => valueInfo(outputOf(i), (graph.nodes[i] as GraphNode).outputShape));
  const model = ModelProto.create({
    irVersion: 8,
    producerName: 'reframe-studio',
    producerVersion,
    opsetImport: [{ domain: '', version: 13 }],
    graph: { name: graph.name, node: nodes, initializer: initializers, input: inputs, output: outputs, docString: 'Exported by ReFrame Studio; seeded tensors are regenerated into initialisers.' },
  });
  return ModelProto.encode(model).finish();
}
