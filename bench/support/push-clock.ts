import type { PushProgress } from '../../devices/link/push.js';

/**
 * The moments a push benchmark needs, read off pushPackage's progress reports: the push reports once
 * just before its first CHUNK and again on every ACK that advances.
 */
export class PushClock {
  /** When the first CHUNK went out. */
  startedAt: number | undefined;
  /** When the first ACK past the resume offset arrived. */
  firstAdvanceAt: number | undefined;
  /** When the last byte was acknowledged. */
  doneAt: number | undefined;
  /** Bytes the studio had written to the link at those two moments. */
  wireAtStart = 0;
  wireAtDone = 0;
  acked = 0;
  sent = 0;
  resumedFrom = 0;

  /** @param wire bytes the studio has written to the link so far */
  constructor(private readonly wire: () => number) {}

  readonly onProgress = (p: PushProgress): void => {
    const now = performance.now();
    if (this.startedAt === undefined) {
      this.startedAt = now;
      this.wireAtStart = this.wire();
      this.resumedFrom = p.resumedFrom;
    }
    if (this.firstAdvanceAt === undefined && p.acked > p.resumedFrom) this.firstAdvanceAt = now;
    if (this.doneAt === undefined && p.acked === p.total) {
      this.doneAt = now;
      this.wireAtDone = this.wire();
    }
    this.acked = p.acked;
    this.sent = p.sent;
  };

  /** Seconds from the first CHUNK to the last ACK. */
  get seconds(): number {
    if (this.startedAt === undefined || this.doneAt === undefined) throw new Error('the push did not finish sending');
    return (this.doneAt - this.startedAt) / 1000;
  }
}
