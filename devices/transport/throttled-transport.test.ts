import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMockPair } from './mock-transport.js';
import { throttle } from './throttled-transport.js';
import { TransportError, type Transport } from './transport.js';

/** An inner transport that notes when each piece was handed to it (on the faked performance clock). */
function recorder(): Transport & { log: { at: number; bytes: number }[]; fail(error: TransportError): void } {
  const log: { at: number; bytes: number }[] = [];
  const closeListeners = new Set<(e: TransportError) => void>();
  return {
    label: 'recorder',
    log,
    write: (bytes) => {
      log.push({ at: performance.now(), bytes: bytes.length });
      return Promise.resolve();
    },
    onData: () => () => undefined,
    onClose: (l) => {
      closeListeners.add(l);
      return () => closeListeners.delete(l);
    },
    close: () => Promise.resolve(),
    fail: (error) => {
      for (const l of closeListeners) l(error);
    },
  };
}

describe('throttle', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds the long-run rate to the line rate within 1%, in bursts of at most 5 ms', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const inner = recorder();
    const rate = 11_520; // 115200 baud, 8N1
    const t = throttle(inner, rate);
    const start = performance.now();
    // Writes of uneven sizes back to back, as a push sends frames.
    const writes: Promise<void>[] = [];
    let total = 0;
    for (let i = 0; i < 200; i++) {
      const n = 100 + ((i * 37) % 500);
      total += n;
      writes.push(t.write(new Uint8Array(n)));
    }
    const done = Promise.all(writes);
    await vi.advanceTimersByTimeAsync(((total / rate) * 1000) * 1.2);
    await done;
    const sent = inner.log.reduce((s, e) => s + e.bytes, 0);
    expect(sent).toBe(total);
    const seconds = (inner.log.at(-1)!.at - start) / 1000;
    expect(Math.abs(total / seconds / rate - 1)).toBeLessThan(0.01);
    // Never ahead of the line by more than one 5 ms burst.
    const burst = Math.floor(rate * 0.005);
    let cumulative = 0;
    for (const e of inner.log) {
      cumulative += e.bytes;
      expect(e.bytes).toBeLessThanOrEqual(burst);
      expect(cumulative).toBeLessThanOrEqual(((e.at - start) / 1000) * rate + burst + 1e-6);
    }
  });

  it('catches up after late timers instead of losing line time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    const inner = recorder();
    const rate = 100_000;
    const t = throttle(inner, rate);
    const start = performance.now();
    const done = t.write(new Uint8Array(100_000)); // one second of line time
    // A loaded machine: the clock jumps 30 ms at a time, far past each 5 ms burst's due time.
    for (let i = 0; i < 40 && inner.log.reduce((s, e) => s + e.bytes, 0) < 100_000; i++) await vi.advanceTimersByTimeAsync(30);
    await done;
    const seconds = (inner.log.at(-1)!.at - start) / 1000;
    expect(seconds).toBeLessThan(1.03);
    expect(seconds).toBeGreaterThan(0.97);
  });

  it('write() resolves only once its bytes are passed on, and a measured run keeps the rate', async () => {
    const [a, b] = createMockPair();
    let got = 0;
    b.onData((bytes) => (got += bytes.length));
    const t = throttle(a, 200_000);
    const started = performance.now();
    await t.write(new Uint8Array(20_000)); // 100 ms of line time; the first 5 ms go at once
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(0.094);
    expect(seconds).toBeLessThan(0.3);
    await new Promise((r) => setImmediate(r));
    expect(got).toBe(20_000);
  });

  it('fails queued writes with the inner transport error when the link goes away', async () => {
    const [a] = createMockPair();
    const t = throttle(a, 1000);
    const slow = t.write(new Uint8Array(5000));
    const queued = t.write(new Uint8Array(10));
    a.unplug();
    await expect(slow).rejects.toMatchObject({ code: 'disconnected' });
    await expect(queued).rejects.toMatchObject({ code: 'disconnected' });
    await expect(t.write(Uint8Array.of(1))).rejects.toBeInstanceOf(TransportError);
  });

  it('refuses a rate that is not positive', () => {
    const [a] = createMockPair();
    expect(() => throttle(a, 0)).toThrow(RangeError);
    expect(() => throttle(a, Number.NaN)).toThrow(RangeError);
  });
});
