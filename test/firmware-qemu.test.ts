// The C runtime's Cortex-M ports (devices/firmware/ports/, arm.mk) on QEMU's emulated boards, against the
// TypeScript references: the bring-up program (reframe-fw-bench) regenerates every seeded tensor of a
// preset and of a model with every distribution, init and fan bit-identically to core/seed (SHA-256 per
// tensor); runs every preset of core/zoo that fits the board (fp32 package and model in the program's
// arena) on 20 demo images at load and 3 per layer, each logit within 1e-4 of the TypeScript engine, and
// says "does not fit" for every other (it prints which ran where); and its instruction clock agrees
// with a loop of known length. The protocol's board side (reframe-fw-board) on each board's
// UART, over a pty, through the studio's own push code: mps2-an386 takes tiny and the fashion preset and
// infers them as the studio does; the netduinoplus2 (192 KB of RAM) takes tiny, refuses the fashion
// preset before it overwrites anything, and keeps its packages across a restart (semihosting files).
// Needs gcc-arm-none-eabi,
// libnewlib-arm-none-eabi and qemu-system-arm (scripts/system-packages.json installs them).
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePackage } from '../core/package/decode-package.js';
import { encodePackage } from '../core/package/encode-package.js';
import { initialValues } from '../core/package/initial-values.js';
import { PackageError } from '../core/package/package-error.js';
import { packPreset } from '../core/package/package-test-support.fixture.js';
import { readTensor } from '../core/package/read-tensor.js';
import { tensorDigest, toHex } from '../core/package/tensor-digest.js';
import { checkSpecValue } from '../core/spec/load-spec.js';
import { computeBudget } from '../core/budget/compute-budget.js';
import { PRESETS } from '../core/zoo/presets.js';
import { DatasetError } from '../core/data/image-dataset.js';
import type * as tfc from '@tensorflow/tfjs';
import { initEngine } from '../core/node/engine/tf-engine.js';
import { buildTfModel } from '../core/node/engine/tf-model.js';
import { boardInput } from '../main/cli/board-input.js';
import { tinyVariety } from './support/firmware-variants.js';
import { fileDigest } from '../devices/protocol/file-digest.js';
import { ProtocolError } from '../devices/protocol/protocol-error.js';
import { BoardClient } from '../devices/link/board-client.js';
import { pushPackage } from '../devices/link/push.js';
import { openSerial } from '../devices/transport/serial-transport.js';
import { reframe } from './support/reframe-cli.js';
import { ARM_BOARDS, buildArm, runArmBench, startQemuBoard, type ArmBoard, type QemuBoard } from './support/qemu-board.js';

let dir = '';
const packages = new Map<string, Uint8Array>();

function varietyPackage(): Uint8Array {
  const checked = checkSpecValue(tinyVariety());
  if (!checked.ok) throw new Error(`tiny-variety does not check: ${checked.issues[0]?.message}`);
  return encodePackage(checked.graph, initialValues(checked.graph), { dtype: 'fp16' });
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-fw-qemu-'));
  packages.set('fashion.rfpk', packPreset('reframe-resnet8-fashion', 'fp32'));
  packages.set('tiny.rfpk', packPreset('tiny', 'int8'));
  packages.set('variety.rfpk', varietyPackage());
  for (const [name, bytes] of packages) await writeFile(join(dir, name), bytes);
  for (const board of ARM_BOARDS) await buildArm(board, 'all');
}, 240_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** The studio's logits for inputs (one image each), through the TypeScript engine in one batch (as `reframe board infer` computes them). */
async function studioLogitsOf(bytes: Uint8Array, inputs: readonly Float32Array[]): Promise<Float32Array[]> {
  const pkg = decodePackage(bytes);
  const engine = await initEngine('auto');
  const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  const model = buildTfModel(engine, pkg.graph, values);
  try {
    const size = inputs[0]?.length ?? 0;
    const batch = new Float32Array(inputs.length * size);
    inputs.forEach((x, i) => batch.set(x, i * size));
    const out = engine.tf.tidy(() => model.forward(engine.tf.tensor(batch, [inputs.length, ...(pkg.graph.nodes[0]?.outputShape ?? [])]), false) as tfc.Tensor);
    const all = new Float32Array(await out.data());
    out.dispose();
    const classes = all.length / inputs.length;
    return inputs.map((_, i) => all.slice(i * classes, (i + 1) * classes));
  } finally {
    model.dispose();
  }
}

async function studioLogits(bytes: Uint8Array, input: Float32Array): Promise<Float32Array> {
  return (await studioLogitsOf(bytes, [input]))[0]!;
}

function fromBits(bits: readonly string[]): Float32Array {
  return new Float32Array(new Uint32Array(bits.map((b) => Number.parseInt(b, 16))).buffer);
}

const DEMO_IMAGES = 20;
const LAYER_IMAGES = 3;
/** reframe-fw-bench's regeneration scratch (REGEN_SLICE floats), taken before the package. */
const BENCH_SCRATCH_BYTES = 2048 * 4;

interface Inference {
  readonly mode: string;
  readonly image: number;
  readonly logitBits: string[];
  readonly instructions: number;
}

interface NotFit {
  readonly fits: false;
  readonly what: string;
  readonly arenaBytesWanted: number;
  readonly arenaBytes: number;
}

interface PresetCase {
  readonly bytes: Uint8Array;
  readonly file: string;
  /** DEMO_IMAGES demo images back to back (zeros when the demo data has no images of the model's shape). */
  readonly inputFile: string;
  /** The first LAYER_IMAGES of them. */
  readonly layerFile: string;
  /** The model's RAM at load, as the budget counts it. */
  readonly ramAtLoad: number;
  /** The studio's logits per demo image; undefined when there are no demo images of the model's shape. */
  studioLogits(): Promise<Float32Array[] | undefined>;
}

const presetCases = new Map<string, Promise<PresetCase>>();

/** A preset's fp32 package and its demo images in QEMU's working directory, made once for both boards. */
function presetCase(id: string): Promise<PresetCase> {
  let c = presetCases.get(id);
  if (c === undefined) {
    c = makePresetCase(id);
    presetCases.set(id, c);
  }
  return c;
}

async function makePresetCase(id: string): Promise<PresetCase> {
  const bytes = packPreset(id, 'fp32');
  const { graph } = decodePackage(bytes);
  const size = (graph.nodes[0]?.outputShape ?? []).reduce((a, b) => a * b, 1);
  let images: Float32Array[] | undefined = [];
  try {
    for (let i = 0; i < DEMO_IMAGES; i++) images.push((await boardInput({ data: 'demo', index: String(i) }, graph)).values);
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    images = undefined; // the demo data is 28×28 grayscale; zeros let the program try to load the model
  }
  const all = new Float32Array(DEMO_IMAGES * size);
  images?.forEach((x, i) => all.set(x, i * size));
  const c: PresetCase = {
    bytes,
    file: `${id}.rfpk`,
    inputFile: `${id}-demo.f32`,
    layerFile: `${id}-demo-${LAYER_IMAGES}.f32`,
    ramAtLoad: computeBudget(graph).totals.regenerateAtLoad.ramBytes,
    studioLogits: () => (images === undefined ? Promise.resolve(undefined) : studioLogitsOf(bytes, images)),
  };
  await writeFile(join(dir, c.file), bytes);
  await writeFile(join(dir, c.inputFile), new Uint8Array(all.buffer));
  await writeFile(join(dir, c.layerFile), new Uint8Array(all.buffer, 0, LAYER_IMAGES * size * 4));
  return c;
}

const heads = new Map<ArmBoard, Promise<{ arenaBytes: number }>>();

/** The bench program's first line on a board: its arena. */
function boardHead(board: ArmBoard): Promise<{ arenaBytes: number }> {
  let h = heads.get(board);
  if (h === undefined) {
    h = runArmBench(board, ['--regen', '0'], { cwd: dir, icount: false }).then((r) => r.records[0] as { arenaBytes: number });
    heads.set(board, h);
  }
  return h;
}

interface TensorLine {
  readonly tensor: string;
  readonly sha256: string;
  readonly match: boolean;
}

/** What core/seed gives for every seeded tensor of a package, as the board prints it. */
function expectedSeeded(bytes: Uint8Array): TensorLine[] {
  const pkg = decodePackage(bytes);
  return pkg.tensors.filter((t) => t.seeded !== undefined).map((t) => ({ tensor: t.id, sha256: toHex(tensorDigest(readTensor(pkg, t))), match: true }));
}

describe.each(ARM_BOARDS)('reframe-fw-bench on %s', (board: ArmBoard) => {
  it("links no heap user of ours: malloc is reached only from newlib's strtod (the SPEC check's numbers)", async () => {
    const out = await buildArm(board, 'check-heap');
    expect(out.match(/the heap is used only by the C library's .*mprec/g)).toHaveLength(2);
  });

  it('counts instructions exactly: a loop of 2,000,000 instructions measures so, to the clock tick', async () => {
    const r = await runArmBench(board, ['--regen', '4096'], { cwd: dir });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const head = r.records[0] as { board: string; clockHz: number; arenaBytes: number };
    expect(head.board).toBe(board);
    const { calibration } = r.records[1] as { calibration: { expectedInstructions: number; measuredInstructions: number } };
    // One SysTick tick is 1e9 / clockHz instructions (40 on mps2-an386 at 25 MHz, ~6 on the netduinoplus2 at
    // 168 MHz); the 1 ms SysTick interrupt adds its dozen instructions once per million.
    expect(Math.abs(calibration.measuredInstructions - calibration.expectedInstructions)).toBeLessThanOrEqual(1e9 / head.clockHz + 30);
    const regen = r.records.filter((x) => 'regen' in x) as unknown as { regen: string; weights: number; instructions: number }[];
    expect(regen.map((x) => x.regen)).toEqual(['uniform', 'normal', 'sign']);
    for (const x of regen) expect(x.instructions / x.weights, x.regen).toBeGreaterThan(1);
    expect(r.records.at(-1)).toEqual({ done: true });
  }, 60_000);

  it('rebuilds every seeded tensor of reframe-resnet8-fashion and of a model with every distribution, init and fan to the SHA-256 core/seed gives', async () => {
    for (const [name, bytes] of packages) {
      const r = await runArmBench(board, ['--regen', '0', '--package', name], { cwd: dir });
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.records.find((x) => 'package' in x)).toMatchObject({ package: name, status: 'ok' });
      const got = r.records.filter((x) => 'tensor' in x).map((x) => ({ tensor: x['tensor'], sha256: x['sha256'], match: x['match'] }));
      expect(got, `${name} on ${board}`).toEqual(expectedSeeded(bytes));
      expect(got.length).toBeGreaterThan(1);
    }
  }, 120_000);

  const ran: string[] = [];
  afterAll(() => {
    if (ran.length > 0) console.log(`reframe-fw-bench on ${board}, every preset (fp32):\n  ${ran.join('\n  ')}`);
  });

  it.each(PRESETS.map((p) => p.id))(
    `runs %s on ${DEMO_IMAGES} demo images at load and ${LAYER_IMAGES} per layer within 1e-4 of the TypeScript engine, or says it does not fit`,
    async (id) => {
      const started = Date.now();
      const c = await presetCase(id);
      const { arenaBytes } = await boardHead(board);
      // What the bench program needs: its regeneration scratch, the package read into the arena, and the
      // model as the budget counts it (the arena is within 1% of the budget on every preset).
      const needs = BENCH_SCRATCH_BYTES + c.bytes.length + c.ramAtLoad;
      const load = await runArmBench(board, ['--regen', '0', '--package', c.file, '--input', c.inputFile, '--mode', 'load'], { cwd: dir, icount: false });
      const notFit = load.records.find((x) => 'fits' in x) as NotFit | undefined;
      if (Math.abs(needs - arenaBytes) > arenaBytes / 20) {
        expect(notFit === undefined, `${id} on ${board}: needs about ${needs} of ${arenaBytes} arena bytes, but the program says ${JSON.stringify(notFit ?? 'it fits')}`).toBe(needs <= arenaBytes);
      }
      if (notFit !== undefined) {
        // A clear refusal: what did not fit, and how much more arena it wanted than there is.
        expect(load.code).toBe(1);
        expect(notFit).toMatchObject({ fits: false, arenaBytes });
        expect(['package', 'model']).toContain(notFit.what);
        expect(notFit.arenaBytesWanted).toBeGreaterThan(arenaBytes);
        expect(load.records.some((x) => 'infer' in x)).toBe(false);
        ran.push(`${id}: does not fit (${notFit.what}${notFit.what === 'package' ? ` of ${c.bytes.length.toLocaleString('en-US')} bytes` : ''}: ${notFit.arenaBytesWanted.toLocaleString('en-US')} arena bytes wanted, ${arenaBytes.toLocaleString('en-US')} there)`);
        return;
      }
      expect(load.code, load.stdout + load.stderr).toBe(0);
      const want = await c.studioLogits();
      expect(want, `${id} fits ${board}, but the demo data has no images of its input shape`).toBeDefined();
      let maxDiff = 0;
      const layer = await runArmBench(board, ['--regen', '0', '--package', c.file, '--input', c.layerFile, '--mode', 'layer'], { cwd: dir, icount: false });
      expect(layer.code, layer.stdout + layer.stderr).toBe(0);
      for (const [mode, r, count] of [['load', load, DEMO_IMAGES], ['layer', layer, LAYER_IMAGES]] as const) {
        const infers = r.records.filter((x) => 'infer' in x).map((x) => x['infer'] as Inference);
        expect(infers.map((x) => x.image)).toEqual(Array.from({ length: count }, (_, i) => i));
        for (const x of infers) {
          const got = fromBits(x.logitBits);
          const expected = want![x.image]!;
          expect(got).toHaveLength(expected.length);
          const diff = got.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i]!)), 0);
          expect(diff, `${id} on ${board} (${mode}), demo image ${x.image}: ${Array.from(got)} vs ${Array.from(expected)}`).toBeLessThan(1e-4);
          expect(x.mode).toBe(mode);
          expect(x.instructions).toBeGreaterThan(0);
          maxDiff = Math.max(maxDiff, diff);
        }
        // The stack is painted at reset; a quarter of it is plenty for opening, loading and running a model.
        const stack = r.records.find((x) => 'stackPeakBytes' in x) as { stackPeakBytes: number; stackBytes: number };
        expect(stack.stackPeakBytes).toBeLessThan(stack.stackBytes / 4);
      }
      ran.push(`${id}: ran ${DEMO_IMAGES} demo images at load and ${LAYER_IMAGES} per layer, max |Δlogit| ${maxDiff.toExponential(1)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    },
    300_000,
  );

  it('says which check refused a damaged package, as the studio does', async () => {
    const bad = new Uint8Array(packages.get('variety.rfpk')!);
    bad[bad.length - 40] = (bad[bad.length - 40] as number) ^ 0x01;
    await writeFile(join(dir, `bad-${board}.rfpk`), bad);
    const r = await runArmBench(board, ['--regen', '0', '--package', `bad-${board}.rfpk`], { cwd: dir });
    expect(r.code).toBe(1);
    let check = 'ok';
    try {
      decodePackage(bad);
    } catch (error) {
      check = error instanceof PackageError ? error.check : String(error);
    }
    expect(check).not.toBe('ok');
    expect(r.records.find((x) => 'package' in x)).toMatchObject({ status: check });
  }, 60_000);
});

/** A board client on the QEMU board's pty; the handshake retries while QEMU has not yet noticed the pty open. */
async function connect(q: QemuBoard): Promise<BoardClient> {
  return BoardClient.connect(await openSerial(q.pty), { helloTimeoutMs: 10_000 });
}

/** Pushes, then infers a demo image on the board and through the studio's engine. */
async function pushAndInfer(client: BoardClient, bytes: Uint8Array, index: number): Promise<{ maxAbsDiff: number; micros: number }> {
  const pushed = await pushPackage(client, bytes);
  expect(pushed.state.active).toEqual(fileDigest(bytes));
  const input = await boardInput({ data: 'demo', index: String(index) }, decodePackage(bytes).graph);
  const r = await client.infer(input.values);
  const want = await studioLogits(bytes, input.values);
  expect(r.logits).toHaveLength(want.length);
  expect(r.engine).toMatch(/^reframe-fw/);
  return { maxAbsDiff: r.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0), micros: r.micros };
}

describe('reframe-fw-board on mps2-an386 over a pty', () => {
  let q: QemuBoard | undefined;
  afterAll(async () => {
    await q?.dispose();
  });

  it('answers INFO, then takes tiny and reframe-resnet8-fashion through pushPackage and infers them within 1e-4 of the studio', async () => {
    q = await startQemuBoard('mps2-an386');
    const client = await connect(q);
    try {
      const info = client.lastInfo;
      expect(info.runtime).toBe('reframe-fw 0.2.0 (mps2-an386, C99)');
      expect(info.capabilities).toMatchObject({ infer: true, persistentResume: false });
      expect(info.ramBytes).toBeGreaterThan(3_500_000);
      expect(info.active).toBeUndefined();
      for (const [name, index] of [['tiny.rfpk', 1], ['fashion.rfpk', 2]] as const) {
        const r = await pushAndInfer(client, packages.get(name)!, index);
        expect(r.maxAbsDiff, name).toBeLessThan(1e-4);
      }
    } finally {
      await client.close();
    }
    // The same through the CLI, as a user runs it.
    const cli = await reframe('board', 'infer', '--port', q.pty, '--data', 'demo', '--index', '4', '--package', join(dir, 'fashion.rfpk'), '--json');
    expect(cli.code, cli.stderr).toBe(0);
    const r = JSON.parse(cli.stdout) as { engine: string; studio: { maxAbsDiff: number; boardRunsIt: boolean; sameClass: boolean } };
    expect(r.engine).toMatch(/^reframe-fw/);
    expect(r.studio).toMatchObject({ boardRunsIt: true, sameClass: true });
    expect(r.studio.maxAbsDiff).toBeLessThan(1e-4);
    expect(q.output()).toMatch(/reframe-fw info: board ready: \d+ bytes of memory/);
  }, 120_000);
});

describe('reframe-fw-board on netduinoplus2 (192 KB of RAM) over a pty', () => {
  let q: QemuBoard | undefined;
  afterAll(async () => {
    await q?.dispose();
  });

  it('takes tiny, refuses reframe-resnet8-fashion before anything is overwritten, and keeps tiny across a restart', async () => {
    // The board's storage files live in QEMU's working directory: a folder inside this file's temporary one.
    const storageDir = join(dir, 'netduinoplus2-storage');
    await mkdir(storageDir);
    q = await startQemuBoard('netduinoplus2', { storageDir });
    const tiny = packages.get('tiny.rfpk')!;
    let client = await connect(q);
    try {
      expect(client.lastInfo.capabilities).toMatchObject({ infer: true, persistentResume: true });
      expect((await pushAndInfer(client, tiny, 1)).maxAbsDiff).toBeLessThan(1e-4);
      const refused = await pushPackage(client, packages.get('fashion.rfpk')!).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ProtocolError);
      expect(refused).toMatchObject({ code: 'too-large' });
      expect((refused as Error).message).toMatch(/needs \d+ bytes of RAM .*the board has \d+/);
      const after = await client.info();
      expect(after.active).toEqual(fileDigest(tiny));
      expect(after.previous).toBeUndefined();
      expect((await pushAndInfer(client, tiny, 2)).maxAbsDiff).toBeLessThan(1e-4);
    } finally {
      await client.close();
    }
    expect(q.output()).toMatch(/reframe-fw debug: stack high-water \d+ of 16384 bytes/);
    expect(q.output()).not.toMatch(/reframe-fw warn: stack high-water/);
    // Power the board off and on: its storage files stay in QEMU's working directory.
    await q.stop();
    expect(await readdir(storageDir)).toEqual(expect.arrayContaining(['reframe-package-0.bin', 'reframe-state.bin']));
    q = await startQemuBoard('netduinoplus2', { storageDir });
    client = await connect(q);
    try {
      expect(client.lastInfo.active).toEqual(fileDigest(tiny));
      const input = await boardInput({ data: 'demo', index: '3' }, decodePackage(tiny).graph);
      const r = await client.infer(input.values);
      const want = await studioLogits(tiny, input.values);
      expect(r.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - want[i]!)), 0)).toBeLessThan(1e-4);
    } finally {
      await client.close();
    }
  }, 120_000);
});
