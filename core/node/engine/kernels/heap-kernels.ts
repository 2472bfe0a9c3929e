import { getKernel, registerKernel, type KernelFunc, type NamedAttrMap, type TensorInfo } from '@tensorflow/tfjs';

/**
 * Kernels the project adds to a tfjs backend, written as loops over Float32Arrays. On the wasm
 * backend they read and write the WebAssembly heap in place through the backend's public
 * makeOutput/typedArrayFromHeap; on the cpu backend (the tests' reference) through its own arrays.
 * Other backends (tfjs-node) keep the composite ops in tf-grads.ts.
 */
export type KernelBody = (inputs: readonly Float32Array[], shapes: readonly (readonly number[])[], outputs: readonly Float32Array[], attrs: NamedAttrMap) => void;

export interface HeapKernel {
  readonly name: string;
  /** Input names in order; 'numbered' takes inputs '0', '1', … as many as given. */
  readonly inputs: readonly string[] | 'numbered';
  /** Output shapes from the input shapes and attributes. */
  outputShapes(shapes: readonly (readonly number[])[], attrs: NamedAttrMap): number[][];
  readonly body: KernelBody;
}

interface WasmLike {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): unknown;
}
interface CpuLike {
  readSync(dataId: unknown): unknown;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): TensorInfo;
}

const BACKENDS = ['wasm', 'cpu'] as const;

function asFloat32(values: unknown, name: string): Float32Array {
  if (!(values instanceof Float32Array)) throw new Error(`${name}: float32 tensors only`);
  return values;
}

function kernelFunc(k: HeapKernel, backendName: (typeof BACKENDS)[number]): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const names = k.inputs === 'numbered' ? Object.keys(inputs).sort((a, b) => Number(a) - Number(b)) : k.inputs;
    const infos = names.map((n) => {
      const t = inputs[n];
      if (t === undefined) throw new Error(`${k.name}: missing input ${n}`);
      return t;
    });
    const shapes = infos.map((t) => t.shape);
    const a = attrs ?? {};
    const outShapes = k.outputShapes(shapes, a);
    if (backendName === 'wasm') {
      const b = backend as WasmLike;
      // Allocate every output before taking views: an allocation may grow (and so detach) the heap.
      const outs = outShapes.map((s) => b.makeOutput(s, 'float32'));
      const views = (ts: TensorInfo[]) => ts.map((t) => asFloat32(b.typedArrayFromHeap(t), k.name));
      k.body(views(infos), shapes, views(outs), a);
      return outs.length === 1 ? (outs[0] as TensorInfo) : outs;
    }
    const b = backend as CpuLike;
    const outs = outShapes.map((s) => new Float32Array(s.reduce((p, d) => p * d, 1)));
    k.body(infos.map((t) => asFloat32(b.readSync(t.dataId), k.name)), shapes, outs, a);
    const made = outs.map((o, i) => b.makeTensorInfo(outShapes[i] as number[], 'float32', o));
    return made.length === 1 ? (made[0] as TensorInfo) : made;
  };
}

/** Registers each kernel once per backend it supports; safe to call again. */
export function registerHeapKernels(kernels: readonly HeapKernel[]): void {
  for (const k of kernels) {
    for (const backendName of BACKENDS) {
      if (getKernel(k.name, backendName) !== undefined) continue;
      registerKernel({ kernelName: k.name, backendName, kernelFunc: kernelFunc(k, backendName) });
    }
  }
}

/** Whether the current backend runs the project's kernels (otherwise: composite ops). */
export function hasHeapKernel(name: string, backendName: string): boolean {
  return getKernel(name, backendName) !== undefined;
}
