import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import { findPreset } from '../../core/zoo/presets.js';
import { openServiceDatabase } from '../store/service-database.js';
import { SqliteJobStore } from '../store/sqlite-job-store.js';
import { ProgressRecorder } from './progress-recorder.js';

let dir = '';
let store: SqliteJobStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-progress-'));
  store = new SqliteJobStore(openServiceDatabase(dir));
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const step = (epoch: number, s: number, of = 100): TrainEvent => ({ type: 'step', epoch, step: s, stepsPerEpoch: of, loss: 1 / s, accuracy: s / of, imagesPerSecond: 100, etaSeconds: 1 });

describe('ProgressRecorder', () => {
  it('keeps start and epoch events, a few step events a second and the last step of each epoch', () => {
    const job = store.create('o', { spec: findPreset('tiny')!.build(), dataset: { builtin: 'demo' }, epochs: 2, batchSize: 10, lr: 0.05, optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 0 }, schedule: 'constant', augment: false, seed: '0x1', engine: 'auto', dtype: 'fp32' });
    let clock = 0;
    const recorder = new ProgressRecorder(store, job.id, { minStepIntervalMs: 250, now: () => clock });
    recorder.record({ type: 'start', engine: 'tfjs-wasm', trainImages: 1000, evalImages: 100, evalName: 'test', stepsPerEpoch: 100, firstEpoch: 0, epochs: 2 });
    // 100 steps 10 ms apart: one second of training.
    for (let s = 1; s <= 100; s++) {
      clock += 10;
      recorder.record(step(0, s));
    }
    recorder.record({ type: 'epoch', report: { epoch: 0, lr: 0.05, trainLoss: 1, trainAccuracy: 0.5, evalLoss: 1, evalAccuracy: 0.5, seconds: 1, imagesPerSecond: 1000 } });
    const stored = store.eventsSince(job.id, 1).map((e) => e.event);
    const steps = stored.flatMap((e) => (e.type === 'train' && e.event.type === 'step' ? [e.event.step] : []));
    expect(steps).toEqual([1, 26, 51, 76, 100]);
    expect(stored[0]).toMatchObject({ type: 'train', event: { type: 'start' } });
    expect(stored.at(-1)).toMatchObject({ type: 'train', event: { type: 'epoch' } });
    expect(recorder.lastStep).toEqual({ epoch: 0, step: 100 });
    expect(store.get(job.id)!.progress).toEqual({ epoch: 0, step: 100, stepsPerEpoch: 100, epochs: 2, loss: 0.01, accuracy: 1 });
  });
});
