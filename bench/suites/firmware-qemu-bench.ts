import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { computeBudget } from '../../core/budget/compute-budget.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import { imageBytes } from '../../core/data/image-dataset.js';
import type { ModelGraph } from '../../core/graph/model-graph.js';
import { openData } from '../../core/node/data/open-data.js';
import type { BenchFigure } from '../bench-result.js';
import { buildArm, runArmBench, type ArmBoard, type BenchProgramRun } from '../support/qemu-arm.js';

/** The clock the latency estimate assumes: an STM32F405/F407 at full speed. */
const ESTIMATE_HZ = 168e6;
const REGEN_WEIGHTS = 65536;

function firstLine(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile(command, args, { encoding: 'utf8' }, (error, stdout) => resolve(error === null ? (stdout.split('\n')[0] ?? command) : command));
  });
}

function packPreset(id: string): Uint8Array {
  const preset = findPreset(id);
  if (preset === undefined) throw new Error(`no preset ${id}`);
  const checked = checkSpecValue(preset.build());
  if (!checked.ok) throw new Error(`${id} does not check: ${checked.issues[0]?.message}`);
  return encodePackage(checked.graph, initialValues(checked.graph), { dtype: 'fp32' });
}

/** The demo data's first test image, pixels scaled to 0..1: what the model computes on does not change its instruction count much. */
async function demoImage(graph: ModelGraph): Promise<Float32Array> {
  const shape = graph.nodes[0]?.outputShape;
  const data = await openData('demo', shape === undefined ? {} : { inputShape: shape });
  const part = data.test ?? data.train;
  const raw = new Uint8Array(imageBytes(part.shape));
  await part.readBatch([0], raw, new Int32Array(1));
  return Float32Array.from(raw, (v) => v / 255);
}

function failed(board: ArmBoard, what: string, r: BenchProgramRun): Error {
  return new Error(`reframe-fw-bench ${what} on ${board} failed (exit ${r.code}):\n${r.stdout}${r.stderr}`);
}

interface Inference {
  readonly mode: string;
  readonly loadInstructions: number;
  readonly instructions: number;
  readonly arenaPeak: number;
}

/** reframe-fw-bench's regeneration alone: one rfw_regenerate per seeded tensor, as the executor does it. */
interface SeededRegen {
  readonly tensors: number;
  readonly weights: number;
  readonly instructions: number;
}

/**
 * The C runtime on QEMU's emulated Cortex-M4F boards, counted in instructions (`-icount shift=0`: one
 * virtual nanosecond per instruction, read through SysTick and checked against a loop of known length):
 * instructions per regenerated weight per distribution; per inference and per MAC for the fashion
 * preset (mps2-an386: it needs ~350 KB of RAM) and tiny; and per model, the instructions to regenerate
 * all its seeded weights as the executor does (one call per tensor) ÷ those weights, and that
 * regeneration's share of one per-layer inference (which regenerates every seeded tensor once). The latency is instructions ÷ 168 MHz, which
 * assumes one instruction per cycle: an estimate of an STM32F4 at full speed, not a cycle count (QEMU
 * models no pipeline, flash wait states or caches).
 */
export async function firmwareQemuBench(): Promise<BenchFigure[]> {
  const boards: readonly ArmBoard[] = ['mps2-an386', 'netduinoplus2'];
  for (const board of boards) await buildArm(board, 'bench');
  const [gcc, qemu] = await Promise.all([firstLine('arm-none-eabi-gcc', ['--version']), firstLine('qemu-system-arm', ['--version'])]);
  const engine = (board: ArmBoard) => `${board}: ${gcc.replace(/^arm-none-eabi-gcc \(([^)]*)\) /, 'arm-none-eabi-gcc $1 ')} -O2 -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard; ${qemu.replace(/^QEMU emulator version/, 'QEMU')} -icount shift=0`;
  const dir = await mkdtemp(join(tmpdir(), 'reframe-fw-qemu-bench-'));
  const figures: BenchFigure[] = [];
  try {
    for (const board of boards) {
      const r = await runArmBench(board, ['--regen', String(REGEN_WEIGHTS)], { cwd: dir });
      if (r.code !== 0) throw failed(board, 'regeneration', r);
      const { calibration } = r.records.find((x) => 'calibration' in x) as { calibration: { expectedInstructions: number; measuredInstructions: number } };
      for (const x of r.records.filter((y) => 'regen' in y) as unknown as { regen: string; weights: number; instructions: number }[]) {
        figures.push({
          suite: 'firmware-qemu',
          name: `${board}: regenerate ${x.regen} weights (${x.weights.toLocaleString('en-US')}, slices of 2,048)`,
          value: x.instructions / x.weights,
          unit: 'instructions/weight',
          goal: { op: '<=', value: 12 },
          engine: engine(board),
          detail: { instructions: x.instructions, weights: x.weights, calibrationExpected: calibration.expectedInstructions, calibrationMeasured: calibration.measuredInstructions },
        });
      }
      if ((r.records[0] as { model?: boolean }).model !== true) throw new Error(`reframe-fw-bench on ${board} was built without the model executor (src/model/): no inference figures`);
    }

    const runs: readonly [string, ArmBoard][] = [
      ['reframe-resnet8-fashion', 'mps2-an386'],
      ['tiny', 'mps2-an386'],
      ['tiny', 'netduinoplus2'],
    ];
    for (const [preset, board] of runs) {
      const bytes = packPreset(preset);
      const pkg = decodePackage(bytes);
      const macs = computeBudget(pkg.graph).totals.macs;
      const input = await demoImage(pkg.graph);
      await writeFile(join(dir, `${preset}.rfpk`), bytes);
      await writeFile(join(dir, `${preset}.f32`), new Uint8Array(input.buffer, input.byteOffset, input.byteLength));
      const inferences = new Map<string, Inference>();
      for (const mode of ['load', 'layer'] as const) {
        const r = await runArmBench(board, ['--regen', '0', '--package', `${preset}.rfpk`, '--input', `${preset}.f32`, '--mode', mode], { cwd: dir });
        if (r.code !== 0) throw failed(board, `${preset} (${mode})`, r);
        const { infer } = r.records.find((x) => 'infer' in x) as { infer: Inference };
        inferences.set(mode, infer);
        if (mode === 'layer') {
          const { seededRegen: regen } = r.records.find((x) => 'seededRegen' in x) as { seededRegen: SeededRegen };
          const atLoad = inferences.get('load') as Inference;
          const regenDetail = {
            regenerationInstructions: regen.instructions,
            seededWeights: regen.weights,
            seededTensors: regen.tensors,
            perLayerInferenceInstructions: infer.instructions,
            perLayerMinusAtLoadInstructions: infer.instructions - atLoad.instructions,
          };
          figures.push(
            {
              suite: 'firmware-qemu',
              name: `${board}: ${preset}, regenerate all ${regen.weights.toLocaleString('en-US')} seeded weights (one call per tensor, as at load)`,
              value: regen.instructions / regen.weights,
              unit: 'instructions/weight',
              goal: { op: '<=', value: 12 },
              engine: engine(board),
              detail: regenDetail,
            },
            {
              suite: 'firmware-qemu',
              name: `${board}: ${preset}, regeneration's share of one per-layer inference`,
              value: (regen.instructions / infer.instructions) * 100,
              unit: '%',
              engine: engine(board),
              detail: regenDetail,
            },
          );
        }
        const what = `${board}: ${preset}, regenerate ${mode === 'load' ? 'at load' : 'per layer'}`;
        const detail = { instructions: infer.instructions, loadInstructions: infer.loadInstructions, macs, arenaPeakBytes: infer.arenaPeak, input: 'demo test image 0, pixels / 255' };
        figures.push(
          { suite: 'firmware-qemu', name: `${what}: instructions per inference`, value: infer.instructions, unit: 'instructions', engine: engine(board), detail },
          { suite: 'firmware-qemu', name: `${what}: instructions per MAC`, value: infer.instructions / macs, unit: 'instructions/MAC', engine: engine(board), detail },
          {
            suite: 'firmware-qemu',
            name: `${what}: estimated latency at 168 MHz (1 instruction per cycle assumed)`,
            value: (infer.instructions / ESTIMATE_HZ) * 1000,
            unit: 'ms',
            engine: engine(board),
            detail: { ...detail, assumption: 'instructions ÷ 168e6; no cycle model (pipeline, wait states, FPU latencies)' },
          },
        );
      }
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return figures;
}
