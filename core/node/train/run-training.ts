import { Worker } from 'node:worker_threads';
import { CheckpointError } from './checkpoint.js';
import { DatasetError } from '../../data/image-dataset.js';
import { EngineError } from '../engine/tf-engine.js';
import { WeightsFileError } from '../safetensors.js';
import type { TrainingJob, WorkerMessage } from './training-job.js';
import { TrainingCancelled, type TrainEvent, type TrainResult } from './trainer.js';

/** Any other failure inside the worker (a bad package or spec, a bug): its name and message kept. */
export class TrainingWorkerError extends Error {
  readonly code = 'training-failed';
  constructor(
    readonly originalName: string,
    message: string,
  ) {
    super(message);
    this.name = 'TrainingWorkerError';
  }
}

/** An error from the worker, rebuilt as the class the caller would have caught in-process. */
function rebuild(name: string, message: string): Error {
  switch (name) {
    case 'DatasetError':
      return new DatasetError(message);
    case 'EngineError':
      return new EngineError(message);
    case 'CheckpointError':
      return new CheckpointError(message);
    case 'WeightsFileError':
      return new WeightsFileError(message);
    case 'TrainingCancelled': {
      const error = new TrainingCancelled(0);
      error.message = message;
      return error;
    }
    default:
      return new TrainingWorkerError(name, message);
  }
}

/**
 * The compiled worker beside this module; under the test runner (which runs the .ts sources) the same
 * file in dist/, which the test setup keeps built.
 */
function workerEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../../dist/core/node/train/train-worker.js', import.meta.url) : new URL('./train-worker.js', import.meta.url);
}

/**
 * Runs a training job in a worker thread, so the caller's event loop (a CLI's progress bar, the
 * studio's services) never blocks on tfjs. Events arrive as they happen; aborting the signal stops the
 * run between steps; a worker that dies is an error, not a hang.
 */
export function runTrainingInWorker(job: TrainingJob, onEvent: (e: TrainEvent) => void = () => undefined, signal?: AbortSignal): Promise<TrainResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(workerEntry(), { workerData: job });
    let settled = false;
    const settle = (f: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', cancel);
      // The backend keeps the worker's event loop alive: end it, or the caller's process never exits.
      void worker.terminate();
      f();
    };
    const cancel = () => worker.postMessage('cancel');
    signal?.addEventListener('abort', cancel);
    if (signal?.aborted === true) cancel();
    worker.on('message', (m: WorkerMessage) => {
      if (m.type === 'event') onEvent(m.event);
      else if (m.type === 'result') settle(() => resolve({ ...m.result, values: new Map(m.ids.map((id, i) => [id, m.buffers[i] as Float32Array])) }));
      else settle(() => reject(rebuild(m.name, m.message)));
    });
    worker.on('error', (error) => settle(() => reject(error)));
    worker.on('exit', (code) => settle(() => reject(new Error(`the training worker stopped (exit code ${code}) before it finished`))));
  });
}
