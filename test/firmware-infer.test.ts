// The C runtime's kernels and model executor (devices/firmware/src/kernels, src/model), sanitized build,
// held to the studio's engine (core/node/engine on tfjs-wasm): every op on small graphs of its own (odd
// sizes, strides, padding, groups, count_include_pad both ways, mixed-pool splits), so a wrong kernel
// fails its own test; every preset on demo images with trained-looking weights, logits within 1e-4; both
// regeneration modes, whose arena (the recording arena's high-water mark) must stay within 5% of the
// budget's RAM figure; fp16, int8 and unaligned packages; and an arena one byte short refused with the
// exact size it needs. The reference computes its outputs at test time; the C side gets the same package
// and inputs (CMSIS-NN's way).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeBudget } from '../core/budget/compute-budget.js';
import type { WeightDtype } from '../core/budget/weight-dtype.js';
import { withInputNormalize } from '../core/graph/input-normalize.js';
import type { ModelGraph } from '../core/graph/model-graph.js';
import { initEngine, type Engine } from '../core/node/engine/tf-engine.js';
import { encodePackage } from '../core/package/encode-package.js';
import { checkSpecValue } from '../core/spec/load-spec.js';
import type { SpecDocument, SpecNode } from '../core/spec/spec-document.js';
import { PRESETS } from '../core/zoo/presets.js';
import { buildSanitized, SANITIZER_EXIT } from './support/firmware-host.js';
import { demoImages, Draws, firmwareInfer, imageInputs, maxDifference, referenceOutputs, trainedLookingValues, type InferReport, type RegenMode } from './support/firmware-infer.js';
import { denseVariety, denseVarietyShuffled, tinyVariety } from './support/firmware-variants.js';

// Demo images per preset. The sanitized build (ASan, -O1) takes 0.2–0.6 s an image for the NL-ResNet-18
// presets (32×32×3, 58–171 M MACs) and 1–2 s for resnet18-cifar (555 M MACs) on the 2-core machine, so
// those run 4 and 2 images; the others run 20. Per-layer mode runs the first 2 (1 for resnet18-cifar)
// and must give the at-load logits bit for bit (same kernels, same weights, rebuilt at another time).
const IMAGES = 20;
const LARGE_IMAGES = 4;
const LARGEST_IMAGES = 2;
const LARGEST_MACS = 300e6;
const PER_LAYER_IMAGES = 2;
const LOGIT_TOLERANCE = 1e-4;
const KERNEL_TOLERANCE = 1e-5;
const BUDGET_TOLERANCE = 0.05;

let dir = '';
let engine: Engine;
let images: Uint8Array;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-fw-infer-'));
  [engine, images] = await Promise.all([initEngine('wasm'), demoImages(IMAGES), buildSanitized()]).then(([e, i]) => [e, i] as const);
}, 240_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

function graphOf(doc: SpecDocument): ModelGraph {
  const checked = checkSpecValue(doc);
  if (!checked.ok) throw new Error(`${doc.name}: ${checked.issues.map((i) => `${i.path} ${i.message}`).join('; ')}`);
  return checked.graph;
}

/** Runs the package on the C side; fails the test on anything but a report, with the program's own words. */
async function infer(name: string, pkg: Uint8Array, inputs: Float32Array, mode: RegenMode, extra: readonly string[] = []): Promise<InferReport> {
  const r = await firmwareInfer(dir, name, pkg, inputs, mode, extra);
  expect(r.run.code, `${name} (${mode}): ${r.run.stderr}`).not.toBe(SANITIZER_EXIT);
  if (r.report === undefined) throw new Error(`${name} (${mode}) failed: ${r.failure?.message ?? `exit ${r.run.code}: ${r.run.stderr}`}`);
  return r.report;
}

// ---------------------------------------------------------------------------------------------------
// One op at a time.

interface KernelCase {
  readonly name: string;
  readonly input: readonly number[];
  /** The nodes after the input node `x`; the last one is the graph's output. */
  readonly nodes: readonly Record<string, unknown>[];
  readonly normalize?: { readonly mean: readonly number[]; readonly std: readonly number[] };
  /** The graph's output when it is not the last node. */
  readonly output?: string;
}

function kernelDoc(c: KernelCase): SpecDocument {
  const nodes = [{ name: 'x', op: 'input', shape: c.input, ...(c.normalize === undefined ? {} : { normalize: c.normalize }) }, ...c.nodes];
  const last = c.nodes[c.nodes.length - 1]?.['name'] as string;
  return { format: 'reframe-spec', version: 1, name: c.name, nodes: nodes as unknown as SpecNode[], outputs: [c.output ?? last] };
}

/** Weights, biases and BN tensors drawn wide (±0.5; BN as trained-looking), inputs in ±2. */
function kernelValues(graph: ModelGraph, seed: string): Map<string, Float32Array> {
  const values = trainedLookingValues(graph, seed);
  const d = new Draws(`${seed}1`);
  for (const node of graph.nodes) {
    for (const p of node.params) {
      if (p.spec.mode !== 'seeded' && node.op !== 'batchnorm') values.set(p.id, d.fill(p.elements, -0.5, 0.5));
    }
  }
  return values;
}

/** Packs the case, runs it in C (both modes when it has seeded tensors) and compares with the engine. */
async function checkKernel(c: KernelCase, index: number): Promise<void> {
  const graph = graphOf(kernelDoc(c));
  const pkg = encodePackage(graph, kernelValues(graph, `0x${(0xc0de00 + index).toString(16)}`), { dtype: 'fp32' });
  const count = 3;
  const per = c.input.reduce((a, b) => a * b, 1);
  const inputs = new Draws(`0x${(0xda7a00 + index).toString(16)}`).fill(count * per, -2, 2);
  const want = await referenceOutputs(engine, pkg, inputs, c.input);
  const seeded = graph.nodes.some((n) => n.params.some((p) => p.spec.mode === 'seeded'));
  for (const mode of seeded ? (['at-load', 'per-layer'] as const) : (['at-load'] as const)) {
    const got = await infer(`kernel-${index}`, pkg, inputs, mode);
    const { diff, scale } = maxDifference(got.logits.flat(), want);
    expect(diff, `${c.name} (${mode}): max |C − engine| = ${diff} at scale ${scale}`).toBeLessThanOrEqual(KERNEL_TOLERANCE * Math.max(1, scale));
  }
}

const conv = (name: string, input: readonly number[], attrs: Record<string, unknown>): KernelCase => ({ name, input, nodes: [{ name: 'y', op: 'conv', inputs: ['x'], bias: true, ...attrs }] });
const one = (name: string, input: readonly number[], op: string, attrs: Record<string, unknown> = {}): KernelCase => ({ name, input, nodes: [{ name: 'y', op, inputs: ['x'], ...attrs }] });
const seededNormal = { weight: { mode: 'seeded', dist: 'normal', init: 'kaiming', fan: 'fan_out', gain: Math.SQRT2, seed: '0x00000000000c0ffe' } };

const KERNELS: Readonly<Record<string, readonly KernelCase[]>> = {
  conv: [
    conv('3x3, stride 1, padding 1', [3, 7, 9], { outChannels: 5, kernel: 3, padding: 1 }),
    conv('5x3, stride (2,1), padding (2,1), no bias', [4, 11, 6], { outChannels: 3, kernel: [5, 3], stride: [2, 1], padding: [2, 1], bias: false }),
    conv('3x3, stride 2, no padding, odd sizes', [6, 8, 11], { outChannels: 7, kernel: 3, stride: 2 }),
    conv('kernel larger than the input, padding 2', [2, 3, 3], { outChannels: 2, kernel: 5, padding: 2 }),
    conv('1x1, stride 2 (a shortcut)', [9, 9, 7], { outChannels: 4, kernel: 1, stride: 2 }),
    conv('grouped, 5 input channels a group (4 + 1)', [10, 6, 5], { outChannels: 6, kernel: 3, padding: 1, groups: 2 }),
    conv('grouped, 2 input channels a group, 1x1 (the pointwise conv)', [8, 5, 5], { outChannels: 12, kernel: 1, groups: 4 }),
    conv('depthwise with multiplier 2, stride 2', [4, 9, 8], { outChannels: 8, kernel: 3, stride: 2, padding: 1, groups: 4 }),
    conv('depthwise seeded, both regeneration modes', [5, 6, 7], { outChannels: 5, kernel: 3, padding: 1, groups: 5, bias: false, params: seededNormal }),
    conv('depthwise 3x3 on a wide plane (three taps together inside, one by one at the edges)', [3, 5, 12], { outChannels: 3, kernel: 3, padding: 1, groups: 3 }),
    conv('depthwise 3x3, stride 2, no padding, on a wide plane', [2, 7, 19], { outChannels: 2, kernel: 3, stride: 2, groups: 2, bias: false }),
  ],
  dense: [
    { name: 'with bias', input: [37], nodes: [{ name: 'y', op: 'dense', inputs: ['x'], outFeatures: 13, bias: true }] },
    { name: 'without bias, seeded', input: [21], nodes: [{ name: 'y', op: 'dense', inputs: ['x'], outFeatures: 5, bias: false, params: { weight: { mode: 'seeded', dist: 'uniform', init: 'xavier', gain: 1, seed: '0x1234' } } }] },
  ],
  batchnorm: [one('image', [6, 5, 7], 'batchnorm'), one('vector, eps 1e-3', [11], 'batchnorm', { eps: 0.001 })],
  relu: [one('image', [3, 4, 5], 'relu'), one('vector', [9], 'relu')],
  maxpool: [
    one('3x3, stride 2, padding 1', [3, 9, 8], 'maxpool', { kernel: 3, stride: 2, padding: 1 }),
    one('(2,3), stride (1,2), padding (1,1)', [2, 5, 7], 'maxpool', { kernel: [2, 3], stride: [1, 2], padding: [1, 1] }),
    one('2x2, default stride, odd size', [2, 7, 5], 'maxpool', { kernel: 2 }),
    one('3x3, stride 1, padding 1 (the NL module)', [4, 6, 6], 'maxpool', { kernel: 3, stride: 1, padding: 1 }),
    one('(4,5), stride (2,3), padding (2,2), wide', [2, 9, 17], 'maxpool', { kernel: [4, 5], stride: [2, 3], padding: [2, 2] }),
  ],
  avgpool: [true, false].flatMap((countIncludePad) => [
    one(`3x3, stride 2, padding 1, countIncludePad ${countIncludePad}`, [3, 9, 8], 'avgpool', { kernel: 3, stride: 2, padding: 1, countIncludePad }),
    one(`(3,2), stride (2,1), padding (1,0), countIncludePad ${countIncludePad}`, [2, 7, 6], 'avgpool', { kernel: [3, 2], stride: [2, 1], padding: [1, 0], countIncludePad }),
    one(`5x5, stride 1, padding 2, countIncludePad ${countIncludePad}`, [2, 6, 9], 'avgpool', { kernel: 5, stride: 1, padding: 2, countIncludePad }),
    one(`(4,6), stride (3,2), padding (2,3), wide, countIncludePad ${countIncludePad}`, [2, 11, 23], 'avgpool', { kernel: [4, 6], stride: [3, 2], padding: [2, 3], countIncludePad }),
  ]),
  mixedpool: [true, false].flatMap((countIncludePad) => [
    one(`3..11, 13 channels (splits 5,2,2,2,2), stride 1, countIncludePad ${countIncludePad}`, [13, 9, 10], 'mixedpool', { kernels: [3, 5, 7, 9, 11], stride: 1, countIncludePad }),
    one(`3..11, 12 channels, stride 2, countIncludePad ${countIncludePad}`, [12, 8, 7], 'mixedpool', { kernels: [3, 5, 7, 9, 11], stride: 2, countIncludePad }),
    one(`(5, 3), 3 channels (splits 2,1), stride 3, countIncludePad ${countIncludePad}`, [3, 7, 8], 'mixedpool', { kernels: [5, 3], stride: 3, countIncludePad }),
    one(`3..11 on a plane wider than the windows, stride 1, countIncludePad ${countIncludePad}`, [6, 13, 24], 'mixedpool', { kernels: [3, 5, 7, 9, 11], stride: 1, countIncludePad }),
    one(`3..11 on a plane wider than the windows, stride 2, countIncludePad ${countIncludePad}`, [5, 14, 15], 'mixedpool', { kernels: [3, 5, 7, 9, 11], stride: 2, countIncludePad }),
  ]),
  'add and sub': [
    { name: 'add (x + maxpool(x))', input: [3, 5, 6], nodes: [{ name: 'm', op: 'maxpool', inputs: ['x'], kernel: 3, stride: 1, padding: 1 }, { name: 'y', op: 'add', inputs: ['x', 'm'] }] },
    { name: 'sub (maxpool(x) − x, as the NL module subtracts its input)', input: [5, 6, 4], nodes: [{ name: 'm', op: 'maxpool', inputs: ['x'], kernel: 3, stride: 1, padding: 1 }, { name: 'y', op: 'sub', inputs: ['m', 'x'] }] },
  ],
  concat: [
    { name: 'three inputs of 3, 3 and 2 channels', input: [3, 4, 5], nodes: [{ name: 'r', op: 'relu', inputs: ['x'] }, { name: 'c', op: 'conv', inputs: ['x'], outChannels: 2, kernel: 1, bias: false }, { name: 'y', op: 'concat', inputs: ['x', 'r', 'c'] }] },
  ],
  channelshuffle: [one('12 channels, 3 groups', [12, 3, 2], 'channelshuffle', { groups: 3 }), one('6 channels, 2 groups', [6, 5, 5], 'channelshuffle', { groups: 2 })],
  globalavgpool: [one('5x6x7', [5, 6, 7], 'globalavgpool')],
  flatten: [
    one('as the output (a view of its input)', [3, 4, 5], 'flatten'),
    { name: 'feeding a dense layer', input: [2, 3, 3], nodes: [{ name: 'f', op: 'flatten', inputs: ['x'] }, { name: 'y', op: 'dense', inputs: ['f'], outFeatures: 4, bias: true }] },
  ],
  softmax: [one('17 values', [17], 'softmax')],
  'the executor\'s schedule': [
    {
      name: 'an output that is not the last node keeps its buffer to the end (later nodes run, and would reuse it)',
      input: [3, 5, 5],
      output: 'y',
      nodes: [{ name: 'y', op: 'relu', inputs: ['x'] }, { name: 'm', op: 'maxpool', inputs: ['x'], kernel: 3, stride: 1, padding: 1 }, { name: 'z', op: 'add', inputs: ['m', 'x'] }],
    },
    {
      name: 'a view (flatten) keeps its input\'s buffer alive for its readers',
      input: [2, 4, 4],
      nodes: [{ name: 'r', op: 'relu', inputs: ['x'] }, { name: 'f', op: 'flatten', inputs: ['r'] }, { name: 'p', op: 'maxpool', inputs: ['x'], kernel: 2 }, { name: 'g', op: 'flatten', inputs: ['p'] }, { name: 'd', op: 'dense', inputs: ['g'], outFeatures: 32, bias: false }, { name: 'y', op: 'add', inputs: ['f', 'd'] }],
    },
  ],
  'input normalisation': [
    { name: 'one mean and std per channel', input: [3, 4, 4], normalize: { mean: [-0.2, 0.1, 0.4], std: [0.5, 1.5, 2.5] }, nodes: [{ name: 'y', op: 'relu', inputs: ['x'] }] },
    { name: 'one value for every channel', input: [2, 3, 5], normalize: { mean: [0.25], std: [1.7] }, nodes: [{ name: 'y', op: 'relu', inputs: ['x'] }] },
  ],
};

describe('firmware kernels against the engine, one op at a time', () => {
  let index = 0;
  for (const [group, cases] of Object.entries(KERNELS)) {
    const first = index;
    index += cases.length;
    it(`${group}: ${cases.map((c) => c.name).join('; ')}`, async () => {
      for (const [k, c] of cases.entries()) await checkKernel(c, first + k);
    });
  }
});

// ---------------------------------------------------------------------------------------------------
// Whole presets.

interface Row {
  readonly model: string;
  readonly mode: RegenMode;
  readonly budget: number;
  readonly arena: number;
  readonly activations: number;
  readonly weights: number;
  readonly planAndGraph: number;
  readonly maxDiff: number;
  readonly maxLogit: number;
  readonly images: number;
  readonly microsPerImage: number;
}

const rows: Row[] = [];

/** The preset with the input normalisation a trained package carries (Fashion-MNIST's statistics, in pixel units). */
function presetGraph(id: string): ModelGraph {
  const graph = graphOf(PRESETS.find((p) => p.id === id)!.build());
  const channels = graph.nodes[0]?.outputShape[0] ?? 1;
  const normalize = channels === 1 ? { mean: [72.94], std: [90.02] } : { mean: [72.94, 72.94, 182.06], std: [90.02, 90.02, 90.02] };
  return withInputNormalize(graph, normalize);
}

function pushRow(model: string, report: InferReport, budget: number, diff: number, scale: number, count: number): void {
  rows.push({
    model,
    mode: report.mode,
    budget,
    arena: report.memory.total,
    activations: report.memory.activations,
    weights: report.mode === 'at-load' ? report.memory.weights : 0,
    planAndGraph: report.memory.graph,
    maxDiff: diff,
    maxLogit: scale,
    images: count,
    microsPerImage: report.microsPerImage,
  });
}

/** Runs a package in both modes against the engine and the budget; returns the at-load report. */
async function checkModel(name: string, graph: ModelGraph, pkg: Uint8Array, dtype: WeightDtype, count: number): Promise<InferReport> {
  const shape = graph.nodes[0]?.outputShape ?? [];
  const inputs = imageInputs(images, count, shape);
  const per = inputs.length / count;
  const firstFew = inputs.subarray(0, Math.min(PER_LAYER_IMAGES, Math.ceil(count / 2)) * per);
  // The two C runs and the engine at once: the C side is another process.
  const [want, atLoad, perLayer] = await Promise.all([referenceOutputs(engine, pkg, inputs, shape), infer(name, pkg, inputs, 'at-load'), infer(name, pkg, firstFew, 'per-layer')]);
  const { diff, scale } = maxDifference(atLoad.logits.flat(), want);
  expect(diff, `${name}: max |C − engine| = ${diff} over ${count} images, logits up to ${scale}`).toBeLessThanOrEqual(LOGIT_TOLERANCE * Math.max(1, scale));
  expect(perLayer.logits, `${name}: per-layer logits differ from at-load`).toEqual(atLoad.logits.slice(0, perLayer.logits.length));

  const totals = computeBudget(graph, { dtype }).totals;
  for (const [report, budget] of [
    [atLoad, totals.regenerateAtLoad.ramBytes],
    [perLayer, totals.regeneratePerLayer.ramBytes],
  ] as const) {
    pushRow(name, report, budget, diff, scale, report === atLoad ? count : firstFew.length / per);
    // The tool sized the arena from rfw_model_required_bytes: the load fits it exactly, so the figure is exact.
    expect(report.arena.peak, `${name} (${report.mode}): required bytes`).toBe(report.arena.size);
    expect(Math.abs(report.memory.total / budget - 1), `${name} (${report.mode}): arena ${report.memory.total} B, budget ${budget} B`).toBeLessThanOrEqual(BUDGET_TOLERANCE);
  }
  return atLoad;
}

describe('firmware executor against the engine and the budget, every preset', () => {
  afterAll(() => {
    const pct = (r: Row) => `${r.arena >= r.budget ? '+' : '−'}${((Math.abs(r.arena - r.budget) / r.budget) * 100).toFixed(2)}%`;
    const lines = [
      'preset | mode | budget RAM | arena (high-water) | diff | activations | weights | plan + index | max |Δlogit| | max |logit| | images | host µs/image (ASan)',
      ...rows.map((r) => [r.model, r.mode, r.budget, r.arena, pct(r), r.activations, r.weights, r.planAndGraph, r.maxDiff.toExponential(2), r.maxLogit.toFixed(3), r.images, Math.round(r.microsPerImage)].join(' | ')),
    ];
    console.log(`firmware arena against the budget (docs/budget.md §7):\n${lines.join('\n')}`);
  });

  for (const preset of PRESETS) {
    const graph = presetGraph(preset.id);
    const large = (graph.nodes[0]?.outputShape[1] ?? 0) >= 32;
    const count = computeBudget(graph).totals.macs > LARGEST_MACS ? LARGEST_IMAGES : large ? LARGE_IMAGES : IMAGES;
    it(`${preset.id}: ${count} demo images, logits within ${LOGIT_TOLERANCE}, arena within 5% of the budget in both modes`, { timeout: 120_000 }, async () => {
      const pkg = encodePackage(graph, trainedLookingValues(graph, '0xf00d'), { dtype: 'fp32' });
      await checkModel(preset.id, graph, pkg, 'fp32', count);
    });
  }

  it('runs fp16 and int8 packages (dequantised as the kernels read them, nothing expanded into RAM), and models with every seeded kind, softmax and vector batch norm', { timeout: 120_000 }, async () => {
    const fashion = presetGraph('reframe-resnet8-fashion');
    const values = trainedLookingValues(fashion, '0xf00d');
    for (const dtype of ['fp16', 'int8'] as const) await checkModel(`reframe-resnet8-fashion ${dtype}`, fashion, encodePackage(fashion, values, { dtype }), dtype, 6);
    const tiny = graphOf(tinyVariety());
    await checkModel('tiny-variety int8', tiny, encodePackage(tiny, trainedLookingValues(tiny, '0xbeef'), { dtype: 'int8' }), 'int8', 6);
    for (const doc of [denseVariety(), denseVarietyShuffled()]) {
      const g = graphOf(doc);
      await checkModel(`${doc.name} fp16`, g, encodePackage(g, trainedLookingValues(g, '0xbeef'), { dtype: 'fp16' }), 'fp16', 6);
    }
  });

  it('reads float32 data in place only when it is aligned, and through the package otherwise, with the same logits', async () => {
    const graph = presetGraph('tiny');
    const pkg = encodePackage(graph, trainedLookingValues(graph, '0xf00d'), { dtype: 'fp32' });
    const inputs = imageInputs(images, 4, graph.nodes[0]?.outputShape ?? []);
    const [aligned, shifted] = await Promise.all([infer('tiny-aligned', pkg, inputs, 'at-load'), infer('tiny-shifted', pkg, inputs, 'at-load', ['--misalign'])]);
    expect(shifted.logits).toEqual(aligned.logits);
  });

  it('refuses an arena one byte short before laying anything out, and says how many bytes the model needs', async () => {
    const graph = presetGraph('reframe-resnet8-fashion');
    const pkg = encodePackage(graph, trainedLookingValues(graph, '0xf00d'), { dtype: 'fp32' });
    const inputs = imageInputs(images, 1, graph.nodes[0]?.outputShape ?? []);
    for (const mode of ['at-load', 'per-layer'] as const) {
      const fits = await infer('short', pkg, inputs, mode);
      const short = await firmwareInfer(dir, 'short', pkg, inputs, mode, ['--arena', String(fits.arena.size - 1)]);
      expect(short.run.code, short.run.stderr).toBe(1);
      expect(short.failure).toMatchObject({ status: 'arena', stage: 'load', wanted: fits.arena.size });
      expect(short.failure?.message).toContain(`needs ${fits.arena.size} bytes of arena in all`);
    }
  });
});
