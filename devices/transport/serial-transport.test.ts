import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ptyLink, type PtyLink } from '../../test/support/pty-link.js';
import { openSerial } from './serial-transport.js';
import { DISCONNECTED_HINT } from './transport-hints.js';
import { TransportError, type Transport } from './transport.js';

function collect(t: Transport): { bytes: () => Uint8Array; waitFor: (n: number) => Promise<Uint8Array> } {
  const parts: Uint8Array[] = [];
  let total = 0;
  t.onData((b) => {
    parts.push(b.slice());
    total += b.length;
  });
  const bytes = (): Uint8Array => {
    const out = new Uint8Array(total);
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  };
  return {
    bytes,
    waitFor: async (n) => {
      const deadline = Date.now() + 5000;
      while (total < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      return bytes();
    },
  };
}

describe('openSerial over a real socat pty pair', () => {
  let dir: string;
  let pair: PtyLink;
  const open: Transport[] = [];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reframe-serial-'));
    pair = await ptyLink(dir);
  });

  afterEach(async () => {
    for (const t of open.splice(0)) await t.close();
    await pair.unplug();
    await rm(dir, { recursive: true, force: true });
  });

  it('carries bytes both ways, exactly, and labels the port', async () => {
    const a = await openSerial(pair.a, { baud: 921600 });
    const b = await openSerial(pair.b, {});
    open.push(a, b);
    expect(a.label).toBe(`serial ${pair.a} at 921600 baud`);
    const atB = collect(b);
    const atA = collect(a);
    const payload = new Uint8Array(50_000).map((_, i) => (i * 7 + (i >> 8)) & 0xff);
    // Windowed, as the push does: serialport stops reading while a write waits (DESIGN.md §7).
    for (let at = 0; at < payload.length; at += 4096) {
      await a.write(payload.subarray(at, at + 4096));
      await atB.waitFor(Math.min(payload.length, at + 4096));
    }
    expect(await atB.waitFor(payload.length)).toEqual(payload);
    await b.write(Uint8Array.of(1, 2, 3));
    expect(await atA.waitFor(3)).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('reports socat dying mid-stream as disconnected, with the hint, and fails later writes', async () => {
    const a = await openSerial(pair.a, {});
    const b = await openSerial(pair.b, {});
    open.push(a, b);
    const atB = collect(b);
    const closed = new Promise<TransportError>((resolve) => a.onClose(resolve));
    await a.write(new Uint8Array(1000).fill(0x55));
    await atB.waitFor(1000);
    await pair.unplug();
    const error = await closed;
    expect(error).toBeInstanceOf(TransportError);
    expect(error.code).toBe('disconnected');
    expect(error.hint).toBe(DISCONNECTED_HINT);
    expect(error.message).toContain(pair.a);
    await expect(a.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('paces writes to baud ÷ 10 bytes per second when throttled (a pty alone ignores the baud)', async () => {
    const a = await openSerial(pair.a, { baud: 96_000, throttle: true });
    const b = await openSerial(pair.b, {});
    open.push(a, b);
    const atB = collect(b);
    const started = performance.now();
    await a.write(new Uint8Array(960).fill(1)); // 100 ms at 9,600 B/s
    const seconds = (performance.now() - started) / 1000;
    expect(seconds).toBeGreaterThan(0.09);
    expect(seconds).toBeLessThan(0.5);
    expect((await atB.waitFor(960)).length).toBe(960);
  });

  it('refuses a path that does not exist with open-failed and says what to check', async () => {
    const error = await openSerial(join(dir, 'no-such-tty'), {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'open-failed' });
    expect((error as TransportError).hint).toMatch(/reframe devices/);
  });

  it('refuses a port another program holds with open-failed', async () => {
    const first = await openSerial(pair.a, {});
    open.push(first);
    const error = await openSerial(pair.a, {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'open-failed' });
    expect((error as TransportError).hint).toMatch(/another program/);
  });
});
