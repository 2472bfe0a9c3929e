import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSpecValue } from '../../spec/load-spec.js';
import { findPreset } from '../../zoo/presets.js';
import { subsetDataset } from '../../data/in-memory-dataset.js';
import { openData, type DataSplits } from '../data/open-data.js';
import { readCheckpointMeta } from './checkpoint.js';
import { trainModel, TrainingCancelled, type TrainEvent, type TrainOptions } from './trainer.js';
import { PAPER_SGD } from './optimizer.js';

let data: DataSplits;
let dir = '';
beforeAll(async () => {
  data = await openData('demo');
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-train-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function options(extra: Partial<TrainOptions> = {}): TrainOptions {
  const r = checkSpecValue(findPreset('tiny')!.build());
  if (!r.ok) throw new Error('tiny must build');
  return {
    graph: r.graph,
    data,
    epochs: 3,
    batchSize: 50,
    lr: 0.05,
    optimizer: PAPER_SGD,
    schedule: { name: 'cosine' },
    validationFraction: 0.1,
    seed: '0x5eed',
    engine: 'auto',
    ...extra,
  };
}

describe('trainModel on the embedded Fashion-MNIST demo data', () => {
  it('learns the tiny preset far above chance in a few epochs, with progress and checkpoints', { timeout: 120_000 }, async () => {
    const events: TrainEvent[] = [];
    const result = await trainModel(options({ checkpointDir: dir }), (e) => events.push(e));
    expect(events[0]).toMatchObject({ type: 'start', trainImages: 2000, evalImages: 500, evalName: 'test', stepsPerEpoch: 40 });
    expect(events.filter((e) => e.type === 'step')).toHaveLength(120);
    expect(events.filter((e) => e.type === 'epoch')).toHaveLength(3);
    // Chance is 10%; three short epochs of this 1.5 K-parameter network reach well past it.
    expect(result.evaluation.accuracy).toBeGreaterThan(0.45);
    expect(result.history[2]!.trainLoss).toBeLessThan(result.history[0]!.trainLoss);
    expect(result.evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(500);
    // The mean test loss is a real number near the training loss, not a sum or NaN.
    expect(result.evaluation.loss).toBeGreaterThan(0.3);
    expect(result.evaluation.loss).toBeLessThan(2.5);
    const meta = await readCheckpointMeta(dir);
    expect(meta.epoch).toBe(3);
    // Only the latest epoch's files stay beside checkpoint.json.
    expect((await readdir(dir)).sort()).toEqual(['checkpoint.json', 'epoch-0003.optimizer.safetensors', 'epoch-0003.rfpk']);
  });

  it('resumes from a checkpoint exactly where an uninterrupted run would be', { timeout: 120_000 }, async () => {
    // A 300-image slice keeps this quick; what matters is that the two runs end with the same weights.
    const small = { train: subsetDataset(data.train, [...Array(300).keys()]), test: subsetDataset(data.test!, [...Array(100).keys()]), description: 'demo slice' };
    const abort = new AbortController();
    const straight = await trainModel(options({ epochs: 2, data: small }));
    const first = path.join(dir, 'resume');
    // The schedule is for 2 epochs either way; this run stops after the first.
    await trainModel(options({ epochs: 2, data: small, checkpointDir: first }), (e) => {
      if (e.type === 'epoch' && e.report.epoch === 0) abort.abort();
    }, abort.signal).catch((e: unknown) => {
      if (!(e instanceof TrainingCancelled)) throw e;
    });
    expect((await readCheckpointMeta(first)).epoch).toBe(1);
    await expect(trainModel(options({ epochs: 2, data: small, checkpointDir: first, resume: true, lr: 0.1 }))).rejects.toThrow('resume with the settings of the checkpointed run: lr was 0.05');
    const resumed = await trainModel(options({ epochs: 2, data: small, checkpointDir: first, resume: true }));
    expect(resumed.history.map((h) => h.epoch)).toEqual([0, 1]);
    expect(resumed.evaluation.accuracy).toBe(straight.evaluation.accuracy);
    for (const [id, v] of straight.values) expect(resumed.values.get(id)).toEqual(v);
  });

  it('cancels between steps and says so', { timeout: 60_000 }, async () => {
    const abort = new AbortController();
    const run = trainModel(options(), (e) => {
      if (e.type === 'step' && e.step === 3) abort.abort();
    }, abort.signal);
    await expect(run).rejects.toBeInstanceOf(TrainingCancelled);
  });
});
