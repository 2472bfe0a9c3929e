import { describe, expect, it } from 'vitest';
import { DatasetError } from '../../data/image-dataset.js';
import { findPreset } from '../../zoo/presets.js';
import { runTrainingInWorker } from './run-training.js';
import type { TrainingJob } from './training-job.js';
import { TrainingCancelled, type TrainEvent } from './trainer.js';
import { PAPER_SGD } from './optimizer.js';

const job: TrainingJob = {
  spec: findPreset('tiny')!.build(),
  data: 'demo',
  epochs: 1,
  batchSize: 100,
  lr: 0.05,
  optimizer: PAPER_SGD,
  schedule: { name: 'constant' },
  validationFraction: 0.1,
  seed: '0x5eed',
  engine: 'auto',
};

describe('runTrainingInWorker', () => {
  it('trains in a worker thread while this thread keeps running, and hands back the weights', { timeout: 120_000 }, async () => {
    const events: TrainEvent[] = [];
    let ticks = 0;
    const timer = setInterval(() => ticks++, 20);
    const result = await runTrainingInWorker(job, (e) => events.push(e));
    clearInterval(timer);
    // The event loop here was never blocked by the training.
    expect(ticks).toBeGreaterThan(10);
    expect(events.filter((e) => e.type === 'step')).toHaveLength(20);
    expect(result.values.get('fc.weight')).toBeInstanceOf(Float32Array);
    expect(result.values.get('fc.weight')!.length).toBe(80);
    expect(result.evaluation.images).toBe(500);
  });

  it('stops between steps when cancelled', { timeout: 60_000 }, async () => {
    const abort = new AbortController();
    const run = runTrainingInWorker(job, (e) => {
      if (e.type === 'step' && e.step === 2) abort.abort();
    }, abort.signal);
    await expect(run).rejects.toBeInstanceOf(TrainingCancelled);
  });

  it('reports bad data as the error the caller knows', { timeout: 60_000 }, async () => {
    await expect(runTrainingInWorker({ ...job, data: '/nonexistent/folder' })).rejects.toBeInstanceOf(DatasetError);
  });
});
