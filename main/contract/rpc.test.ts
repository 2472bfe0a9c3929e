import { describe, expect, it } from 'vitest';
import { createApiClient, parseRpcRequest, serveApi, StudioApiError, type Channel, type RpcMessage, type StudioEventSource } from './rpc.js';
import { STUDIO_EVENTS, STUDIO_METHOD_ARITY, STUDIO_METHODS, type StudioApi, type StudioErrorData, type StudioEventName, type StudioEvents } from './studio-api.js';

/** Two connected in-memory channels; messages go through JSON, as over a WebSocket, on a later turn. */
function channelPair(): { ui: Channel; studio: Channel; close: (e: StudioErrorData) => void; sent: RpcMessage[] } {
  const listeners = { ui: new Set<(m: RpcMessage) => void>(), studio: new Set<(m: RpcMessage) => void>() };
  const closers = new Set<(e: StudioErrorData) => void>();
  const sent: RpcMessage[] = [];
  const end = (me: 'ui' | 'studio', peer: 'ui' | 'studio'): Channel => ({
    send(m) {
      if (me === 'ui') sent.push(m);
      const text = JSON.stringify(m);
      setImmediate(() => {
        for (const l of listeners[peer]) l(JSON.parse(text) as RpcMessage);
      });
    },
    onMessage(l) {
      listeners[me].add(l);
      return () => listeners[me].delete(l);
    },
    onClose(l) {
      closers.add(l);
      return () => closers.delete(l);
    },
  });
  return { ui: end('ui', 'studio'), studio: end('studio', 'ui'), close: (e) => closers.forEach((l) => l(e)), sent };
}

class Emitter implements StudioEventSource {
  readonly listeners = new Map<StudioEventName, Set<(p: never) => void>>();
  on<E extends StudioEventName>(event: E, listener: (payload: StudioEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    this.listeners.set(event, set);
    set.add(listener as (p: never) => void);
    return () => set.delete(listener as (p: never) => void);
  }
  emit<E extends StudioEventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of this.listeners.get(event) ?? []) (l as (p: StudioEvents[E]) => void)(payload);
  }
  count(event: StudioEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}

/** An implementation whose every method fails unless the test gives it. */
function fakeApi(parts: Partial<StudioApi>): StudioApi {
  return new Proxy(parts as StudioApi, {
    get: (target, p) => (target as unknown as Record<string | symbol, unknown>)[p] ?? (() => Promise.reject(new Error(`${String(p)} not in this fake`))),
  });
}

const tick = () => new Promise((r) => setTimeout(r, 5));

describe('the contract tables', () => {
  it('list every method once with a sane argument count, and every event', () => {
    expect(new Set(STUDIO_METHODS).size).toBe(STUDIO_METHODS.length);
    expect(STUDIO_METHODS).toContain('pushPackage');
    for (const m of STUDIO_METHODS) {
      const [fewest, most] = STUDIO_METHOD_ARITY[m];
      expect(fewest).toBeLessThanOrEqual(most);
    }
    expect(STUDIO_EVENTS).toEqual(expect.arrayContaining(['training.step', 'push.progress', 'boards.changed']));
  });
});

describe('the generic proxy', () => {
  it('carries calls, results and arguments through JSON', async () => {
    const pair = channelPair();
    serveApi(fakeApi({ saveSpec: (path, text) => Promise.resolve({ path, bytes: text.length }), appInfo: () => Promise.resolve({ name: 'ReFrame Studio', version: '0.1.0', shell: 'browser', workspace: '/w', trainingEngine: 'tfjs-wasm', nativeEngineAvailable: false, platform: 'linux' }) }), pair.studio, new Emitter());
    const { api } = createApiClient(pair.ui);
    await expect(api.saveSpec('/tmp/a.json', '{"x":1}')).resolves.toEqual({ path: '/tmp/a.json', bytes: 7 });
    await expect(api.appInfo()).resolves.toMatchObject({ shell: 'browser', trainingEngine: 'tfjs-wasm' });
  });

  it('drops a trailing undefined argument instead of sending null', async () => {
    const pair = channelPair();
    const seen: unknown[][] = [];
    serveApi(fakeApi({ listBoards: (...args: unknown[]) => (seen.push(args), Promise.resolve({ serial: [], serialProblem: null, network: [], remembered: [] })) }), pair.studio, new Emitter());
    const { api } = createApiClient(pair.ui);
    await api.listBoards(undefined);
    await api.listBoards(250);
    expect(seen).toEqual([[], [250]]);
  });

  it('rejects with the code, sentence and hint the studio gave', async () => {
    const pair = channelPair();
    const failing = Object.assign(new Error('cannot read spec file /x.json: no such file'), { code: 'not-found', hint: 'check the path' });
    serveApi(fakeApi({ openSpec: () => Promise.reject(failing) }), pair.studio, new Emitter(), {
      describeError: (e) => ({ code: (e as { code: string }).code, message: (e as Error).message, hint: (e as { hint: string }).hint }),
    });
    const { api } = createApiClient(pair.ui);
    const error = await api.openSpec('/x.json').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StudioApiError);
    expect(error).toMatchObject({ code: 'not-found', message: 'cannot read spec file /x.json: no such file', hint: 'check the path' });
  });

  it('keeps an error without a code as an internal error with a hint', async () => {
    const pair = channelPair();
    serveApi(fakeApi({ listRuns: () => Promise.reject(new TypeError('boom')) }), pair.studio, new Emitter());
    const { api } = createApiClient(pair.ui);
    await expect(api.listRuns()).rejects.toMatchObject({ code: 'internal', message: 'boom', hint: expect.stringContaining('try again') });
  });

  it('is not thenable and has only the contract methods', () => {
    const { api } = createApiClient(channelPair().ui);
    expect((api as unknown as { then?: unknown }).then).toBeUndefined();
    expect('openSpec' in api).toBe(true);
    expect('constructor' in api).toBe(false);
    expect(typeof api.openSpec).toBe('function');
    expect(api.openSpec).toBe(api.openSpec);
  });

  it('refuses a wrong argument count on both sides', async () => {
    const pair = channelPair();
    let called = false;
    serveApi(fakeApi({ diffPackages: () => ((called = true), Promise.reject(new Error('ran'))) }), pair.studio, new Emitter());
    const { api } = createApiClient(pair.ui);
    await expect((api.diffPackages as (...a: unknown[]) => Promise<unknown>)('a')).rejects.toMatchObject({ code: 'bad-call' });
    // A hostile or outdated UI that skips the client's check gets an answer too, and nothing runs.
    const answers: RpcMessage[] = [];
    pair.ui.onMessage((m) => answers.push(m));
    pair.ui.send({ kind: 'call', id: 99, method: 'diffPackages', args: ['a'] });
    pair.ui.send({ kind: 'call', id: 100, method: 'rm -rf' as never, args: [] });
    pair.ui.send({ kind: 'bogus' } as never);
    await tick();
    expect(called).toBe(false);
    expect(answers).toEqual([
      { kind: 'error', id: 99, error: expect.objectContaining({ code: 'bad-call', message: 'diffPackages was called with the wrong number of arguments' }) },
      { kind: 'error', id: 100, error: expect.objectContaining({ code: 'bad-call', message: '"rm -rf" is not a method of the studio' }) },
    ]);
  });

  it('subscribes on the far side only while someone listens, and forwards payloads', async () => {
    const pair = channelPair();
    const events = new Emitter();
    serveApi(fakeApi({}), pair.studio, events);
    const client = createApiClient(pair.ui);
    const a: number[] = [];
    const b: number[] = [];
    const offA = client.on('push.progress', (p) => a.push(p.acked));
    const offB = client.on('push.progress', (p) => b.push(p.acked));
    await tick();
    expect(events.count('push.progress')).toBe(1);
    expect(events.count('training.step')).toBe(0);
    const progress = { pushId: 'p1', sent: 10, acked: 8, total: 100, bytesPerSecond: 80, etaSeconds: 1.15, resumedFrom: 0, kind: 'full' as const };
    events.emit('push.progress', progress);
    events.emit('training.step', { runId: 'r', epoch: 0, step: 1, stepsPerEpoch: 2, loss: 1, accuracy: 0, imagesPerSecond: 1, etaSeconds: 1 });
    await tick();
    expect([a, b]).toEqual([[8], [8]]);
    offA();
    await tick();
    expect(events.count('push.progress')).toBe(1);
    offB();
    offB();
    await tick();
    expect(events.count('push.progress')).toBe(0);
    expect(pair.sent.filter((m) => m.kind === 'subscribe' || m.kind === 'unsubscribe')).toEqual([
      { kind: 'subscribe', event: 'push.progress' },
      { kind: 'unsubscribe', event: 'push.progress' },
    ]);
  });

  it('fails waiting calls when the channel closes, and drops the subscriptions', async () => {
    const pair = channelPair();
    const events = new Emitter();
    serveApi(fakeApi({ listPackages: () => new Promise(() => undefined) }), pair.studio, events);
    const client = createApiClient(pair.ui);
    client.on('training.done', () => undefined);
    const waiting = client.api.listPackages();
    await tick();
    expect(events.count('training.done')).toBe(1);
    pair.close({ code: 'disconnected', message: 'the connection to the studio closed', hint: 'start it again' });
    await expect(waiting).rejects.toMatchObject({ code: 'disconnected', hint: 'start it again' });
    await expect(client.api.listRuns()).rejects.toMatchObject({ code: 'disconnected' });
    expect(events.count('training.done')).toBe(0);
  });
});

describe('parseRpcRequest', () => {
  it('accepts well-formed calls and subscriptions only', () => {
    expect(parseRpcRequest({ kind: 'call', id: 1, method: 'openSpec', args: ['/a.json'] })).toEqual({ kind: 'call', id: 1, method: 'openSpec', args: ['/a.json'] });
    expect(parseRpcRequest({ kind: 'subscribe', event: 'push.done' })).toEqual({ kind: 'subscribe', event: 'push.done' });
    for (const bad of [
      null,
      'call',
      [],
      { kind: 'call', id: -1, method: 'openSpec', args: ['/a'] },
      { kind: 'call', id: 1.5, method: 'openSpec', args: ['/a'] },
      { kind: 'call', id: 1, method: 'openSpec', args: '/a' },
      { kind: 'call', id: 1, method: 'openSpec', args: [] },
      { kind: 'call', id: 1, method: 'toString', args: [] },
      { kind: 'call', id: 1, method: '__proto__', args: [] },
      { kind: 'subscribe', event: 'fs.read' },
      { kind: 'result', id: 1, value: 2 },
      { kind: 'event', event: 'push.done', payload: {} },
    ]) {
      expect(parseRpcRequest(bad)).toBeUndefined();
    }
  });
});
