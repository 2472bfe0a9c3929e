import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, MESSAGE_TYPES, type Message } from './messages.js';
import { ProtocolError } from './protocol-error.js';

const d = (b: number): Uint8Array => new Uint8Array(32).fill(b);

const samples: Message[] = [
  { type: 'hello', id: 1, version: 1, maxMessage: 8192 },
  {
    type: 'info',
    id: 1,
    info: {
      version: 1,
      maxMessage: 8192,
      capabilities: { infer: true, bench: true, delta: true, signatureRequired: false, persistentResume: true },
      ramBytes: 1 << 20,
      storageBytes: 1 << 30,
      active: d(1),
      previous: undefined,
      pending: { digest: d(2), size: 1000, offset: 500 },
      name: 'pi-4 ✓',
      runtime: 'reframe-agent 0.1.0 (Node 20, tfjs-wasm)',
    },
  },
  { type: 'begin', id: 2, digest: d(3), size: 123456, kind: 'delta' },
  { type: 'chunk', id: 3, offset: 4096, bytes: Uint8Array.of(0, 1, 2, 0) },
  { type: 'ack', id: 3, offset: 4100, gap: true },
  { type: 'commit', id: 4, digest: d(3) },
  { type: 'state', id: 4, active: d(3), previous: d(1) },
  { type: 'activate', id: 5, digest: d(1) },
  { type: 'rollback', id: 6 },
  { type: 'abort', id: 7 },
  { type: 'infer', id: 8, offset: 0, total: 8, bytes: new Uint8Array(8) },
  { type: 'result', id: 8, micros: 1234, engine: 'tfjs-wasm', logits: Float32Array.of(1.5, -2, 0.25) },
  { type: 'bench', id: 9, runs: 10 },
  { type: 'bench-result', id: 9, more: true, runs: 10, engine: 'tfjs-wasm', layers: [{ index: 3, name: 'stem.conv', op: 'conv', micros: 12.5 }] },
  { type: 'log', id: 0, level: 'warn', text: 'storage nearly full' },
  { type: 'error', id: 4, code: 'signature', message: 'package is unsigned and this board requires a signature' },
];

describe('messages', () => {
  it('covers every message type', () => {
    expect(new Set(samples.map((m) => m.type))).toEqual(new Set(Object.keys(MESSAGE_TYPES)));
  });

  it.each(samples.map((m) => [m.type, m] as const))('%s round-trips', (_, m) => {
    expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('cuts long strings at a character boundary', () => {
    const m = decodeMessage(encodeMessage({ ...(samples[1] as Extract<Message, { type: 'info' }>), info: { ...(samples[1] as Extract<Message, { type: 'info' }>).info, name: 'é'.repeat(200) } }));
    expect(m.type === 'info' && m.info.name).toBe('é'.repeat(127));
  });

  const bad: [string, number[], string][] = [
    ['short', [1, 0, 0], 'at least 4 bytes'],
    ['unknown type', [0x7f, 0, 0, 0], 'unknown message type 0x7f'],
    ['truncated HELLO', [1, 0, 1, 0, 1, 0], 'HELLO message ends early'],
    ['HELLO with extra bytes', [1, 0, 1, 0, 1, 0, 0, 1, 0, 0, 9], '1 bytes too many'],
    ['BEGIN with zero digest', [3, 0, 1, 0, ...new Array<number>(32).fill(0), 1, 0, 0, 0, 0], 'all-zero digest'],
    ['BEGIN with unknown kind', [3, 0, 1, 0, ...new Array<number>(32).fill(1), 1, 0, 0, 0, 7], 'kind 7'],
    ['INFER past its end', [0x0a, 0, 1, 0, 4, 0, 0, 0, 4, 0, 0, 0, 1], 'runs past'],
  ];
  it.each(bad)('rejects a %s message', (_, bytes, text) => {
    expect(() => decodeMessage(Uint8Array.from(bytes))).toThrow(ProtocolError);
    expect(() => decodeMessage(Uint8Array.from(bytes))).toThrow(text);
  });

  it('keeps an unknown error number readable', () => {
    const m = decodeMessage(Uint8Array.of(0x0f, 0, 2, 0, 0xe7, 0x03, 0x68, 0x69));
    expect(m).toEqual({ type: 'error', id: 2, code: 'internal', message: 'error 999: hi' });
  });
});
