import type { TrainEvent } from '../../core/node/train/trainer.js';
import type { JobEvent } from '../jobs/job-types.js';

/**
 * Sends a running job's events from a worker to the service, in order, one at a time. Step events
 * come as fast as the trainer makes them (hundreds a second on tiny data): at most one per interval
 * goes out, the latest, and the last step of every epoch always does; start, epoch and log events
 * always go out at once. A send that fails is reported and does not stop the job.
 */
export class EventReporter {
  private chain: Promise<void> = Promise.resolve();
  private lastStepSent = -Infinity;
  private pending: TrainEvent | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (event: JobEvent) => Promise<void>,
    private readonly minStepMs: number,
    private readonly onSendError: (e: Error) => void = () => undefined,
    private readonly now: () => number = () => performance.now(),
  ) {}

  train(e: TrainEvent): void {
    if (e.type !== 'step') {
      this.sendPending();
      this.push({ type: 'train', event: e });
      return;
    }
    const due = this.lastStepSent + this.minStepMs;
    if (e.step === e.stepsPerEpoch || this.now() >= due) {
      this.pending = undefined;
      this.sendStep(e);
      return;
    }
    this.pending = e;
    // A slow next step must not hold this one back past the interval.
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.sendPending();
    }, Math.max(0, due - this.now()));
  }

  log(message: string): void {
    this.sendPending();
    this.push({ type: 'log', message });
  }

  /** Sends what waits and resolves when everything handed over so far has been sent. */
  async flush(): Promise<void> {
    this.sendPending();
    await this.chain;
  }

  private sendPending(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p !== undefined) this.sendStep(p);
  }

  private sendStep(e: TrainEvent): void {
    this.lastStepSent = this.now();
    this.push({ type: 'train', event: e });
  }

  private push(event: JobEvent): void {
    this.chain = this.chain.then(() => this.send(event)).catch((e: unknown) => this.onSendError(e as Error));
  }
}
