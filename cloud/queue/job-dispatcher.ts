import type { DatasetRef, JobRecord } from '../jobs/job-types.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { JobStore } from '../store/job-store.js';

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

/** What the service hands a dispatcher when it starts one. */
export interface DispatcherContext {
  readonly store: JobStore;
  readonly artifacts: ArtifactStore;
  /** Turns a job's dataset reference into what the trainer opens, where the job runs. */
  readonly resolveDataset: (owner: string, ref: DatasetRef) => Promise<string>;
  /** One line for the service's log (stderr of `reframe cloud serve`). */
  readonly log: (line: string) => void;
}

/**
 * The service is built with one of these: `localDispatcher(…)` by default, the BullMQ one when
 * `reframe cloud serve --redis <url>` is given. The service never knows which.
 */
export type DispatcherFactory = (ctx: DispatcherContext) => JobDispatcher;
