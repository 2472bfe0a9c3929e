import { readFile } from 'node:fs/promises';
import { openData } from '../../core/node/data/open-data.js';
import { trainModel } from '../../core/node/train/trainer.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import type { BenchFigure } from '../bench-result.js';
import { PAPER_SGD } from '../../core/node/train/optimizer.js';

const FULL = '/usr/share/datasets/fashion-mnist';
const RECORD = new URL('../../../bench/recorded/fashion-mnist-accuracy.json', import.meta.url);

interface Recorded {
  readonly when: string;
  readonly machine: string;
  readonly engine: string;
  readonly preset: string;
  readonly epochs: number;
  readonly minutes: number;
  readonly accuracy: number;
  readonly command: string;
}

/**
 * Test accuracy of the Fashion-MNIST preset trained on the full set. A run takes hours on the wasm
 * engine, so `npm run bench` reports the recorded run (with its date, machine and command) unless
 * BENCH_FASHION_EPOCHS asks for a fresh one.
 */
export async function fashionAccuracyBench(): Promise<BenchFigure[]> {
  const epochs = Number(process.env['BENCH_FASHION_EPOCHS'] ?? '0');
  let r: Recorded;
  if (epochs > 0) {
    const checked = checkSpecValue(findPreset('reframe-resnet8-fashion')!.build());
    if (!checked.ok) throw new Error('preset must build');
    const started = performance.now();
    const result = await trainModel({
      graph: checked.graph,
      data: await openData(FULL),
      epochs,
      batchSize: 64,
      lr: 0.05,
      optimizer: PAPER_SGD,
      schedule: { name: 'cosine' },
      validationFraction: 0.1,
      seed: '0x5eed',
      engine: 'auto',
    });
    r = {
      when: new Date().toISOString(),
      machine: 'this machine (see the report header)',
      engine: result.engine,
      preset: 'reframe-resnet8-fashion',
      epochs,
      minutes: (performance.now() - started) / 60000,
      accuracy: result.evaluation.accuracy,
      command: `BENCH_FASHION_EPOCHS=${epochs} npm run bench`,
    };
  } else {
    const text = await readFile(RECORD, 'utf8').catch(() => undefined);
    if (text === undefined) {
      process.stderr.write('fashion accuracy: no recorded run in bench/recorded/; run BENCH_FASHION_EPOCHS=N npm run bench to measure one\n');
      return [];
    }
    r = JSON.parse(text) as Recorded;
  }
  const source = epochs > 0 ? 'this run' : `recorded ${r.when.slice(0, 10)} on ${r.machine}`;
  return [
    {
      suite: 'fashion',
      name: `${r.preset} test accuracy on full Fashion-MNIST after ${r.epochs} epoch(s), ${r.minutes.toFixed(0)} min (${source})`,
      value: 100 * r.accuracy,
      unit: '%',
      goal: { op: '>=', value: 90 },
      engine: r.engine,
      detail: { epochs: r.epochs, minutes: Number(r.minutes.toFixed(1)), command: r.command },
    },
  ];
}
