import type { JobRecord } from '../jobs/job-types.js';

/**
 * How the service gets stored jobs run: in-process workers claiming from the store (default mode),
 * or a BullMQ queue that workers on any machine take from (scale-out mode). Either way, what workers
 * report reaches the JobStore, whose events the HTTP API streams.
 */
export interface JobDispatcher {
  /** Starts working (recovers what a stopped service left running). */
  start(): Promise<void>;
  /** A job was just stored as queued. */
  submit(job: JobRecord): Promise<void>;
  /** Stop a job: dropped if it waits, stopped within one training step if it runs. */
  cancel(id: string): Promise<void>;
  /** Stops taking jobs; running ones are stopped and left to be retried by the next start. */
  close(): Promise<void>;
}
