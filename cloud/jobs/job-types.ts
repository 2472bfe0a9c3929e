import type { SpecDocument } from '../../core/spec/spec-document.js';
import type { OptimizerName } from '../../core/node/train/optimizer.js';
import type { ScheduleName } from '../../core/node/train/lr-schedule.js';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import type { EnginePreference } from '../../core/node/engine/tf-engine.js';

/**
 * The data a job trains on. Workers may run on other machines, so a dataset is named, never a path of
 * the submitter's: the embedded demo sample, a folder the service was started with (`--datasets`),
 * or one the same token uploaded (PUT /datasets/:name).
 */
export type DatasetRef = { readonly builtin: 'demo' } | { readonly server: string } | { readonly uploaded: string };

/** What POST /jobs carries: the model as its spec, the data by name, and the training settings. */
export interface JobSubmission {
  readonly spec: SpecDocument;
  readonly dataset: DatasetRef;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: { readonly name: OptimizerName; readonly momentum: number; readonly weightDecay: number };
  readonly schedule: ScheduleName;
  readonly augment: boolean;
  readonly seed: string;
  readonly engine: EnginePreference;
  /** Weight dtype of the package the job produces. */
  readonly dtype: 'fp32' | 'fp16' | 'int8';
}

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export const TERMINAL_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

export const isTerminalState = (state: JobState): boolean => TERMINAL_STATES.includes(state);

/** The outcome of a finished job, kept beside it (the package itself lives in the artifact store). */
export interface JobOutcome {
  readonly engine: string;
  readonly accuracy: number;
  readonly loss: number;
  readonly evalImages: number;
  /** confusion[true class][predicted class] = count, on the evaluation images. */
  readonly confusion: readonly (readonly number[])[];
  readonly epochs: number;
  readonly packageBytes: number;
  readonly packageSha256: string;
  readonly seconds: number;
}

export interface JobRecord {
  readonly id: string;
  /** The token id that submitted it: the only one that can see it. */
  readonly owner: string;
  readonly state: JobState;
  readonly submission: JobSubmission;
  readonly submittedAt: string;
  readonly startedAt?: string;
  readonly finishedAt?: string;
  /** Times a worker took it up (a crashed or stalled run is retried up to a bound). */
  readonly attempts: number;
  readonly error?: string;
  /** The latest progress, for GET /jobs/:id without replaying events. */
  readonly progress?: { readonly epoch: number; readonly step: number; readonly stepsPerEpoch: number; readonly epochs: number; readonly loss: number; readonly accuracy: number };
  readonly outcome?: JobOutcome;
}

/**
 * What GET /jobs/:id/events streams, each with a sequence number (the SSE id, so a client reconnects
 * with Last-Event-ID and misses nothing): the trainer's own events, state changes, and log lines.
 */
export type JobEvent =
  | { readonly type: 'train'; readonly event: TrainEvent }
  | { readonly type: 'state'; readonly state: JobState; readonly error?: string; readonly outcome?: JobOutcome }
  | { readonly type: 'log'; readonly message: string };

export interface SequencedEvent {
  readonly seq: number;
  readonly event: JobEvent;
}
