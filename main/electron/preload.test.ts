import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { StudioBridge } from '../contract/studio-channel.js';
import { STUDIO_IPC_CHANNEL } from './ipc-names.js';

// Electron is absent here: the preload runs against a contextBridge and an ipcRenderer that record
// what it does, so the test sees exactly what the page would get.
const exposed = new Map<string, unknown>();
const sent: unknown[][] = [];
const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    send: (...args: unknown[]) => sent.push(args),
    on: (channel: string, l: (event: unknown, ...args: unknown[]) => void) => {
      const set = listeners.get(channel) ?? new Set();
      listeners.set(channel, set);
      set.add(l);
    },
    removeListener: (channel: string, l: (event: unknown, ...args: unknown[]) => void) => listeners.get(channel)?.delete(l),
  },
}));

let studio: StudioBridge;
beforeAll(async () => {
  await import('./preload.js');
  studio = exposed.get('studio') as StudioBridge;
});

const fromMain = (message: unknown): void => {
  for (const l of listeners.get(STUDIO_IPC_CHANNEL) ?? []) l({ sender: 'the IPC event must not reach the page' }, message);
};

describe('the preload', () => {
  it('exposes one object, window.studio, with send and onMessage and nothing else', () => {
    expect([...exposed.keys()]).toEqual(['studio']);
    expect(Object.keys(studio).sort()).toEqual(['onMessage', 'send']);
    expect(Object.getPrototypeOf(studio)).toBe(Object.prototype);
    expect(typeof studio.send).toBe('function');
    expect(typeof studio.onMessage).toBe('function');
  });

  it('forwards well-formed calls and subscriptions on the one channel, and refuses anything else', () => {
    sent.length = 0;
    studio.send({ kind: 'call', id: 1, method: 'openSpec', args: ['/a.json'] });
    studio.send({ kind: 'subscribe', event: 'push.progress' });
    expect(sent).toEqual([
      [STUDIO_IPC_CHANNEL, { kind: 'call', id: 1, method: 'openSpec', args: ['/a.json'] }],
      [STUDIO_IPC_CHANNEL, { kind: 'subscribe', event: 'push.progress' }],
    ]);
    const refused = [
      { kind: 'call', id: 2, method: 'require', args: ['child_process'] },
      { kind: 'call', id: 3, method: 'openSpec', args: [] },
      { kind: 'call', id: 4, method: 'openSpec', args: ['/a', '/b'] },
      { kind: 'result', id: 5, value: 1 },
      { kind: 'event', event: 'push.done', payload: {} },
      { kind: 'subscribe', event: 'fs.watch' },
      'openSpec',
      null,
    ];
    for (const m of refused) expect(() => studio.send(m as never)).toThrow(TypeError);
    expect(sent).toHaveLength(2);
  });

  it('hands the page well-formed answers and events only, without the IPC event, and stops when asked', () => {
    const got: unknown[] = [];
    const off = studio.onMessage((m) => got.push(m));
    fromMain({ kind: 'result', id: 1, value: { ok: true } });
    fromMain({ kind: 'event', event: 'training.step', payload: { runId: 'r' } });
    fromMain({ kind: 'error', id: 2, error: { code: 'x', message: 'y', hint: 'z' } });
    fromMain({ kind: 'call', id: 3, method: 'openSpec', args: ['/a'] });
    fromMain({ kind: 'event', event: 'no.such', payload: {} });
    fromMain('garbage');
    expect(got).toEqual([
      { kind: 'result', id: 1, value: { ok: true } },
      { kind: 'event', event: 'training.step', payload: { runId: 'r' } },
      { kind: 'error', id: 2, error: { code: 'x', message: 'y', hint: 'z' } },
    ]);
    off();
    fromMain({ kind: 'result', id: 9, value: 1 });
    expect(got).toHaveLength(3);
    expect(listeners.get(STUDIO_IPC_CHANNEL)?.size).toBe(0);
    expect(() => studio.onMessage('not a function' as never)).toThrow(TypeError);
  });
});
