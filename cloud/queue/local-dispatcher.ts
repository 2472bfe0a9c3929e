import { TrainingCancelled } from '../../core/node/train/trainer.js';
import { ProgressRecorder } from '../jobs/progress-recorder.js';
import { runJob as defaultRunJob, type JobRunContext } from '../jobs/run-job.js';
import type { JobOutcome, JobRecord, JobSubmission } from '../jobs/job-types.js';
import type { DispatcherContext, DispatcherFactory, JobDispatcher } from './job-dispatcher.js';

export interface LocalDispatcherOptions {
  /** Jobs trained at once in this process (each in its own worker thread). */
  readonly concurrency?: number;
  /** Runs a job may start (a crash or restart in the middle costs one) before it is failed. */
  readonly maxAttempts?: number;
  /** Least time between stored step events of one job. */
  readonly minStepIntervalMs?: number;
  /** The job runner; tests swap in a fake. */
  readonly runJob?: (id: string, owner: string, s: JobSubmission, ctx: JobRunContext) => Promise<JobOutcome>;
}

export const DEFAULT_MAX_ATTEMPTS = 3;

interface Running {
  readonly abort: AbortController;
  readonly done: Promise<void>;
  readonly recorder: ProgressRecorder;
  /** Set by cancel(), not by close(): a cancelled job ends as cancelled, a closed one is retried. */
  cancelRequested: boolean;
}

const describeStep = (s: { epoch: number; step: number } | undefined) => (s === undefined ? 'before the first step' : `after step ${s.step} of epoch ${s.epoch + 1}`);

/**
 * The default mode's queue: workers inside the service's process take the oldest queued job from the
 * SQLite store, train it in a worker thread and record how it ended. Nothing is held only in memory:
 * a job is running in the store before training starts, so after a crash `start()` finds it and queues
 * it again (up to maxAttempts runs in all).
 */
export class LocalDispatcher implements JobDispatcher {
  private readonly running = new Map<string, Running>();
  private started = false;
  private closing = false;
  private readonly concurrency: number;
  private readonly maxAttempts: number;

  constructor(
    private readonly ctx: DispatcherContext,
    private readonly o: LocalDispatcherOptions = {},
  ) {
    this.concurrency = o.concurrency ?? 1;
    this.maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.concurrency) || this.concurrency < 1) throw new RangeError(`concurrency must be a whole number ≥ 1, got ${this.concurrency}`);
  }

  async start(): Promise<void> {
    if (this.started) return;
    // Jobs a stopped service left running: nothing is training them now.
    for (const job of this.ctx.store.running()) {
      const state = this.ctx.store.requeue(job.id, this.maxAttempts, 'the service stopped while it ran');
      this.ctx.log(state === 'queued' ? `job ${job.id}: interrupted by a restart, queued again` : `job ${job.id}: interrupted ${job.attempts} time(s), failed`);
    }
    this.started = true;
    this.fill();
  }

  async submit(_job: JobRecord): Promise<void> {
    this.fill();
  }

  async cancel(id: string): Promise<void> {
    const run = this.running.get(id);
    if (run !== undefined) {
      if (!run.cancelRequested) {
        run.cancelRequested = true;
        this.ctx.store.appendEvent(id, { type: 'log', message: `cancel requested ${describeStep(run.recorder.lastStep)}` });
        run.abort.abort();
      }
      return;
    }
    // Not running here: if it still waits, it never starts (a no-op for a job that already ended).
    this.ctx.store.finish(id, 'cancelled', { error: 'cancelled before it started' });
  }

  async close(): Promise<void> {
    this.closing = true;
    const runs = [...this.running.values()];
    for (const r of runs) r.abort.abort();
    await Promise.all(runs.map((r) => r.done));
  }

  /** Starts queued jobs while a worker slot is free. Synchronous from claim to registration, so a cancel never slips between. */
  private fill(): void {
    while (this.started && !this.closing && this.running.size < this.concurrency) {
      const job = this.ctx.store.claimNext();
      if (job === undefined) return;
      const abort = new AbortController();
      const recorder = new ProgressRecorder(this.ctx.store, job.id, this.o.minStepIntervalMs === undefined ? {} : { minStepIntervalMs: this.o.minStepIntervalMs });
      const entry: { -readonly [K in keyof Running]: Running[K] } = { abort, recorder, cancelRequested: false, done: Promise.resolve() };
      this.running.set(job.id, entry);
      entry.done = this.run(job, entry)
        .catch((e: unknown) => this.ctx.log(`job ${job.id}: its end could not be recorded: ${(e as Error).message}`))
        .finally(() => {
          this.running.delete(job.id);
          this.fill();
        });
    }
  }

  private async run(job: JobRecord, r: Running): Promise<void> {
    const { store, log } = this.ctx;
    log(`job ${job.id}: attempt ${job.attempts} started`);
    try {
      const outcome = await (this.o.runJob ?? defaultRunJob)(job.id, job.owner, job.submission, {
        artifacts: this.ctx.artifacts,
        resolveDataset: this.ctx.resolveDataset,
        onEvent: (e) => {
          // Called from the worker thread's message handler: a throw here would crash the service.
          try {
            r.recorder.record(e);
          } catch (error) {
            log(`job ${job.id}: progress not recorded: ${(error as Error).message}`);
          }
        },
        signal: r.abort.signal,
      });
      store.finish(job.id, 'succeeded', { outcome });
      log(`job ${job.id}: succeeded in ${outcome.seconds.toFixed(1)} s`);
    } catch (e) {
      if (r.cancelRequested) {
        store.finish(job.id, 'cancelled', { error: `cancelled ${describeStep(r.recorder.lastStep)}` });
        log(`job ${job.id}: cancelled`);
      } else if (this.closing && e instanceof TrainingCancelled) {
        // Not the job's fault: back in the queue for the next start, with no bound to fail it now.
        store.requeue(job.id, Number.POSITIVE_INFINITY, 'the service was stopped');
        log(`job ${job.id}: stopped by shutdown, will run again at the next start`);
      } else {
        const message = (e as Error).message ?? String(e);
        store.finish(job.id, 'failed', { error: message });
        log(`job ${job.id}: failed: ${message}`);
      }
    }
  }
}

/** The default dispatcher for the service: `startCloudService({ dispatcher: localDispatcher({ concurrency: 2 }) })`. */
export function localDispatcher(o: LocalDispatcherOptions = {}): DispatcherFactory {
  return (ctx) => new LocalDispatcher(ctx, o);
}
