import { TransportError, type Transport } from './transport.js';

/** Largest burst, in seconds of line time: small enough that a paced stream looks like a real UART. */
const BURST_SECONDS = 0.005;

interface QueuedWrite {
  readonly bytes: Uint8Array;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/**
 * Paces writes to `bytesPerSecond`, as a UART at that line rate would (a pty passes bytes at memory
 * speed whatever the baud: DESIGN.md §7). A token bucket holding at most 5 ms of line time; the
 * schedule only moves forward by the bytes sent, so a late timer is caught up, and the long-run rate
 * is the line rate. write() resolves when its bytes have been passed to the inner transport.
 */
export function throttle(t: Transport, bytesPerSecond: number): Transport {
  if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) throw new RangeError(`a line rate is a positive number of bytes per second, not ${bytesPerSecond}`);
  return new ThrottledTransport(t, bytesPerSecond);
}

class ThrottledTransport implements Transport {
  readonly label: string;
  private readonly burstBytes: number;
  private readonly queue: QueuedWrite[] = [];
  /** When the line will have sent everything passed on so far (ms on the performance clock). */
  private lineFreeAt = 0;
  private pumping = false;
  private failure: TransportError | undefined;
  private wake: (() => void) | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly inner: Transport,
    private readonly bytesPerSecond: number,
  ) {
    this.label = `${inner.label}, paced to ${Math.round(bytesPerSecond)} B/s`;
    this.burstBytes = Math.max(1, Math.floor(bytesPerSecond * BURST_SECONDS));
    inner.onClose((error) => this.fail(error));
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ bytes: bytes.slice(), resolve, reject });
      if (!this.pumping) void this.pump();
    });
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    return this.inner.onData(listener);
  }

  onClose(listener: (error: TransportError) => void): () => void {
    return this.inner.onClose(listener);
  }

  async close(): Promise<void> {
    this.fail(new TransportError('closed', `${this.label} is closed`, 'open it again'));
    await this.inner.close();
  }

  private fail(error: TransportError): void {
    if (this.failure !== undefined) return;
    this.failure = error;
    for (const w of this.queue.splice(0)) w.reject(error);
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    // An idle line has no credit saved up: the first burst starts now, not in the past.
    this.lineFreeAt = Math.max(this.lineFreeAt, performance.now());
    try {
      for (let w = this.queue[0]; w !== undefined && this.failure === undefined; w = this.queue[0]) {
        let at = 0;
        while (at < w.bytes.length && this.failure === undefined) {
          const piece = Math.min(w.bytes.length - at, this.burstBytes);
          // Bytes the line may take now: those it has finished sending, plus one burst of slack.
          const credit = ((performance.now() - this.lineFreeAt) * this.bytesPerSecond) / 1000 + this.burstBytes;
          if (credit < piece) {
            await this.sleep(((piece - credit) * 1000) / this.bytesPerSecond);
            continue;
          }
          await this.inner.write(w.bytes.subarray(at, at + piece));
          this.lineFreeAt += (piece * 1000) / this.bytesPerSecond;
          at += piece;
        }
        if (this.failure !== undefined) break;
        this.queue.shift();
        w.resolve();
      }
    } catch (error) {
      const e = error instanceof TransportError ? error : new TransportError('write-failed', `${this.label}: ${String(error)}`, 'reconnect the board and run the command again');
      this.fail(e);
    } finally {
      this.pumping = false;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, Math.max(1, Math.ceil(ms)));
    });
  }
}
