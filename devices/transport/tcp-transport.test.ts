import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { connectTcp, listenTcp, type TcpListener } from './tcp-transport.js';
import { DISCONNECTED_HINT } from './transport-hints.js';
import { TransportError, type Transport } from './transport.js';

async function received(t: Transport, n: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  let total = 0;
  await new Promise<void>((resolve) => {
    t.onData((b) => {
      parts.push(b.slice());
      total += b.length;
      if (total >= n) resolve();
    });
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A port nothing listens on: bind one, note it, close it. */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe('TCP transport on 127.0.0.1', () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const c of cleanup.splice(0).reverse()) await c();
  });

  async function listen(onConnection: (t: Transport) => void): Promise<TcpListener> {
    const l = await listenTcp('127.0.0.1', 0, onConnection);
    cleanup.push(() => l.close());
    return l;
  }

  it('connects to a listener and carries bytes both ways', async () => {
    let onAccept: (t: Transport) => void = () => undefined;
    const accepted = new Promise<Transport>((resolve) => (onAccept = resolve));
    const l = await listen((t) => onAccept(t));
    const client = await connectTcp('127.0.0.1', l.port);
    cleanup.push(() => client.close());
    const server = await accepted;
    expect(client.label).toMatch(/^tcp 127\.0\.0\.1:\d+$/);
    const payload = new Uint8Array(200_000).map((_, i) => i % 251);
    const atServer = received(server, payload.length);
    await client.write(payload);
    expect(await atServer).toEqual(payload);
    const atClient = received(client, 2);
    await server.write(Uint8Array.of(9, 8));
    expect(await atClient).toEqual(Uint8Array.of(9, 8));
  });

  it('a refused connection is open-failed, telling to start the agent', async () => {
    const port = await freePort();
    const error = await connectTcp('127.0.0.1', port).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'open-failed' });
    expect((error as TransportError).message).toContain('ECONNREFUSED');
    expect((error as TransportError).hint).toMatch(/reframe agent/);
  });

  it('the peer closing (EOF) is disconnected, with the resume hint', async () => {
    let server: Transport | undefined;
    const l = await listen((t) => (server = t));
    const client = await connectTcp('127.0.0.1', l.port);
    cleanup.push(() => client.close());
    while (server === undefined) await new Promise((r) => setTimeout(r, 5));
    const closed = new Promise<TransportError>((resolve) => client.onClose(resolve));
    await server.close();
    const error = await closed;
    expect(error.code).toBe('disconnected');
    expect(error.hint).toBe(DISCONNECTED_HINT);
    await expect(client.write(Uint8Array.of(1))).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('a peer reset is disconnected and names the reset', async () => {
    let peer: Socket | undefined;
    const raw: Server = createServer((s) => (peer = s));
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    cleanup.push(() => new Promise((r) => raw.close(r)));
    const client = await connectTcp('127.0.0.1', (raw.address() as { port: number }).port);
    cleanup.push(() => client.close());
    while (peer === undefined) await new Promise((r) => setTimeout(r, 5));
    const closed = new Promise<TransportError>((resolve) => client.onClose(resolve));
    peer.resetAndDestroy();
    const error = await closed;
    expect(error.code).toBe('disconnected');
    expect(error.message).toContain('ECONNRESET');
    expect(error.hint).toBe(DISCONNECTED_HINT);
  });

  it('our own close() fires no close event, and a listener on a taken port is open-failed', async () => {
    let server: Transport | undefined;
    const l = await listen((t) => (server = t));
    const client = await connectTcp('127.0.0.1', l.port);
    let fired = false;
    client.onClose(() => (fired = true));
    await client.close();
    while (server === undefined) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 50));
    expect(fired).toBe(false);
    const taken = await listenTcp('127.0.0.1', l.port, () => undefined).catch((e: unknown) => e);
    expect(taken).toMatchObject({ code: 'open-failed' });
    expect((taken as TransportError).hint).toMatch(/another program uses port/);
  });
});
