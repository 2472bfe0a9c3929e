import { hostname } from 'node:os';
import { UnrecoverableError, WaitingError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DatasetError } from '../../core/data/image-dataset.js';
import { EngineError } from '../../core/node/engine/tf-engine.js';
import { WeightsFileError } from '../../core/node/safetensors.js';
import { CheckpointError } from '../../core/node/train/checkpoint.js';
import { TrainingWorkerError } from '../../core/node/train/run-training.js';
import { TrainingCancelled, type TrainEvent } from '../../core/node/train/trainer.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { DatasetRefError } from '../jobs/dataset-resolver.js';
import type { DatasetRef, JobOutcome } from '../jobs/job-types.js';
import { runJob } from '../jobs/run-job.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { CANCELLED_BEFORE_START, DEFAULT_PREFIX, QUEUE_NAME, cancelChannel, cancelKey, checkPrefix, connectRedis, type QueueJobData, type QueueProgress } from './bullmq-protocol.js';
import { EventReporter } from './event-reporter.js';

export interface BullmqWorkerOptions {
  readonly redisUrl: string;
  /** The store the service reads packages from: a shared directory or an object store. */
  readonly artifacts: ArtifactStore;
  readonly resolveDataset: (owner: string, ref: DatasetRef) => Promise<string>;
  /** Must match the service's (default `reframe`). */
  readonly prefix?: string;
  /** Jobs trained at once by this process (default 1; each trains in its own thread). */
  readonly concurrency?: number;
  /**
   * How long a job's lock lasts without renewal (default 30 s; renewed at half of it). A worker that
   * dies holds its jobs this long before the stalled check hands them to another worker.
   */
  readonly lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (default 30 s). */
  readonly stalledIntervalMs?: number;
  /** Least time between two step events sent for one job (default 250 ms). */
  readonly stepEventMs?: number;
  /** Shown in each job's log and in BullMQ's processedBy (default host:pid). */
  readonly name?: string;
  readonly log?: (line: string) => void;
}

/** Why a run's signal was aborted. */
const CANCEL = 'cancel';
const SHUTDOWN = 'shutdown';
const LOCK_LOST = 'lock-lost';

/** Failures that would fail again on any worker: not retried. */
const PERMANENT = [SpecError, DatasetError, DatasetRefError, EngineError, CheckpointError, WeightsFileError, TrainingWorkerError];

/**
 * A `reframe cloud worker`: takes training jobs from the BullMQ queue, runs each with runJob (a
 * training thread, the package written to the shared artifact store) and returns its outcome.
 * Progress goes back as the job's progress (BullMQ's event stream, which the service mirrors).
 * A cancel message or key stops a run within one step and ends it as cancelled, never retried; a
 * graceful stop hands running jobs back to the queue; a killed worker's jobs are found by another
 * worker's stalled check once their lock expires, up to the job's attempt bound.
 */
export class BullmqTrainingWorker {
  readonly name: string;
  private readonly prefix: string;
  private readonly log: (line: string) => void;
  private worker: Worker<QueueJobData, JobOutcome> | undefined;
  /** Commands, the cancel subscription, and BullMQ's (blocking) connection: all ours to close. */
  private connections: Redis[] = [];
  private redis: Redis | undefined;
  /** When each running job was asked to stop, and the steps it made since, for its log. */
  private readonly cancelAsked = new Map<string, { at: number; steps: number }>();

  constructor(private readonly o: BullmqWorkerOptions) {
    this.prefix = checkPrefix(o.prefix ?? DEFAULT_PREFIX);
    this.name = o.name ?? `${hostname()}:${process.pid}`;
    this.log = o.log ?? (() => undefined);
    const concurrency = o.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${concurrency}`);
  }

  async start(): Promise<void> {
    const redis = await connectRedis(this.o.redisUrl, 'worker');
    this.redis = redis;
    const subscriber = redis.duplicate();
    const blocking = redis.duplicate();
    this.connections = [redis, subscriber, blocking];
    // The first connection reports its trouble through BullMQ; these two would otherwise print every retry.
    subscriber.on('error', (e: Error) => this.log(`redis (cancel channel): ${e.message}`));
    blocking.on('error', () => undefined);
    await subscriber.subscribe(cancelChannel(this.prefix));
    subscriber.on('message', (_channel: string, id: string) => {
      if (this.worker?.cancelJob(id, CANCEL) === true) {
        this.cancelAsked.set(id, { at: performance.now(), steps: 0 });
        this.log(`job ${id}: cancel requested`);
      }
    });
    const lockDuration = this.o.lockDurationMs ?? 30_000;
    const worker = new Worker<QueueJobData, JobOutcome>(QUEUE_NAME, (job, token, signal) => this.process(job, token, signal), {
      connection: blocking,
      prefix: this.prefix,
      name: this.name,
      concurrency: this.o.concurrency ?? 1,
      lockDuration,
      stalledInterval: this.o.stalledIntervalMs ?? 30_000,
      // The bound is the job's own (maxAttempts in its data, checked when a run starts), so
      // BullMQ's per-worker stall limit must never come first.
      maxStalledCount: 1_000_000,
      autorun: false,
    });
    this.worker = worker;
    worker.on('error', (e: Error) => this.log(`redis: ${e.message}`));
    // Another worker may already run a job whose lock this one lost: stop ours.
    worker.on('lockRenewalFailed', (ids: string[]) => {
      for (const id of ids) if (worker.cancelJob(id, LOCK_LOST)) this.log(`job ${id}: lost its lock, stopping this run`);
    });
    void worker.run().catch((e: unknown) => this.log(`worker loop: ${(e as Error).message}`));
    await worker.waitUntilReady();
  }

  /** Stops taking jobs, hands running ones back to the queue (stopped within a step) and disconnects. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) {
      worker.cancelAllJobs(SHUTDOWN);
      await worker.close();
    }
    // BullMQ leaves connections it was given open.
    for (const c of this.connections) c.disconnect();
    this.connections = [];
    this.redis = undefined;
  }

  private async process(job: Job<QueueJobData, JobOutcome>, token: string | undefined, signal: AbortSignal | undefined): Promise<JobOutcome> {
    try {
      return await this.run(job, token, signal);
    } finally {
      this.cancelAsked.delete(job.data.id);
    }
  }

  private async run(job: Job<QueueJobData, JobOutcome>, token: string | undefined, signal: AbortSignal | undefined): Promise<JobOutcome> {
    const d = job.data;
    const attempt = job.attemptsStarted;
    if (attempt > d.maxAttempts) throw new UnrecoverableError(`gave up: started ${attempt - 1} times without a result (workers stopped, stalled or crashed)`);
    if ((await this.redis?.exists(cancelKey(this.prefix, d.id))) === 1) throw new UnrecoverableError(CANCELLED_BEFORE_START);
    const reporter = new EventReporter(
      (event) => job.updateProgress({ attempt, event } satisfies QueueProgress),
      this.o.stepEventMs ?? 250,
      (e) => this.log(`job ${d.id}: a progress report was lost (${e.message})`),
    );
    reporter.log(`worker ${this.name} took it up (attempt ${attempt} of ${d.maxAttempts})`);
    this.log(`job ${d.id}: attempt ${attempt} of ${d.maxAttempts} started`);
    let lastStep: { epoch: number; step: number } | undefined;
    const onEvent = (e: TrainEvent) => {
      if (e.type === 'step') {
        lastStep = { epoch: e.epoch, step: e.step };
        const asked = this.cancelAsked.get(d.id);
        if (asked !== undefined) asked.steps++;
      }
      reporter.train(e);
    };
    try {
      const outcome = await runJob(d.id, d.owner, d.submission, { artifacts: this.o.artifacts, resolveDataset: this.o.resolveDataset, onEvent, ...(signal === undefined ? {} : { signal }) });
      await reporter.flush();
      this.log(`job ${d.id}: succeeded in ${outcome.seconds.toFixed(1)} s (${(outcome.accuracy * 100).toFixed(2)}% on ${outcome.evalImages} images)`);
      return outcome;
    } catch (e) {
      const reason: unknown = signal?.reason;
      if (e instanceof TrainingCancelled && reason === SHUTDOWN && token !== undefined) {
        reporter.log(`worker ${this.name} is stopping: handed back to the queue`);
        await reporter.flush();
        await job.moveToWait(token);
        this.log(`job ${d.id}: handed back to the queue`);
        throw new WaitingError();
      }
      if (e instanceof TrainingCancelled && reason === CANCEL) {
        const asked = this.cancelAsked.get(d.id);
        const where = lastStep === undefined ? 'cancelled before the first step' : `cancelled after step ${lastStep.step} of epoch ${lastStep.epoch + 1}`;
        const after = asked === undefined ? '' : `: stopped ${asked.steps} step(s) and ${Math.round(performance.now() - asked.at)} ms after the request`;
        reporter.log(`${where}${after}`);
        await reporter.flush();
        this.log(`job ${d.id}: ${where}${after}`);
        throw new UnrecoverableError(where);
      }
      if (e instanceof TrainingCancelled && reason === LOCK_LOST) {
        await reporter.flush();
        throw new Error('this run lost its lock (another worker took the job over)', { cause: e });
      }
      const message = (e as Error).message;
      if (PERMANENT.some((kind) => e instanceof kind)) {
        await reporter.flush();
        this.log(`job ${d.id}: failed: ${message}`);
        throw new UnrecoverableError(message);
      }
      // Perhaps this machine's trouble (a training thread that died, a full disk): another run may do.
      reporter.log(`attempt ${attempt} failed on worker ${this.name}: ${message}`);
      await reporter.flush();
      this.log(`job ${d.id}: attempt ${attempt} failed: ${message}`);
      throw e;
    }
  }
}

/** Starts a worker; it runs until close(). Fails clearly when Redis does not answer. */
export async function startBullmqWorker(o: BullmqWorkerOptions): Promise<BullmqTrainingWorker> {
  const worker = new BullmqTrainingWorker(o);
  await worker.start();
  return worker;
}
