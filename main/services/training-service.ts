import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { EvaluationData, RunSummary, StudioApi, TrainingEngineName, TrainingStarted, TrainRequest, TrainingSummary } from '../contract/studio-api.js';
import { CloudClient } from '../../cloud/client/cloud-client.js';
import { SERVICE_DATASET_PREFIX, serviceDataset } from '../../cloud/client/cloud-dataset.js';
import type { JobSubmission } from '../../cloud/jobs/job-types.js';
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
import { checkCloudAccess, type CloudAccessOptions } from './cloud-access.js';
import { CloudRun, CloudRunDetached, type CloudRunOptions } from './cloud-run.js';
import { CloudTargetStore, normalizeCloudUrl } from './cloud-targets.js';
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

export interface TrainingServiceOptions {
  readonly runner?: TrainingRunner;
  /** Remembered clouds: tokens for runs that name only a URL, and for following jobs after a restart. */
  readonly cloudTargets?: CloudTargetStore;
  readonly cloudAccess?: CloudAccessOptions;
  readonly cloudRun?: CloudRunOptions;
}

export interface TrainingService extends TrainingApi {
  /** Cancels every local run and stops following cloud jobs (they go on), and waits until all have stopped. */
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

/** The worker-thread runner, loaded on the first run: its module brings tfjs, which start-up can do without. */
const workerRunner: TrainingRunner = async (job, onEvent, signal) => (await import('../../core/node/train/run-training.js')).runTrainingInWorker(job, onEvent, signal);

/** What a finished run reports: the `training.done` event's summary and evaluation. */
interface RunOutcome {
  readonly summary: TrainingSummary;
  readonly evaluation: EvaluationData;
}

/** The training itself, local or on a cloud, reporting the trainer's events as they come. */
type RunWork = (onEvent: (e: TrainEvent) => void) => Promise<RunOutcome>;

/** The run as it is saved, updated by its work (a cloud run learns its job id). */
interface RunRef {
  record: RunRecord;
  /** Epochs finished so far, as the events tell it. */
  epochsDone: number;
}

interface ActiveRun {
  readonly ref: RunRef;
  /** What cancelTraining does: stop the worker, or cancel the job on the service. */
  readonly cancel: () => Promise<void>;
  /** What closing the studio does: stop the worker, or stop following a job that goes on. */
  readonly stop: () => void;
  readonly settled: Promise<void>;
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** The settings of a cloud job: the form's, with the defaults of a local run. */
function submissionOf(record: RunRecord): Omit<JobSubmission, 'dataset'> {
  const r = record.request;
  return {
    spec: record.spec,
    epochs: r.epochs,
    batchSize: r.batchSize,
    lr: r.lr,
    optimizer: { name: r.optimizer, momentum: r.momentum ?? DEFAULT_MOMENTUM, weightDecay: r.weightDecay ?? DEFAULT_WEIGHT_DECAY },
    schedule: r.schedule,
    augment: r.augment,
    seed: r.seed ?? DEFAULT_SEED,
    engine: r.engine,
    dtype: r.dtype ?? 'fp32',
  };
}

/** Local data, opened here: a wrong path or a model that does not fit the data is reported at once. */
async function openChecked(source: string, graph: LoadedSpec['graph']): Promise<{ description: string; classes: string[] }> {
  const data = await openData(source, graph.nodes[0] === undefined ? {} : { inputShape: graph.nodes[0].outputShape });
  const [c, h, w] = graph.nodes[0]?.outputShape ?? [];
  if (data.train.shape.join('×') !== [c, h, w].join('×')) {
    throw new ServiceError('data-mismatch', `${data.description}: images are ${data.train.shape.join('×')} but ${graph.name} takes ${[c, h, w].join('×')}`, 'choose data of the model\'s input size, or a model for this data');
  }
  return { description: data.description, classes: [...data.train.classes] };
}

/**
 * The data of a cloud run: a dataset the service offers is taken on trust (its classes are unknown
 * here); demo and local folders are opened here first, as for a local run, and a folder is uploaded.
 */
async function openForCloud(source: string, graph: LoadedSpec['graph'], url: string): Promise<{ description: string; classes: string[] }> {
  if (serviceDataset(source) !== undefined) return { description: `dataset "${source.slice(SERVICE_DATASET_PREFIX.length)}" on ${url}`, classes: [] };
  if (source !== 'demo' && (await stat(source).catch(() => undefined))?.isDirectory() === false) {
    throw new ServiceError('bad-dataset', `${source}: a cloud run needs the folder holding the data files, not a file (the whole folder is uploaded)`, 'give the folder the file is in');
  }
  return openChecked(source, graph);
}

/**
 * Training runs, each on this machine in a worker thread (a checkpoint per epoch in its run folder,
 * cancel and resume) or on a cloud training service (the data uploaded, the job followed over its event
 * stream, the package downloaded). Both report the same `training.*` events and end with a package in
 * the workspace.
 */
export function createTrainingService(ctx: StudioContext, o: TrainingServiceOptions = {}): TrainingService {
  const runner = o.runner ?? workerRunner;
  const store = new RunStore(path.join(ctx.workspace, '.reframe-studio', 'runs'));
  const targets = o.cloudTargets ?? new CloudTargetStore(path.join(ctx.configDir, 'cloud-targets.json'));
  const active = new Map<string, ActiveRun>();

  const finish = async (ref: RunRef, status: RunRecord['status'], error: RunRecord['error']): Promise<void> => {
    const cloud = ref.record.cloud === undefined ? {} : { cloud: { ...ref.record.cloud, epochsDone: ref.epochsDone } };
    await store.save({ ...ref.record, ...cloud, status, finished: new Date().toISOString(), error }).catch(() => undefined);
  };

  const run = async (ref: RunRef, work: RunWork): Promise<void> => {
    const { runId } = ref.record;
    const cloud = ref.record.cloud?.url ?? null;
    let lastStep = 0;
    const onEvent = (e: TrainEvent): void => {
      switch (e.type) {
        case 'start':
          ctx.events.emit('training.start', { runId, model: ref.record.model, data: ref.record.dataDescription, engine: e.engine, cloud, trainImages: e.trainImages, evalImages: e.evalImages, evalName: e.evalName, stepsPerEpoch: e.stepsPerEpoch, firstEpoch: e.firstEpoch, epochs: e.epochs });
          break;
        case 'step': {
          const now = performance.now();
          if (now - lastStep < STEP_EVENT_MS && e.step + 1 < e.stepsPerEpoch) return;
          lastStep = now;
          ctx.events.emit('training.step', { runId, epoch: e.epoch, step: e.step, stepsPerEpoch: e.stepsPerEpoch, loss: e.loss, accuracy: e.accuracy, imagesPerSecond: e.imagesPerSecond, etaSeconds: e.etaSeconds });
          break;
        }
        case 'epoch':
          ref.epochsDone = e.report.epoch + 1;
          // A service's checkpoint path means nothing on this machine.
          ctx.events.emit('training.epoch', { runId, report: { ...e.report }, checkpoint: cloud === null ? (e.checkpoint ?? null) : null });
          break;
      }
    };
    try {
      const { summary, evaluation } = await work(onEvent);
      ref.epochsDone = ref.record.request.epochs;
      await finish(ref, 'done', null);
      // Gone from the running runs before anyone hears it ended: a listener may resume or start at once.
      active.delete(runId);
      ctx.events.emit('training.done', { runId, packagePath: ref.record.packagePath, summary, evaluation });
    } catch (error) {
      active.delete(runId);
      // The studio closes while the job goes on: the record stays `running`, and the next start follows it.
      if (error instanceof CloudRunDetached) return;
      const data = describeStudioError(error);
      await finish(ref, data.code === 'cancelled' ? 'cancelled' : 'failed', data);
      ctx.events.emit('training.failed', { runId, error: data });
    }
  };

  const localWork =
    (record: RunRecord, resume: boolean, signal: AbortSignal): RunWork =>
    async (onEvent) => {
      const started = performance.now();
      const { graph } = graphOf(record);
      const result = await runner(jobOf(record, graph.nodes[0]?.outputShape[1] ?? 0, store.checkpointDir(record.runId), resume), onEvent, signal);
      const dtype = record.request.dtype ?? 'fp32';
      const bytes = encodePackage(withInputNormalize(graph, result.inputNormalize), result.values, { dtype });
      await writeFileAtomically(record.packagePath, bytes);
      const history = result.history.map((h) => ({ ...h }));
      const ev = result.evaluation;
      return {
        summary: { model: record.model, data: record.dataDescription, engine: result.engine, epochs: history.length, seconds: (performance.now() - started) / 1000, imagesPerSecond: mean(history.map((h) => h.imagesPerSecond)), packageBytes: bytes.length, dtype, history },
        evaluation: { images: ev.images, loss: ev.loss, accuracy: ev.accuracy, confusion: ev.confusion, classes: record.classes },
      };
    };

  const cloudWork =
    (ref: RunRef, job: CloudRun): RunWork =>
    async (onEvent) => {
      if (job.jobId === undefined) {
        const jobId = await job.submit(ref.record.request.data, submissionOf(ref.record));
        ref.record = { ...ref.record, cloud: { url: job.url, jobId, epochsDone: 0 } };
        await store.save(ref.record);
      }
      const { outcome, bytes, history } = await job.follow(onEvent);
      const record = ref.record;
      await writeFileAtomically(record.packagePath, bytes);
      const epochs = history.map((h) => ({ ...h }));
      // Class names come from the data when it was opened here; a service's own dataset has only numbers.
      const classes = record.classes.length === outcome.confusion.length ? record.classes : outcome.confusion.map((_, i) => `class ${i}`);
      return {
        summary: {
          model: record.model,
          data: record.dataDescription,
          engine: outcome.engine as TrainingEngineName,
          epochs: epochs.length > 0 ? epochs.length : outcome.epochs,
          seconds: outcome.seconds,
          imagesPerSecond: mean(epochs.map((h) => h.imagesPerSecond)),
          packageBytes: bytes.length,
          dtype: record.request.dtype ?? 'fp32',
          history: epochs,
        },
        evaluation: { images: outcome.evalImages, loss: outcome.loss, accuracy: outcome.accuracy, confusion: outcome.confusion, classes },
      };
    };

  const launchLocal = (record: RunRecord, resume: boolean): void => {
    const abort = new AbortController();
    const ref: RunRef = { record, epochsDone: 0 };
    const stop = (): void => abort.abort();
    active.set(record.runId, { ref, stop, cancel: async () => stop(), settled: run(ref, localWork(record, resume, abort.signal)) });
  };

  const launchCloud = (record: RunRecord, url: string, token: string): void => {
    const job = new CloudRun(new CloudClient({ url, token }), url, record.cloud?.jobId ?? undefined, o.cloudRun);
    const ref: RunRef = { record, epochsDone: record.cloud?.epochsDone ?? 0 };
    active.set(record.runId, { ref, stop: () => job.detach(), cancel: () => job.cancel(), settled: run(ref, cloudWork(ref, job)) });
  };

  // Cloud jobs a closed studio left running go on on their services: follow them again, with the
  // tokens remembered for their URLs, so their packages land in the workspace.
  const reattached = (async () => {
    for (const r of await store.list()) {
      if (r.status !== 'running' || r.cloud === undefined || r.cloud.jobId === null || active.has(r.runId)) continue;
      const token = await targets.tokenFor(r.cloud.url).catch(() => undefined);
      if (token !== undefined) launchCloud(r, r.cloud.url, token);
    }
  })().catch(() => undefined);

  const summaryOf = async (r: RunRecord): Promise<RunSummary> => {
    const a = active.get(r.runId);
    const status = r.status === 'running' && a === undefined ? 'interrupted' : r.status;
    const epochsDone =
      status === 'done' ? r.request.epochs
      : r.cloud !== undefined ? (a?.ref.epochsDone ?? r.cloud.epochsDone)
      : await readCheckpointMeta(store.checkpointDir(r.runId)).then((m) => m.epoch, () => 0);
    const cloud = a?.ref.record.cloud ?? r.cloud;
    return {
      runId: r.runId,
      model: r.model,
      data: r.dataDescription,
      status,
      epochs: r.request.epochs,
      epochsDone,
      started: r.started,
      packagePath: status === 'done' ? r.packagePath : null,
      cloud: cloud === undefined ? null : { url: cloud.url, jobId: cloud.jobId },
    };
  };

  const newRecord = (request: TrainRequest, loaded: LoadedSpec, data: { description: string; classes: string[] }): RunRecord => {
    const runId = newId('run');
    return {
      runId,
      request,
      spec: loaded.doc,
      model: loaded.graph.name,
      dataDescription: data.description,
      classes: data.classes,
      packagePath: path.join(ctx.workspace, request.packageName ?? `${loaded.graph.name}-${runId}.rfpk`),
      started: new Date().toISOString(),
      status: 'running',
      finished: null,
      error: null,
    };
  };

  return {
    async startTraining(given): Promise<TrainingStarted> {
      const request = checkTrainRequest(given);
      const loaded = resolveModel(request.model);
      const target = request.target ?? { kind: 'local' };
      if (target.kind === 'local') {
        // Opened here as well as in the worker: problems reach the caller at once, not as an event later.
        const record = newRecord(request, loaded, await openChecked(request.data, loaded.graph));
        await store.save(record);
        launchLocal(record, false);
        return { runId: record.runId, runDir: store.runDir(record.runId) };
      }
      const url = normalizeCloudUrl(target.url);
      const token = target.token ?? (await targets.tokenFor(url));
      if (token === undefined) throw new ServiceError('cloud-token-missing', `the studio keeps no token for the cloud at ${url}`, 'add the cloud with its token (Save checks both), then start again');
      const data = await openForCloud(request.data, loaded.graph, url);
      // A wrong URL or token is said now, not as a failed run after the upload.
      await checkCloudAccess(url, token, o.cloudAccess);
      // The token stays out of the run's record: the workspace is no place for secrets.
      const record: RunRecord = { ...newRecord({ ...request, target: { kind: 'cloud', url } }, loaded, data), cloud: { url, jobId: null, epochsDone: 0 } };
      await store.save(record);
      launchCloud(record, url, token);
      return { runId: record.runId, runDir: store.runDir(record.runId) };
    },

    async cancelTraining(given) {
      const runId = checkId(given);
      const a = active.get(runId);
      if (a === undefined) throw new ServiceError('not-running', `run ${runId} is not running`, 'refresh the list of runs');
      await a.cancel();
    },

    async resumeTraining(given): Promise<TrainingStarted> {
      const runId = checkId(given);
      if (active.has(runId)) throw new ServiceError('already-running', `run ${runId} is running already`, 'wait for it to finish, or cancel it first');
      const record = await store.load(runId);
      if (record === undefined) throw new ServiceError('not-found', `there is no run ${runId} in this workspace`, 'refresh the list of runs');
      if (record.status === 'done') throw new ServiceError('already-done', `run ${runId} has finished; its package is ${record.packagePath}`, 'start a new run to train further');
      if (record.cloud !== undefined) {
        throw new ServiceError('cloud-run', `run ${runId} trained on the cloud service at ${record.cloud.url}, which retries a stopped job by itself: the studio resumes only runs on this machine`, 'start a new run to train again');
      }
      const meta = await readCheckpointMeta(store.checkpointDir(runId)).catch(() => undefined);
      if (meta === undefined) throw new ServiceError('no-checkpoint', `run ${runId} stopped before its first epoch ended, so it has no checkpoint`, 'start the run again');
      const resumed: RunRecord = { ...record, status: 'running', finished: null, error: null };
      await store.save(resumed);
      launchLocal(resumed, true);
      return { runId, runDir: store.runDir(runId) };
    },

    async listRuns() {
      await reattached;
      return Promise.all((await store.list()).map(summaryOf));
    },

    async dispose() {
      await reattached;
      const runs = [...active.values()];
      for (const r of runs) r.stop();
      await Promise.all(runs.map((r) => r.settled));
    },
  };
}
