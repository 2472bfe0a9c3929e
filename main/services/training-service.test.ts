import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePackage } from '../../core/package/decode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { presetGraph } from '../../core/package/package-test-support.fixture.js';
import type { TrainEvent, TrainResult } from '../../core/node/train/trainer.js';
import { TrainingCancelled } from '../../core/node/train/trainer.js';
import type { TrainingJob } from '../../core/node/train/training-job.js';
import type { TrainRequest } from '../contract/studio-api.js';
import type { TrainingRunner } from './training-service.js';
import { collect, nextEvent, scratchServices } from './studio-services.fixture.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const TINY: TrainRequest = { model: { kind: 'preset', id: 'tiny' }, data: 'demo', epochs: 1, batchSize: 100, lr: 0.05, optimizer: 'sgd', schedule: 'constant', augment: false, engine: 'auto' };

/**
 * A runner that plays a run without tfjs: one step per epoch, a checkpoint file per epoch, and it
 * stops when cancelled after `stopAfter` epochs (waiting there for the cancel).
 */
function fakeRunner(o: { stopAfter?: number; fail?: Error } = {}): { runner: TrainingRunner; jobs: TrainingJob[] } {
  const jobs: TrainingJob[] = [];
  const runner: TrainingRunner = async (job, onEvent = () => undefined, signal) => {
    jobs.push(job);
    if (o.fail !== undefined) throw o.fail;
    let first = 0;
    if (job.resume === true) first = (JSON.parse(await readFile(path.join(job.checkpointDir!, 'checkpoint.json'), 'utf8')) as { epoch: number }).epoch;
    onEvent({ type: 'start', engine: 'tfjs-wasm', trainImages: 100, evalImages: 10, evalName: 'test', stepsPerEpoch: 1, firstEpoch: first, epochs: job.epochs });
    for (let epoch = first; epoch < job.epochs; epoch++) {
      if (o.stopAfter === epoch) {
        await new Promise<void>((resolve) => (signal?.aborted === true ? resolve() : signal?.addEventListener('abort', () => resolve())));
        throw new TrainingCancelled(epoch);
      }
      onEvent({ type: 'step', epoch, step: 0, stepsPerEpoch: 1, loss: 2 - epoch, accuracy: 0.1 * epoch, imagesPerSecond: 100, etaSeconds: 0 } satisfies TrainEvent);
      await mkdir(job.checkpointDir!, { recursive: true });
      await writeFile(path.join(job.checkpointDir!, 'checkpoint.json'), JSON.stringify({ format: 'reframe-checkpoint', version: 1, epoch: epoch + 1 }));
      const report = { epoch, lr: job.lr, trainLoss: 1, trainAccuracy: 0.5, evalLoss: 1, evalAccuracy: 0.5, seconds: 0.01, imagesPerSecond: 100 };
      onEvent({ type: 'epoch', report, checkpoint: job.checkpointDir! });
    }
    const graph = presetGraph('tiny');
    const result: TrainResult = {
      engine: 'tfjs-wasm',
      values: initialValues(graph),
      normalize: { mean: [0.5], std: [0.25] },
      inputNormalize: { mean: [127.5], std: [63.75] },
      history: [],
      evaluation: { images: 10, loss: 1, accuracy: 0.5, confusion: Array.from({ length: 10 }, () => new Array<number>(10).fill(1)) },
    };
    return result;
  };
  return { runner, jobs };
}

describe('training', () => {
  it('trains the tiny preset on demo data in a worker, with live events, and writes a package', { timeout: 180_000 }, async () => {
    const s = await scratchServices();
    cleanup.push(s.remove);
    const { services } = s;
    const steps = collect(services, 'training.step');
    const starts = collect(services, 'training.start');
    const epochs = collect(services, 'training.epoch');
    const { runId, runDir } = await services.startTraining(TINY);
    expect(runDir.startsWith(services.workspace)).toBe(true);
    const done = await nextEvent(services, 'training.done', (e) => e.runId === runId, 170_000);
    expect(starts).toEqual([expect.objectContaining({ runId, model: 'tiny', firstEpoch: 0, epochs: 1, trainImages: expect.any(Number), data: expect.stringContaining('demo') })]);
    expect(steps.length).toBeGreaterThan(0);
    expect(steps.every((e) => e.runId === runId && Number.isFinite(e.loss))).toBe(true);
    expect(epochs).toEqual([expect.objectContaining({ runId, checkpoint: expect.stringContaining(runDir) })]);
    expect(done.packagePath).toBe(path.join(services.workspace, `tiny-${runId}.rfpk`));
    expect(done.summary).toMatchObject({ model: 'tiny', epochs: 1, dtype: 'fp32', history: [expect.objectContaining({ epoch: 0 })] });
    expect(done.evaluation.classes).toHaveLength(10);
    expect(done.evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(done.evaluation.images);
    const pkg = decodePackage(new Uint8Array(await readFile(done.packagePath)));
    expect(pkg.graph.name).toBe('tiny');
    expect(done.summary.packageBytes).toBe(pkg.totalSize);
    expect((await services.listPackages()).map((p) => p.path)).toContain(done.packagePath);
    expect(await services.listRuns()).toEqual([expect.objectContaining({ runId, status: 'done', epochsDone: 1, packagePath: done.packagePath })]);
  });

  it('cancels a run, resumes it from its checkpoint under the same id, and names the package as asked', async () => {
    const fake = fakeRunner({ stopAfter: 1 });
    const s = await scratchServices({ runner: fake.runner });
    cleanup.push(s.remove);
    const { services } = s;
    const { runId } = await services.startTraining({ ...TINY, epochs: 3, packageName: 'mine.rfpk', dtype: 'fp16', augment: true });
    await nextEvent(services, 'training.epoch', (e) => e.runId === runId);
    await expect(services.resumeTraining(runId)).rejects.toMatchObject({ code: 'already-running' });
    await services.cancelTraining(runId);
    const failed = await nextEvent(services, 'training.failed', (e) => e.runId === runId);
    expect(failed.error).toMatchObject({ code: 'cancelled', hint: expect.stringContaining('resume') });
    expect(await services.listRuns()).toEqual([expect.objectContaining({ runId, status: 'cancelled', epochsDone: 1, epochs: 3, packagePath: null, cloud: null })]);
    await expect(services.cancelTraining(runId)).rejects.toMatchObject({ code: 'not-running' });

    const fake2 = fakeRunner();
    // The same workspace, as after a restart of the studio.
    const again = await scratchServices({ workspace: services.workspace, configDir: path.join(s.dir, 'config'), runner: fake2.runner });
    cleanup.push(again.remove);
    const starts = collect(again.services, 'training.start');
    await again.services.resumeTraining(runId);
    const done = await nextEvent(again.services, 'training.done', (e) => e.runId === runId);
    expect(starts[0]).toMatchObject({ runId, firstEpoch: 1, epochs: 3, cloud: null });
    expect(fake2.jobs[0]).toMatchObject({ resume: true, epochs: 3, augment: { cropPadding: 2, horizontalFlip: true }, optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 } });
    expect(done.packagePath).toBe(path.join(services.workspace, 'mine.rfpk'));
    expect(decodePackage(new Uint8Array(await readFile(done.packagePath))).weightDtype).toBe('fp16');
    await expect(again.services.resumeTraining(runId)).rejects.toMatchObject({ code: 'already-done' });
  });

  it('refuses bad requests at once with a path-precise spec error, and reports failures as events', async () => {
    const fake = fakeRunner({ fail: new Error('the worker fell over') });
    const s = await scratchServices({ runner: fake.runner });
    cleanup.push(s.remove);
    const { services } = s;
    const bad = await services.startTraining({ ...TINY, model: { kind: 'spec', text: '{\n  "format": "reframe-spec",\n  "version": 1,\n  "name": 7\n}' } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 'invalid-spec', issues: expect.arrayContaining([expect.objectContaining({ path: 'name', line: 4 })]) });
    await expect(services.startTraining({ ...TINY, model: { kind: 'preset', id: 'nope' } })).rejects.toMatchObject({ code: 'unknown-preset', hint: expect.stringContaining('tiny') });
    await expect(services.startTraining({ ...TINY, data: '/no/such/data' })).rejects.toMatchObject({ code: 'bad-dataset' });
    await expect(services.startTraining({ ...TINY, model: { kind: 'preset', id: 'resnet18-cifar' } })).rejects.toMatchObject({ code: 'data-mismatch' });
    await expect(services.startTraining({ ...TINY, epochs: 0 })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^epochs/) });
    await expect(services.resumeTraining('run-unknown')).rejects.toMatchObject({ code: 'not-found' });

    const { runId } = await services.startTraining(TINY);
    const failed = await nextEvent(services, 'training.failed', (e) => e.runId === runId);
    expect(failed.error).toMatchObject({ code: 'internal', message: 'the worker fell over' });
    expect(await services.listRuns()).toEqual([expect.objectContaining({ runId, status: 'failed', epochsDone: 0 })]);
    await expect(services.resumeTraining(runId)).rejects.toMatchObject({ code: 'no-checkpoint' });
  });
});
