import type { EpochReportData, StudioEvents } from '../../../main/contract/studio-api.js';
import type { ErrorText } from '../api/error-text.js';
import { appendPoint, pointsUpTo, type CurvePoint, type LineSeries } from './curve.js';

export type RunPhase = 'starting' | 'running' | 'cancelling' | 'done' | 'failed' | 'cancelled';

type StartEvent = StudioEvents['training.start'];
type StepEvent = StudioEvents['training.step'];
type DoneEvent = StudioEvents['training.done'];

/**
 * One training run as its events tell it: phase, the curves (per step and per epoch), speed and ETA,
 * and at the end the package and its evaluation, or the error. TrainingState routes the events here.
 */
export class RunProgress {
  readonly runId: string;
  /** What was asked, until the start event names model and data as the studio resolved them. */
  readonly asked: string;
  phase = $state<RunPhase>('starting');
  start = $state.raw<StartEvent | undefined>(undefined);
  last = $state.raw<StepEvent | undefined>(undefined);
  stepLoss = $state.raw<readonly CurvePoint[]>([]);
  stepAccuracy = $state.raw<readonly CurvePoint[]>([]);
  epochs = $state.raw<readonly EpochReportData[]>([]);
  result = $state.raw<DoneEvent | undefined>(undefined);
  error = $state.raw<ErrorText | undefined>(undefined);

  constructor(runId: string, asked: string) {
    this.runId = runId;
    this.asked = asked;
  }

  readonly finished = $derived(this.phase === 'done' || this.phase === 'failed' || this.phase === 'cancelled');

  /** Share of the run's epochs done, 0 to 1. */
  readonly fraction = $derived.by(() => {
    if (this.phase === 'done') return 1;
    const total = this.start?.epochs ?? 0;
    if (total === 0) return 0;
    const lastEpoch = this.epochs.at(-1);
    const byEpoch = lastEpoch === undefined ? 0 : lastEpoch.epoch + 1;
    const byStep = this.last === undefined ? 0 : this.last.epoch + this.last.step / this.last.stepsPerEpoch;
    return Math.min(1, Math.max(byEpoch, byStep) / total);
  });

  readonly lossSeries: readonly LineSeries[] = $derived([
    { label: 'train loss (per step)', points: this.stepLoss },
    { label: 'train loss (epoch)', points: this.epochs.map((e) => ({ x: e.epoch + 1, y: e.trainLoss })), dots: true },
    { label: `${this.start?.evalName ?? 'held-out'} loss (epoch)`, points: this.epochs.map((e) => ({ x: e.epoch + 1, y: e.evalLoss })), dots: true },
  ]);

  readonly accuracySeries: readonly LineSeries[] = $derived([
    { label: 'train accuracy (per step)', points: this.stepAccuracy },
    { label: 'train accuracy (epoch)', points: this.epochs.map((e) => ({ x: e.epoch + 1, y: e.trainAccuracy })), dots: true },
    { label: `${this.start?.evalName ?? 'held-out'} accuracy (epoch)`, points: this.epochs.map((e) => ({ x: e.epoch + 1, y: e.evalAccuracy })), dots: true },
  ]);

  /**
   * The run goes again from its checkpoint (its start event then trims what will be redone). Returns
   * what puts the run back as it was, for when the studio refuses to resume it.
   */
  resuming(): () => void {
    const { phase, error, last } = this;
    this.phase = 'starting';
    this.error = undefined;
    this.last = undefined;
    return () => {
      if (this.phase !== 'starting') return;
      this.phase = phase;
      this.error = error;
      this.last = last;
    };
  }

  onStart(e: StartEvent): void {
    this.start = e;
    this.phase = 'running';
    this.stepLoss = pointsUpTo(this.stepLoss, e.firstEpoch);
    this.stepAccuracy = pointsUpTo(this.stepAccuracy, e.firstEpoch);
    this.epochs = this.epochs.filter((r) => r.epoch < e.firstEpoch);
  }

  onStep(e: StepEvent): void {
    // A step can only come from a running worker, even if its start event was missed (another window).
    if (this.phase === 'starting') this.phase = 'running';
    this.last = e;
    const x = e.epoch + e.step / e.stepsPerEpoch;
    this.stepLoss = appendPoint(this.stepLoss, { x, y: e.loss });
    this.stepAccuracy = appendPoint(this.stepAccuracy, { x, y: e.accuracy });
  }

  onEpoch(report: EpochReportData): void {
    this.epochs = [...this.epochs.filter((r) => r.epoch !== report.epoch), report];
  }

  onDone(e: DoneEvent): void {
    this.result = e;
    this.phase = 'done';
  }

  onFailed(error: StudioEvents['training.failed']['error']): void {
    this.phase = error.code === 'cancelled' ? 'cancelled' : 'failed';
    this.error = { message: error.message, hint: error.hint };
  }

  /** Cancel was asked; the worker stops between steps and says so with a failed event. */
  cancelling(): void {
    if (!this.finished) this.phase = 'cancelling';
  }
}
