import { randomUUID } from 'node:crypto';
import { Queue, QueueEvents, type QueueEventsListener } from 'bullmq';
import type { Redis } from 'ioredis';
import { TERMINAL_STATES, type JobOutcome, type JobRecord } from '../jobs/job-types.js';
import type { JobStore } from '../store/job-store.js';
import type { DispatcherContext, DispatcherFactory, JobDispatcher } from './job-dispatcher.js';
import {
  CANCEL_KEY_SECONDS,
  CANCELLED_BEFORE_START,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_PREFIX,
  QUEUE_NAME,
  cancelChannel,
  cancelKey,
  isCancelledReason,
  checkJobId,
  checkPrefix,
  connectRedis,
  isQueueProgress,
  mirrorCursorKey,
  type QueueJobData,
} from './bullmq-protocol.js';

export interface BullmqDispatcherOptions {
  /** redis:// or rediss:// URL of the Redis every worker uses too. */
  readonly redisUrl: string;
  /** Key prefix in Redis (default `reframe`): services and workers on one Redis must share it. */
  readonly prefix?: string;
  /** Starts a job may take (crashed, stalled or failed runs included) before it fails (default 3). */
  readonly maxAttempts?: number;
}

const SYNC_EVENT = 'reframe-sync';
interface SyncListener extends QueueEventsListener {
  [SYNC_EVENT]: (args: { token: string }, id: string) => void;
}

/** Finished jobs stay in Redis for a while (their records and packages live elsewhere). */
const KEEP_FINISHED = { age: 3 * 24 * 3600, count: 5000 };

/**
 * The scale-out mode's dispatcher: jobs go to a BullMQ queue in Redis, taken by `reframe cloud worker`
 * processes on any machine. The job's BullMQ id is our id, so adding it again never duplicates it.
 * BullMQ's event stream is mirrored into the JobStore in order (a worker starting a job, its
 * progress and log lines, completion, failure, a stalled run handed to another worker), and the
 * stream position is kept in Redis, so a restarted service replays what it missed.
 */
export class BullmqDispatcher implements JobDispatcher {
  private readonly prefix: string;
  private readonly maxAttempts: number;
  private readonly log: (line: string) => void;
  private redis: Redis | undefined;
  /** The event stream's blocking reader: BullMQ leaves connections it was given open. */
  private reader: Redis | undefined;
  private queue: Queue<QueueJobData, JobOutcome> | undefined;
  private events: QueueEvents | undefined;
  /** Mirroring runs one event at a time, in stream order. */
  private mirrored: Promise<void> = Promise.resolve();

  constructor(
    private readonly ctx: Pick<DispatcherContext, 'store' | 'log'>,
    private readonly o: BullmqDispatcherOptions,
  ) {
    this.prefix = checkPrefix(o.prefix ?? DEFAULT_PREFIX);
    this.maxAttempts = o.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError(`maxAttempts must be a whole number ≥ 1, got ${this.maxAttempts}`);
    this.log = ctx.log;
  }

  private get store(): JobStore {
    return this.ctx.store;
  }

  async start(): Promise<void> {
    const redis = await connectRedis(this.o.redisUrl, 'service');
    this.redis = redis;
    const onError = (e: Error) => this.log(`redis: ${e.message}`);
    this.queue = new Queue<QueueJobData, JobOutcome>(QUEUE_NAME, { connection: redis, prefix: this.prefix });
    this.queue.on('error', onError);
    const cursor = (await redis.get(mirrorCursorKey(this.prefix))) ?? '0-0';
    // A blocking reader needs a connection of its own.
    const reader = redis.duplicate();
    this.reader = reader;
    reader.on('error', () => undefined); // told through the QueueEvents' error event
    const events = new QueueEvents(QUEUE_NAME, { connection: reader, prefix: this.prefix, lastEventId: cursor });
    this.events = events;
    events.on('error', onError);
    const mirror = (id: string, handle: () => Promise<void> | void) => {
      this.mirrored = this.mirrored
        .then(handle)
        .catch((e: unknown) => this.log(`mirroring event ${id}: ${(e as Error).message}`))
        .then(() => redis.set(mirrorCursorKey(this.prefix), id))
        .then(
          () => undefined,
          (e: unknown) => this.log(`saving the event-stream position: ${(e as Error).message}`),
        );
    };
    events.on('active', ({ jobId }, id) => mirror(id, () => this.started(jobId)));
    events.on('progress', ({ jobId, data }, id) => mirror(id, () => this.progressed(jobId, data)));
    events.on('completed', ({ jobId, returnvalue }, id) => mirror(id, () => this.ended(jobId, 'succeeded', { outcome: returnvalue as JobOutcome })));
    events.on('failed', ({ jobId, failedReason }, id) => mirror(id, () => this.ended(jobId, isCancelledReason(failedReason) ? 'cancelled' : 'failed', { error: failedReason })));
    events.on('waiting', ({ jobId, prev }, id) => {
      if (prev === 'active') mirror(id, () => this.backToQueue(jobId));
    });
    events.on('delayed', ({ jobId }, id) => mirror(id, () => this.backToQueue(jobId)));
    events.on('stalled', ({ jobId }, id) => mirror(id, () => this.note(jobId, 'the worker running it stopped renewing its lock (killed, hung or cut off): handed to another worker')));
    // Only cancel removes a waiting job; its own finish() and this mirror may land in either order, so
    // both say the same.
    events.on('removed', ({ jobId }, id) => mirror(id, () => this.ended(jobId, 'cancelled', { error: CANCELLED_BEFORE_START })));
    await Promise.all([this.queue.waitUntilReady(), events.waitUntilReady()]);
    await this.replayed(redis, events, this.queue.keys['events'] ?? '');
    await this.reconcile();
  }

  /**
   * Waits (up to 30 s) until the events the stream held at start are mirrored: a marker event added
   * now comes after all of them, and BullMQ's reader passes events it does not know on as they are.
   */
  private async replayed(redis: Redis, events: QueueEvents, stream: string): Promise<void> {
    const token = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const reached = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 30_000);
      events.on<SyncListener, typeof SYNC_EVENT>(SYNC_EVENT, (args) => {
        if (args.token === token) void this.mirrored.then(() => resolve(true));
      });
    });
    await redis.xadd(stream, '*', 'event', SYNC_EVENT, 'token', token);
    if (!(await reached)) this.log("replaying the queue's events took longer than 30 s; going on");
    clearTimeout(timer);
    events.removeAllListeners(SYNC_EVENT);
  }

  private get ready(): { redis: Redis; queue: Queue<QueueJobData, JobOutcome> } {
    if (this.redis === undefined || this.queue === undefined) throw new Error('the BullMQ dispatcher is not started');
    return { redis: this.redis, queue: this.queue };
  }

  async submit(job: JobRecord): Promise<void> {
    const data: QueueJobData = { id: job.id, owner: job.owner, submission: job.submission, maxAttempts: this.maxAttempts };
    await this.ready.queue.add('train', data, { jobId: checkJobId(job.id), attempts: this.maxAttempts, removeOnComplete: KEEP_FINISHED, removeOnFail: KEEP_FINISHED });
  }

  async cancel(id: string): Promise<void> {
    const { redis, queue } = this.ready;
    const record = this.store.get(id);
    if (record === undefined || TERMINAL_STATES.includes(record.state)) return;
    // The key first: a worker taking the job up between here and the removal below sees it.
    await redis.multi().set(cancelKey(this.prefix, id), '1', 'EX', CANCEL_KEY_SECONDS).publish(cancelChannel(this.prefix), id).exec();
    const state = await queue.getJobState(id);
    if (state === 'unknown') {
      // Never reached the queue (or Redis lost it): nothing runs it.
      this.store.finish(id, 'cancelled', { error: CANCELLED_BEFORE_START });
      return;
    }
    if (state === 'active' || state === 'completed' || state === 'failed') return; // the worker or the mirror reports the end
    if ((await queue.remove(id)) === 1) this.store.finish(id, 'cancelled', { error: CANCELLED_BEFORE_START });
    // Not removed: a worker took it up meanwhile, saw the key or the message, and reports the end.
  }

  async close(): Promise<void> {
    // Workers keep running their jobs; the next start replays what happened meanwhile.
    await this.events?.close();
    await this.mirrored;
    await this.queue?.close();
    this.reader?.disconnect();
    // quit, not disconnect: the last saved stream position must reach Redis.
    await this.redis?.quit().catch(() => this.redis?.disconnect());
    this.reader = undefined;
    this.events = undefined;
    this.queue = undefined;
    this.redis = undefined;
  }

  /** Waits until every event read so far is mirrored (for tests and an orderly stop). */
  async settled(): Promise<void> {
    let seen: Promise<void>;
    do {
      seen = this.mirrored;
      await seen;
    } while (seen !== this.mirrored);
  }

  // The store announces every state change itself (a state event in the same transaction).

  private started(id: string): void {
    const record = this.store.get(id);
    if (record === undefined) return;
    if (record.state === 'queued') {
      this.store.markRunning(id);
    } else if (TERMINAL_STATES.includes(record.state)) {
      // Ended here (cancelled, or failed out of attempts) while a worker took it up: stop that run.
      void this.redis?.publish(cancelChannel(this.prefix), id);
    }
  }

  private progressed(id: string, data: unknown): void {
    const record = this.store.get(id);
    if (record?.state !== 'running') return;
    if (!isQueueProgress(data)) {
      this.log(`job ${id}: ignored a progress report of unknown shape`);
      return;
    }
    // A run that lost its lock may still report for a while: only the latest attempt speaks.
    if (data.attempt < record.attempts) return;
    const { event } = data;
    if (event.type === 'train' && event.event.type === 'step') {
      const s = event.event;
      this.store.setProgress(id, { epoch: s.epoch, step: s.step, stepsPerEpoch: s.stepsPerEpoch, epochs: record.submission.epochs, loss: s.loss, accuracy: s.accuracy });
    }
    if (event.type !== 'state') this.store.appendEvent(id, event);
  }

  private ended(id: string, state: 'succeeded' | 'failed' | 'cancelled', details: { readonly error?: string; readonly outcome?: JobOutcome }): void {
    if (this.store.get(id) !== undefined) this.store.finish(id, state, details);
  }

  private backToQueue(id: string): void {
    if (this.store.get(id)?.state !== 'running') return;
    // Which of the three the worker's last log line or the stalled note that follows tells.
    this.store.requeue(id, this.maxAttempts, 'its worker stopped, stalled or failed');
  }

  private note(id: string, message: string): void {
    const record = this.store.get(id);
    if (record !== undefined && !TERMINAL_STATES.includes(record.state)) this.store.appendEvent(id, { type: 'log', message });
  }

  /**
   * Jobs the store has as running, checked against the queue once at start: those that finished or
   * failed while no service listened (and whose events the stream has since trimmed) are ended, and
   * those Redis no longer holds are queued again. The rest the replayed events settle.
   */
  private async reconcile(): Promise<void> {
    const { queue } = this.ready;
    for (const record of this.store.running()) {
      const job = await queue.getJob(record.id);
      const state = job === undefined ? 'unknown' : await job.getState();
      if (job === undefined || state === 'unknown') {
        if (this.store.requeue(record.id, this.maxAttempts, 'the queue no longer held it (Redis restarted without persistence?)') === 'queued') {
          const again = this.store.get(record.id);
          if (again !== undefined) await this.submit(again);
        }
      } else if (state === 'completed') {
        this.store.finish(record.id, 'succeeded', { outcome: job.returnvalue });
      } else if (state === 'failed') {
        this.store.finish(record.id, isCancelledReason(job.failedReason) ? 'cancelled' : 'failed', { error: job.failedReason });
      }
    }
  }
}

/**
 * What `reframe cloud serve --redis <url>` builds the service with instead of `localDispatcher()`:
 * the service's start() connects (failing clearly when Redis does not answer) and close() disconnects.
 */
export function createBullmqDispatcher(o: BullmqDispatcherOptions): DispatcherFactory {
  return (ctx) => new BullmqDispatcher(ctx, o);
}
