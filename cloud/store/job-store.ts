import type { JobEvent, JobOutcome, JobRecord, JobState, JobSubmission, SequencedEvent } from '../jobs/job-types.js';

/**
 * The service's record of jobs and their events. One implementation (SQLite) serves both modes: in
 * the default mode it is also the queue; in the scale-out mode BullMQ carries the work and the
 * service mirrors what workers report into it. Synchronous, as better-sqlite3 is.
 */
export interface JobStore {
  create(owner: string, submission: JobSubmission): JobRecord;
  get(id: string): JobRecord | undefined;
  /** Newest first. */
  list(owner: string, limit: number): JobRecord[];
  /** queued → running, one more attempt; false when the job is no longer queued (cancelled meanwhile). */
  markRunning(id: string): boolean;
  setProgress(id: string, progress: NonNullable<JobRecord['progress']>): void;
  /** Into a terminal state (never out of one); false when the job had already ended. */
  finish(id: string, state: Exclude<JobState, 'queued' | 'running'>, details?: { readonly error?: string; readonly outcome?: JobOutcome }): boolean;
  /** running → queued after a crash or stall, or failed once attempts reach maxAttempts; the new state. */
  requeue(id: string, maxAttempts: number, reason: string): JobState;
  /** The default mode's queue: the oldest queued job, marked running, or undefined. */
  claimNext(): JobRecord | undefined;
  /** Jobs left running by a service that stopped: to requeue at start. */
  running(): JobRecord[];
  appendEvent(id: string, event: JobEvent): SequencedEvent;
  eventsSince(id: string, afterSeq: number): SequencedEvent[];
  /** In-process notification of every appended event (the SSE streams listen here). */
  onEvent(listener: (jobId: string, e: SequencedEvent) => void): () => void;
  close(): void;
}

/** Bearer tokens, stored as SHA-256 hashes: a leaked database reveals no usable token. */
export interface TokenStore {
  /** Returns the token in clear, once. */
  create(name: string): { readonly id: string; readonly token: string };
  /** The token id for a presented token, or undefined (unknown or revoked). */
  verify(token: string): string | undefined;
  list(): { readonly id: string; readonly name: string; readonly createdAt: string; readonly revokedAt?: string }[];
  /** false when there is no such token. */
  revoke(id: string): boolean;
}
