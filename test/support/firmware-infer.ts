import type * as tfc from '@tensorflow/tfjs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SeededRandom } from '../../core/data/seeded-random.js';
import type { ModelGraph } from '../../core/graph/model-graph.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { openData } from '../../core/node/data/open-data.js';
import type { Engine } from '../../core/node/engine/tf-engine.js';
import { buildTfModel } from '../../core/node/engine/tf-model.js';
import { run, SANITIZED, type FirmwareRun } from './firmware-host.js';

// The C runtime's model executor (devices/firmware/tools/fw-infer.c, sanitized build) against the
// studio's engine: the reference computes the logits at test time, the C side consumes the same package
// and inputs (CMSIS-NN's way of testing against a reference implementation).

export type RegenMode = 'at-load' | 'per-layer';

export interface ArenaRecord {
  readonly count: number;
  readonly requested: number;
  readonly used: number;
}

export interface InferReport {
  readonly model: string;
  readonly mode: RegenMode;
  readonly images: number;
  readonly inputElements: number;
  readonly outputElements: number;
  readonly logits: readonly (readonly number[])[];
  readonly requiredBytes: number;
  readonly memory: { readonly graph: number; readonly weights: number; readonly activations: number; readonly total: number };
  readonly arena: { readonly size: number; readonly used: number; readonly peak: number; readonly records: Readonly<Record<'graph' | 'scratch' | 'plan' | 'weights' | 'activations', ArenaRecord>> };
  readonly microsPerImage: number;
}

export interface InferFailure {
  readonly status: string;
  readonly stage: string;
  readonly message: string;
  readonly wanted: number;
  readonly arenaSize: number;
}

/** Float32 values as the little-endian file reframe-fw-infer reads. */
export function f32Bytes(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setFloat32(4 * i, v, true));
  return out;
}

/** Writes the package and the inputs into `dir` and runs the sanitized reframe-fw-infer on them. */
export async function firmwareInfer(dir: string, name: string, pkg: Uint8Array, inputs: Float32Array, mode: RegenMode, extra: readonly string[] = []): Promise<{ run: FirmwareRun; report?: InferReport; failure?: InferFailure }> {
  const pkgFile = join(dir, `${name}.rfpk`);
  const inputFile = join(dir, `${name}-${mode}.f32`);
  await writeFile(pkgFile, pkg);
  await writeFile(inputFile, f32Bytes(inputs));
  const r = await run(join(SANITIZED, 'reframe-fw-infer'), ['--mode', mode, ...extra, pkgFile, inputFile]);
  const line = r.stdout.trim();
  if (r.code === 0) return { run: r, report: JSON.parse(line) as InferReport };
  if (r.code === 1 && line.startsWith('{')) return { run: r, failure: JSON.parse(line) as InferFailure };
  return { run: r };
}

/**
 * What the studio computes for a package: the graph and tensors as decodePackage gives them (stored ones
 * dequantised), run by the engine in eval mode, a few images at a time so the wasm heap stays small.
 * Returns the first output's values per input, flattened NCHW.
 */
export async function referenceOutputs(engine: Engine, pkg: Uint8Array, inputs: Float32Array, inputShape: readonly number[]): Promise<Float32Array> {
  const decoded = decodePackage(pkg);
  const values = new Map<string, Float32Array>();
  for (const t of decoded.tensors) if (t.seeded === undefined) values.set(t.id, readTensor(decoded, t));
  const model = buildTfModel(engine, decoded.graph, values);
  const tf = engine.tf;
  const per = inputShape.reduce((a, b) => a * b, 1);
  const count = inputs.length / per;
  const parts: Float32Array[] = [];
  try {
    for (let i = 0; i < count; i += 4) {
      const k = Math.min(4, count - i);
      const y = tf.tidy(() => {
        const out = model.forward(tf.tensor(inputs.subarray(i * per, (i + k) * per), [k, ...inputShape]), false);
        return tf.reshape(out, [k, -1]) as tfc.Tensor;
      });
      parts.push(new Float32Array(await y.data()));
      y.dispose();
    }
  } finally {
    model.dispose();
  }
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Uniform floats in [lo, hi) from the project's own stream (reproducible everywhere). */
export class Draws {
  private readonly r: SeededRandom;
  constructor(seed: string) {
    this.r = new SeededRandom(seed);
  }
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * (this.r.u32() / 2 ** 32);
  }
  fill(n: number, lo: number, hi: number): Float32Array {
    return Float32Array.from({ length: n }, () => this.uniform(lo, hi));
  }
}

/**
 * Values a trained model could have: conv and dense weights as the untrained default (PyTorch's
 * uniform init), biases in ±0.1, batch norm γ in 0.6..1.4 and β in ±0.2, running means in ±0.3 and
 * variances in 0.2..1 (so every BN layer really shifts and scales), drawn from `seed`.
 */
export function trainedLookingValues(graph: ModelGraph, seed: string): Map<string, Float32Array> {
  const values = initialValues(graph);
  const d = new Draws(seed);
  const set = (id: string, lo: number, hi: number) => {
    const v = values.get(id);
    if (v !== undefined) values.set(id, d.fill(v.length, lo, hi));
  };
  for (const node of graph.nodes) {
    for (const p of node.params) {
      if (p.spec.mode === 'seeded') continue;
      if (node.op === 'batchnorm' && p.param === 'weight') set(p.id, 0.6, 1.4);
      else if (node.op === 'batchnorm') set(p.id, -0.2, 0.2);
      else if (p.param === 'bias') set(p.id, -0.1, 0.1);
    }
    if (node.op === 'batchnorm') {
      set(`${node.name}.running_mean`, -0.3, 0.3);
      set(`${node.name}.running_var`, 0.2, 1);
    }
  }
  return values;
}

/** The first `count` test images of the embedded Fashion-MNIST demo sample, 28×28 uint8 each. */
export async function demoImages(count: number): Promise<Uint8Array> {
  const { test } = await openData('demo');
  if (test === undefined || test.length < count) throw new Error('the demo data has too few test images');
  const images = new Uint8Array(count * 784);
  await test.readBatch(Array.from({ length: count }, (_, i) => i), images, new Int32Array(count));
  return images;
}

/**
 * Raw pixel values (0..255) for a model's [C, H, W] input from 28×28 grey images: centred on an H×W
 * canvas of zeros; with three channels the image, its mirror and its negative, so the channels differ.
 */
export function imageInputs(images: Uint8Array, count: number, shape: readonly number[]): Float32Array {
  const [c = 1, h = 28, w = 28] = shape;
  const out = new Float32Array(count * c * h * w);
  const top = (h - 28) >> 1;
  const left = (w - 28) >> 1;
  for (let n = 0; n < count; n++) {
    for (let ch = 0; ch < c; ch++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const sy = y - top;
          const sx = x - left;
          if (sy < 0 || sy >= 28 || sx < 0 || sx >= 28) continue;
          const px = images[n * 784 + sy * 28 + (ch % 3 === 1 ? 27 - sx : sx)] as number;
          out[((n * c + ch) * h + y) * w + x] = ch % 3 === 2 ? 255 - px : px;
        }
      }
    }
  }
  return out;
}

/** Largest |a − b| over two equally long arrays, and the largest |b| (the reference's scale). */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): { diff: number; scale: number } {
  if (a.length !== b.length) throw new Error(`${a.length} values against ${b.length}`);
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs((a[i] as number) - (b[i] as number));
    // A NaN on either side is a difference, never a match.
    diff = Number.isNaN(d) ? Infinity : Math.max(diff, d);
    scale = Math.max(scale, Math.abs(b[i] as number));
  }
  return { diff, scale };
}
