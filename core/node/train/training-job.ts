import type { SpecDocument } from '../../spec/spec-document.js';
import type { TrainEvent, TrainOptions, TrainResult } from './trainer.js';

/**
 * A training run as plain data, so it can cross into a worker thread (or, later, a cloud queue): the
 * model as its spec, the data as the `--data` string, starting weights as a file path; every other
 * setting as TrainOptions has it.
 */
export interface TrainingJob extends Omit<TrainOptions, 'graph' | 'data' | 'initial'> {
  readonly spec: SpecDocument;
  readonly data: string;
  readonly weightsFile?: string;
}

/** What the worker posts back, in order: events, then one result or one failure. */
export type WorkerMessage =
  | { readonly type: 'event'; readonly event: TrainEvent }
  | { readonly type: 'result'; readonly result: Omit<TrainResult, 'values'>; readonly ids: string[]; readonly buffers: Float32Array[] }
  | { readonly type: 'failure'; readonly name: string; readonly message: string };
