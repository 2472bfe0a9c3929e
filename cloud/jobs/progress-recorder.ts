import { assertNever } from '../../core/assert-never.js';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import type { JobStore } from '../store/job-store.js';

export interface ProgressRecorderOptions {
  /** Least time between two stored step events; the last step of an epoch is always stored. */
  readonly minStepIntervalMs?: number;
  readonly now?: () => number;
}

export const DEFAULT_STEP_INTERVAL_MS = 250;

/**
 * Turns a running job's training events into stored events and progress. Every start and epoch event
 * is kept; step events are thinned to a few a second (and the last of each epoch), so fifty jobs of
 * thousands of steps do not swell the database, while a watcher still sees steady progress.
 */
export class ProgressRecorder {
  private epochs = 0;
  private lastStored = -Infinity;
  private last: { readonly epoch: number; readonly step: number } | undefined;
  private readonly interval: number;
  private readonly now: () => number;

  constructor(
    private readonly store: JobStore,
    private readonly jobId: string,
    o: ProgressRecorderOptions = {},
  ) {
    this.interval = o.minStepIntervalMs ?? DEFAULT_STEP_INTERVAL_MS;
    this.now = o.now ?? Date.now;
  }

  /** The last step the trainer reported, stored or not (epoch 0-based, step 1-based). */
  get lastStep(): { readonly epoch: number; readonly step: number } | undefined {
    return this.last;
  }

  record(e: TrainEvent): void {
    switch (e.type) {
      case 'start':
        this.epochs = e.epochs;
        this.store.appendEvent(this.jobId, { type: 'train', event: e });
        return;
      case 'step': {
        this.last = { epoch: e.epoch, step: e.step };
        const t = this.now();
        if (t - this.lastStored < this.interval && e.step !== e.stepsPerEpoch) return;
        this.lastStored = t;
        this.store.appendEvent(this.jobId, { type: 'train', event: e });
        this.store.setProgress(this.jobId, { epoch: e.epoch, step: e.step, stepsPerEpoch: e.stepsPerEpoch, epochs: this.epochs, loss: e.loss, accuracy: e.accuracy });
        return;
      }
      case 'epoch':
        this.store.appendEvent(this.jobId, { type: 'train', event: e });
        return;
      default:
        assertNever(e);
    }
  }
}
