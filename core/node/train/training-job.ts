import type { Augmentation } from '../../data/batch-pipeline.js';
import type { SpecDocument } from '../../spec/spec-document.js';
import type { EnginePreference } from '../engine/tf-engine.js';
import type { Schedule } from './lr-schedule.js';
import type { OptimizerOptions } from './optimizer.js';
import type { TrainEvent, TrainResult } from './trainer.js';

/**
 * A training run as plain data, so it can cross into a worker thread (or, later, a cloud queue): the
 * model as its spec, the data as the `--data` string, weights as a file path.
 */
export interface TrainingJob {
  readonly spec: SpecDocument;
  readonly data: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerOptions;
  readonly schedule: Schedule;
  readonly augment?: Augmentation;
  readonly validationFraction: number;
  readonly seed: string;
  readonly engine: EnginePreference;
  readonly weightsFile?: string;
  readonly checkpointDir?: string;
  readonly resume?: boolean;
}

/** What the worker posts back, in order: events, then one result or one failure. */
export type WorkerMessage =
  | { readonly type: 'event'; readonly event: TrainEvent }
  | { readonly type: 'result'; readonly result: Omit<TrainResult, 'values'>; readonly ids: string[]; readonly buffers: Float32Array[] }
  | { readonly type: 'failure'; readonly name: string; readonly message: string };
