import type { PushResultData, StudioErrorData, StudioEvents } from '../../../main/contract/studio-api.js';
import type { ErrorText } from '../api/error-text.js';

export type PushPhase = 'starting' | 'pushing' | 'cancelling' | 'done' | 'failed' | 'cancelled';

type ProgressEvent = StudioEvents['push.progress'];

/** One push as its events tell it: bytes acknowledged, rate and ETA, then the board's answer or the error. */
export class PushProgress {
  readonly packagePath: string;
  pushId = $state<string | undefined>(undefined);
  phase = $state<PushPhase>('starting');
  last = $state.raw<ProgressEvent | undefined>(undefined);
  result = $state.raw<PushResultData | undefined>(undefined);
  error = $state.raw<ErrorText | undefined>(undefined);

  constructor(packagePath: string) {
    this.packagePath = packagePath;
  }

  readonly finished = $derived(this.phase === 'done' || this.phase === 'failed' || this.phase === 'cancelled');

  /** Share of the bytes the board has acknowledged, 0 to 1 (1 once it has answered). */
  readonly fraction = $derived.by(() => {
    if (this.phase === 'done') return 1;
    const p = this.last;
    return p === undefined || p.total === 0 ? 0 : p.acked / p.total;
  });

  onProgress(e: ProgressEvent): void {
    if (this.phase === 'starting') this.phase = 'pushing';
    this.last = e;
  }

  onDone(result: PushResultData): void {
    this.result = result;
    this.phase = 'done';
  }

  onFailed(error: StudioErrorData): void {
    this.phase = error.code === 'cancelled' ? 'cancelled' : 'failed';
    this.error = { message: error.message, hint: error.hint };
  }

  cancelling(): void {
    if (!this.finished) this.phase = 'cancelling';
  }
}
