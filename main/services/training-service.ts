import path from 'node:path';
import type { EvaluationData, RunSummary, StudioApi, TrainingStarted, TrainRequest, TrainingSummary } from '../contract/studio-api.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { openData } from '../../core/node/data/open-data.js';
import { readCheckpointMeta } from '../../core/node/train/checkpoint.js';
import type { runTrainingInWorker } from '../../core/node/train/run-training.js';
import type { TrainingJob } from '../../core/node/train/training-job.js';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import { withInputNormalize } from '../../core/graph/input-normalize.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { checkSpecText, checkSpecValue, type LoadedSpec } from '../../core/spec/load-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { findPreset, PRESETS } from '../../core/zoo/presets.js';
import { checkId, checkTrainRequest } from './request-checks.js';
import { RunStore, type RunRecord } from './run-store.js';
import { describeStudioError, ServiceError } from './service-error.js';
import { newId, type StudioContext } from './studio-context.js';

/** The paper's optimizer settings (DESIGN.md §1) when the UI leaves them out. */
const DEFAULT_MOMENTUM = 0.9;
const DEFAULT_WEIGHT_DECAY = 5e-4;
const DEFAULT_SEED = '0x5eed';
/** Step events at most this often: a fast engine makes hundreds a second, a chart needs far fewer. */
const STEP_EVENT_MS = 50;

export type TrainingRunner = typeof runTrainingInWorker;

type TrainingApi = Pick<StudioApi, 'startTraining' | 'cancelTraining' | 'resumeTraining' | 'listRuns'>;

export interface TrainingService extends TrainingApi {
  /** Cancels every run and waits until their workers have stopped. */
  dispose(): Promise<void>;
}

function resolveModel(model: TrainRequest['model']): LoadedSpec {
  if (model.kind === 'preset') {
    const preset = findPreset(model.id);
    if (preset === undefined) throw new ServiceError('unknown-preset', `there is no preset "${model.id}"`, `choose one of ${PRESETS.map((p) => p.id).join(', ')}`);
    const checked = checkSpecValue(preset.build());
    if (!checked.ok) throw new SpecError(checked.issues);
    return checked;
  }
  const checked = checkSpecText(model.text);
  if (!checked.ok) throw new SpecError(checked.issues);
  return checked;
}

function jobOf(record: RunRecord, inputHeight: number, checkpointDir: string, resume: boolean): TrainingJob {
  const r = record.request;
  return {
    spec: record.spec,
    data: r.data,
    epochs: r.epochs,
    batchSize: r.batchSize,
    lr: r.lr,
    optimizer: { name: r.optimizer, momentum: r.momentum ?? DEFAULT_MOMENTUM, weightDecay: r.weightDecay ?? DEFAULT_WEIGHT_DECAY },
    schedule: { name: r.schedule },
    // The standard recipes, as `reframe train --augment`: CIFAR pads 4 around 32 px, smaller images 2.
    ...(r.augment ? { augment: { cropPadding: inputHeight >= 32 ? 4 : 2, horizontalFlip: true } } : {}),
    validationFraction: 0.1,
    seed: r.seed ?? DEFAULT_SEED,
    engine: r.engine,
    checkpointDir,
    resume,
  };
}

function graphOf(record: RunRecord): LoadedSpec {
  const checked = checkSpecValue(record.spec);
  if (!checked.ok) throw new SpecError(checked.issues);
  return checked;
}

/**
 * Training runs: each in a worker thread (core/node/train), its progress as `training.*` events, a
 * checkpoint per epoch in its run folder, and the result written into the workspace as a package.
 */
/** The worker-thread runner, loaded on the first run: its module brings tfjs, which start-up can do without. */
const workerRunner: TrainingRunner = async (job, onEvent, signal) => (await import('../../core/node/train/run-training.js')).runTrainingInWorker(job, onEvent, signal);

export function createTrainingService(ctx: StudioContext, o: { readonly runner?: TrainingRunner } = {}): TrainingService {
  const runner = o.runner ?? workerRunner;
  const store = new RunStore(path.join(ctx.workspace, '.reframe-studio', 'runs'));
  const active = new Map<string, { readonly abort: AbortController; readonly settled: Promise<void> }>();

  const finish = async (record: RunRecord, status: RunRecord['status'], error: RunRecord['error']): Promise<void> => {
    await store.save({ ...record, status, finished: new Date().toISOString(), error }).catch(() => undefined);
  };

  const run = async (record: RunRecord, resume: boolean, abort: AbortController): Promise<void> => {
    const { runId } = record;
    const started = performance.now();
    let lastStep = 0;
    const onEvent = (e: TrainEvent): void => {
      switch (e.type) {
        case 'start':
          ctx.events.emit('training.start', { runId, model: record.model, data: record.dataDescription, engine: e.engine, trainImages: e.trainImages, evalImages: e.evalImages, evalName: e.evalName, stepsPerEpoch: e.stepsPerEpoch, firstEpoch: e.firstEpoch, epochs: e.epochs });
          break;
        case 'step': {
          const now = performance.now();
          if (now - lastStep < STEP_EVENT_MS && e.step + 1 < e.stepsPerEpoch) return;
          lastStep = now;
          ctx.events.emit('training.step', { runId, epoch: e.epoch, step: e.step, stepsPerEpoch: e.stepsPerEpoch, loss: e.loss, accuracy: e.accuracy, imagesPerSecond: e.imagesPerSecond, etaSeconds: e.etaSeconds });
          break;
        }
        case 'epoch':
          ctx.events.emit('training.epoch', { runId, report: { ...e.report }, checkpoint: e.checkpoint ?? null });
          break;
      }
    };
    try {
      const { graph } = graphOf(record);
      const result = await runner(jobOf(record, graph.nodes[0]?.outputShape[1] ?? 0, store.checkpointDir(runId), resume), onEvent, abort.signal);
      const dtype = record.request.dtype ?? 'fp32';
      const bytes = encodePackage(withInputNormalize(graph, result.inputNormalize), result.values, { dtype });
      await writeFileAtomically(record.packagePath, bytes);
      const history = result.history.map((h) => ({ ...h }));
      const summary: TrainingSummary = {
        model: record.model,
        data: record.dataDescription,
        engine: result.engine,
        epochs: history.length,
        seconds: (performance.now() - started) / 1000,
        imagesPerSecond: history.length === 0 ? 0 : history.reduce((s, h) => s + h.imagesPerSecond, 0) / history.length,
        packageBytes: bytes.length,
        dtype,
        history,
      };
      const ev = result.evaluation;
      const evaluation: EvaluationData = { images: ev.images, loss: ev.loss, accuracy: ev.accuracy, confusion: ev.confusion, classes: record.classes };
      await finish(record, 'done', null);
      // Gone from the running runs before anyone hears it ended: a listener may resume or start at once.
      active.delete(runId);
      ctx.events.emit('training.done', { runId, packagePath: record.packagePath, summary, evaluation });
    } catch (error) {
      const data = describeStudioError(error);
      await finish(record, data.code === 'cancelled' ? 'cancelled' : 'failed', data);
      active.delete(runId);
      ctx.events.emit('training.failed', { runId, error: data });
    }
  };

  const launch = (record: RunRecord, resume: boolean): void => {
    const abort = new AbortController();
    active.set(record.runId, { abort, settled: run(record, resume, abort) });
  };

  const summaryOf = async (r: RunRecord): Promise<RunSummary> => {
    const status = r.status === 'running' && !active.has(r.runId) ? 'interrupted' : r.status;
    const epochsDone = status === 'done' ? r.request.epochs : await readCheckpointMeta(store.checkpointDir(r.runId)).then((m) => m.epoch, () => 0);
    return { runId: r.runId, model: r.model, data: r.dataDescription, status, epochs: r.request.epochs, epochsDone, started: r.started, packagePath: status === 'done' ? r.packagePath : null };
  };

  return {
    async startTraining(given): Promise<TrainingStarted> {
      const request = checkTrainRequest(given);
      const { doc, graph } = resolveModel(request.model);
      // Opened here as well as in the worker: a wrong path or a model that does not fit the data is
      // reported to the caller at once, not as an event a moment later.
      const data = await openData(request.data, graph.nodes[0] === undefined ? {} : { inputShape: graph.nodes[0].outputShape });
      const [c, h, w] = graph.nodes[0]?.outputShape ?? [];
      if (data.train.shape.join('×') !== [c, h, w].join('×')) {
        throw new ServiceError('data-mismatch', `${data.description}: images are ${data.train.shape.join('×')} but ${graph.name} takes ${[c, h, w].join('×')}`, 'choose data of the model\'s input size, or a model for this data');
      }
      const runId = newId('run');
      const record: RunRecord = {
        runId,
        request,
        spec: doc,
        model: graph.name,
        dataDescription: data.description,
        classes: [...data.train.classes],
        packagePath: path.join(ctx.workspace, request.packageName ?? `${graph.name}-${runId}.rfpk`),
        started: new Date().toISOString(),
        status: 'running',
        finished: null,
        error: null,
      };
      await store.save(record);
      launch(record, false);
      return { runId, runDir: store.runDir(runId) };
    },

    async cancelTraining(given) {
      const runId = checkId(given);
      const a = active.get(runId);
      if (a === undefined) throw new ServiceError('not-running', `run ${runId} is not running`, 'refresh the list of runs');
      a.abort.abort();
    },

    async resumeTraining(given): Promise<TrainingStarted> {
      const runId = checkId(given);
      if (active.has(runId)) throw new ServiceError('already-running', `run ${runId} is running already`, 'wait for it to finish, or cancel it first');
      const record = await store.load(runId);
      if (record === undefined) throw new ServiceError('not-found', `there is no run ${runId} in this workspace`, 'refresh the list of runs');
      if (record.status === 'done') throw new ServiceError('already-done', `run ${runId} has finished; its package is ${record.packagePath}`, 'start a new run to train further');
      const meta = await readCheckpointMeta(store.checkpointDir(runId)).catch(() => undefined);
      if (meta === undefined) throw new ServiceError('no-checkpoint', `run ${runId} stopped before its first epoch ended, so it has no checkpoint`, 'start the run again');
      const resumed: RunRecord = { ...record, status: 'running', finished: null, error: null };
      await store.save(resumed);
      launch(resumed, true);
      return { runId, runDir: store.runDir(runId) };
    },

    async listRuns() {
      return Promise.all((await store.list()).map(summaryOf));
    },

    async dispose() {
      const runs = [...active.values()];
      for (const r of runs) r.abort.abort();
      await Promise.all(runs.map((r) => r.settled));
    },
  };
}
