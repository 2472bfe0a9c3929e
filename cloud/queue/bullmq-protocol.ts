import { Redis } from 'ioredis';
import type { JobEvent, JobSubmission } from '../jobs/job-types.js';

/**
 * What the service and the workers of the scale-out mode agree on over Redis. BullMQ carries the
 * jobs (queue `reframe-train` under a key prefix); a worker reports train events and log lines as the
 * job's progress, which reaches the service through BullMQ's event stream; cancelling uses a pub/sub
 * channel plus a key a worker checks when it takes a job up.
 *
 *   <prefix>:reframe-train:*              BullMQ's own keys (wait, active, events stream, job hashes)
 *   <prefix>:reframe-train:cancel         channel: a job id to stop wherever it runs
 *   <prefix>:reframe-train:cancel:<id>    key (7 days): the job is cancelled, do not start it
 *   <prefix>:reframe-train:mirror-cursor  the last event-stream id the service has mirrored
 */
export const QUEUE_NAME = 'reframe-train';
export const DEFAULT_PREFIX = 'reframe';
/** Starts a job may take, crashed and stalled runs included, before it fails. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** The data of one BullMQ job. The bound travels with the job, so workers never disagree on it. */
export interface QueueJobData {
  readonly id: string;
  readonly owner: string;
  readonly submission: JobSubmission;
  readonly maxAttempts: number;
}

/** What a worker passes to job.updateProgress: one event of one attempt (stale attempts are dropped). */
export interface QueueProgress {
  readonly attempt: number;
  readonly event: JobEvent;
}

/**
 * A job stopped on request fails in BullMQ (never retried) with a reason starting so, which the
 * service records as cancelled, not failed: `cancelled before it started`, `cancelled after step 3 of epoch 1`.
 */
export const CANCELLED_BEFORE_START = 'cancelled before it started';
export const isCancelledReason = (reason: string): boolean => reason === 'cancelled' || reason.startsWith('cancelled ');

export const cancelChannel = (prefix: string): string => `${prefix}:${QUEUE_NAME}:cancel`;
export const cancelKey = (prefix: string, id: string): string => `${prefix}:${QUEUE_NAME}:cancel:${id}`;
export const mirrorCursorKey = (prefix: string): string => `${prefix}:${QUEUE_NAME}:mirror-cursor`;
export const CANCEL_KEY_SECONDS = 7 * 24 * 3600;

export class QueueConfigError extends Error {
  readonly code = 'queue-config';
  constructor(message: string) {
    super(message);
    this.name = 'QueueConfigError';
  }
}

export function checkPrefix(prefix: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(prefix)) throw new QueueConfigError(`the queue prefix "${prefix}" must be letters, digits, "_", "." or "-" (no ":")`);
  return prefix;
}

/** A job id BullMQ accepts as a custom id: not all digits, no ":". */
export function checkJobId(id: string): string {
  if (/^\d+$/.test(id) || id.includes(':') || id === '') throw new QueueConfigError(`job id "${id}" cannot be a BullMQ job id (it must not be all digits or contain ":")`);
  return id;
}

/**
 * A Redis connection from a redis:// or rediss:// URL, failing fast and clearly when nobody answers.
 * maxRetriesPerRequest null is what BullMQ needs for its blocking reads.
 */
export async function connectRedis(url: string, what: string): Promise<Redis> {
  const parsed = parseRedisUrl(url);
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true, connectionName: `reframe-${what}` });
  // Until the first connection succeeds, errors are the answer to connect() below, not events.
  // Until the first connection succeeds, errors are the answer to connect() below, not events; later
  // ones (a dropped connection being retried) must not crash the process, and the users of the
  // connection (BullMQ) report them.
  let lastError: Error | undefined;
  redis.on('error', (e: Error) => (lastError = e));
  try {
    await withTimeout(redis.connect(), 5000, `no answer within 5 s`);
    await withTimeout(redis.ping(), 5000, 'no answer to PING within 5 s');
  } catch (e) {
    redis.disconnect();
    const where = `${parsed.protocol}//${parsed.host}`;
    throw new QueueConfigError(`cannot reach Redis at ${where} (${(lastError ?? (e as Error)).message}); start redis-server or check --redis`);
  }
  return redis;
}

/** A redis:// or rediss:// URL (credentials and a database number may be in it). */
export function parseRedisUrl(value: string): URL {
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:')) throw new QueueConfigError(`--redis takes a URL such as redis://127.0.0.1:6379, got "${value}"`);
  return url;
}

function withTimeout<T>(p: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}

export function isQueueProgress(v: unknown): v is QueueProgress {
  if (typeof v !== 'object' || v === null) return false;
  const p = v as { attempt?: unknown; event?: { type?: unknown } };
  return typeof p.attempt === 'number' && typeof p.event === 'object' && p.event !== null && (p.event.type === 'train' || p.event.type === 'log' || p.event.type === 'state');
}
