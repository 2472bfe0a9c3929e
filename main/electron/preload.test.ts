import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { StudioBridge } from '../contract/studio-channel.js';
import { STUDIO_IPC_CHANNEL } from './ipc-names.js';

// Electron is absent here: the preload runs against a contextBridge and an ipcRenderer that record
// everything it does with them, so the test sees exactly what the page would get and what reaches main.
type Listener = (event: unknown, ...args: unknown[]) => void;
const exposed: [world: string, key: string, api: unknown][] = [];
const ipcCalls: [method: string, ...args: unknown[]][] = [];
const listeners = new Map<string, Set<Listener>>();
vi.mock('electron', () => {
  const record =
    (method: string) =>
    (...args: unknown[]): void => {
      ipcCalls.push([method, ...args]);
    };
  return {
    contextBridge: {
      exposeInMainWorld: (key: string, api: unknown) => exposed.push(['main', key, api]),
      exposeInIsolatedWorld: (worldId: number, key: string, api: unknown) => exposed.push([`isolated ${worldId}`, key, api]),
      executeInMainWorld: (script: unknown) => exposed.push(['main (executed)', 'script', script]),
    },
    ipcRenderer: {
      send: record('send'),
      sendSync: record('sendSync'),
      invoke: record('invoke'),
      postMessage: record('postMessage'),
      sendToHost: record('sendToHost'),
      on: (channel: string, l: Listener) => {
        ipcCalls.push(['on', channel]);
        const set = listeners.get(channel) ?? new Set();
        listeners.set(channel, set);
        set.add(l);
      },
      once: record('once'),
      addListener: record('addListener'),
      removeListener: (channel: string, l: Listener) => {
        ipcCalls.push(['removeListener', channel]);
        listeners.get(channel)?.delete(l);
      },
      removeAllListeners: record('removeAllListeners'),
    },
  };
});

let studio: StudioBridge;
let globalsAdded: (string | symbol)[];
beforeAll(async () => {
  const before = new Set(Reflect.ownKeys(globalThis));
  await import('./preload.js');
  globalsAdded = Reflect.ownKeys(globalThis).filter((k) => !before.has(k));
  studio = exposed[0]?.[2] as StudioBridge;
});

const fromMain = (message: unknown): void => {
  for (const l of listeners.get(STUDIO_IPC_CHANNEL) ?? []) l({ sender: 'the IPC event must not reach the page' }, message);
};

/** A function the bridge hands the page carries nothing but its name and length. */
const bareFunction = (f: unknown): boolean => typeof f === 'function' && Reflect.ownKeys(f).every((k) => k === 'length' || k === 'name');

describe('the preload', () => {
  it('exposes one object, window.studio, with send and onMessage and nothing else, and touches no global', () => {
    expect(exposed.map(([world, key]) => `${world}: ${key}`)).toEqual(['main: studio']);
    // Every own key, enumerable or not, symbols included; both plain data properties (no getters).
    expect(Reflect.ownKeys(studio).sort()).toEqual(['onMessage', 'send']);
    for (const key of ['send', 'onMessage']) {
      const d = Object.getOwnPropertyDescriptor(studio, key);
      expect(d?.get, key).toBeUndefined();
      expect(bareFunction(d?.value), key).toBe(true);
    }
    expect(Object.getPrototypeOf(studio)).toBe(Object.prototype);
    expect(globalsAdded).toEqual([]);
    // Loading the preload registers nothing with main; listening starts when the page asks.
    expect(ipcCalls).toEqual([]);
  });

  it('forwards a fresh copy of each well-formed call or subscription on the one channel, and refuses anything else', () => {
    ipcCalls.length = 0;
    const call = { kind: 'call', id: 1, method: 'openSpec', args: ['/a.json'], extra: 'not part of a call' };
    expect(studio.send(call as never)).toBeUndefined();
    studio.send({ kind: 'subscribe', event: 'push.progress' });
    studio.send({ kind: 'unsubscribe', event: 'push.progress' });
    expect(ipcCalls).toEqual([
      ['send', STUDIO_IPC_CHANNEL, { kind: 'call', id: 1, method: 'openSpec', args: ['/a.json'] }],
      ['send', STUDIO_IPC_CHANNEL, { kind: 'subscribe', event: 'push.progress' }],
      ['send', STUDIO_IPC_CHANNEL, { kind: 'unsubscribe', event: 'push.progress' }],
    ]);
    // What crosses is the preload's own object: the page's (with its extra field) never reaches main.
    expect(ipcCalls[0]?.[2]).not.toBe(call);
    const refused = [
      { kind: 'call', id: 2, method: 'require', args: ['child_process'] },
      { kind: 'call', id: 3, method: 'openSpec', args: [] },
      { kind: 'call', id: 4, method: 'openSpec', args: ['/a', '/b'] },
      { kind: 'call', id: 5, method: '__proto__', args: [] },
      { kind: 'call', id: -1, method: 'openSpec', args: ['/a'] },
      { kind: 'result', id: 5, value: 1 },
      { kind: 'event', event: 'push.done', payload: {} },
      { kind: 'subscribe', event: 'fs.watch' },
      'openSpec',
      null,
    ];
    for (const m of refused) expect(() => studio.send(m as never)).toThrow(TypeError);
    expect(ipcCalls).toHaveLength(3);
  });

  it('hands the page well-formed answers and events only, as the one argument, and stops when asked', () => {
    ipcCalls.length = 0;
    const got: unknown[][] = [];
    const thisSeen: unknown[] = [];
    const off = studio.onMessage(function (this: unknown, ...args: unknown[]) {
      thisSeen.push(this);
      got.push(args);
    });
    expect(bareFunction(off)).toBe(true);
    fromMain({ kind: 'result', id: 1, value: { ok: true } });
    fromMain({ kind: 'event', event: 'training.step', payload: { runId: 'r' } });
    fromMain({ kind: 'error', id: 2, error: { code: 'x', message: 'y', hint: 'z' } });
    fromMain({ kind: 'call', id: 3, method: 'openSpec', args: ['/a'] });
    fromMain({ kind: 'subscribe', event: 'push.done' });
    fromMain({ kind: 'event', event: 'no.such', payload: {} });
    fromMain('garbage');
    // Never the IPC event (it would hand the page `sender`), never a `this`.
    expect(got).toEqual([
      [{ kind: 'result', id: 1, value: { ok: true } }],
      [{ kind: 'event', event: 'training.step', payload: { runId: 'r' } }],
      [{ kind: 'error', id: 2, error: { code: 'x', message: 'y', hint: 'z' } }],
    ]);
    expect(thisSeen).toEqual([undefined, undefined, undefined]);
    expect(off()).toBeUndefined();
    fromMain({ kind: 'result', id: 9, value: 1 });
    expect(got).toHaveLength(3);
    expect(listeners.get(STUDIO_IPC_CHANNEL)?.size).toBe(0);
    expect(() => studio.onMessage('not a function' as never)).toThrow(TypeError);
    // The page's listening used `on` and `removeListener` of the one channel, and nothing else of ipcRenderer.
    expect(ipcCalls).toEqual([
      ['on', STUDIO_IPC_CHANNEL],
      ['removeListener', STUDIO_IPC_CHANNEL],
    ]);
  });
});
