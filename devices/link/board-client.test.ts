import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../protocol/frame-codec.js';
import { decodeMessage, type LogLevel } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { createMockPair } from '../transport/mock-transport.js';
import { TransportError } from '../transport/transport.js';
import { BoardClient } from './board-client.js';
import { BoardTimeoutError } from './board-timeout-error.js';
import { FakeBoard } from './fake-board.fixture.js';
import { MessageLink } from './message-link.js';

describe('BoardClient', () => {
  it('handshakes through a board that misses the first HELLOs, and keeps its INFO', async () => {
    let dropped = 0;
    const [studio, board] = createMockPair({
      // The board is still booting: the first 0x00 and two HELLOs never arrive.
      tamperAToB: (b) => (dropped++ < 3 ? undefined : b),
    });
    new FakeBoard(board, { name: 'bench board' });
    const started = performance.now();
    const client = await BoardClient.connect(studio, { retryMs: 50 });
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
    expect(client.lastInfo.name).toBe('bench board');
    expect(client.lastInfo.maxMessage).toBe(1024);
    expect(client.maxChunk).toBe(1016);
  });

  it('gives up after helloTimeoutMs with a hint when nothing answers', async () => {
    const [studio] = createMockPair();
    const error = await BoardClient.connect(studio, { helloTimeoutMs: 200, retryMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BoardTimeoutError);
    expect((error as BoardTimeoutError).message).toMatch(/no board answered within 0\.2 s/);
    expect((error as BoardTimeoutError).hint).toMatch(/agent or firmware/);
  });

  it('refuses a board of another protocol version, whether it says so or answers INFO', async () => {
    const [studio, board] = createMockPair();
    new FakeBoard(board, { version: 2 });
    const error = await BoardClient.connect(studio, { retryMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'version', message: expect.stringMatching(/speaks push protocol version 2, this studio version 1/) });

    // A board that refuses HELLO's version with ERROR `version`.
    const [s2, b2] = createMockPair();
    const link = new MessageLink(b2, 256, { message: (m) => void link.send({ type: 'error', id: m.id, code: 'version', message: 'I speak version 7' }) });
    const refused = await BoardClient.connect(s2, { retryMs: 50 }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'version', message: expect.stringMatching(/does not speak push protocol version 1 \(it says: I speak version 7\)/) });
  });

  it('turns a board ERROR into a ProtocolError with its code and sentence', async () => {
    const [studio, board] = createMockPair();
    new FakeBoard(board);
    const client = await BoardClient.connect(studio);
    const error = await client.rollback().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProtocolError);
    expect(error).toMatchObject({ code: 'no-previous', message: 'nothing to roll back to' });
    await expect(client.infer(new Float32Array(4))).rejects.toMatchObject({ code: 'no-model' });
    await expect(client.abort()).resolves.toEqual({ active: undefined, previous: undefined });
  });

  it('numbers requests 1…65535 and wraps past 65535 to 1', async () => {
    const ids: number[] = [];
    const decoder = new FrameDecoder(4096);
    const [studio, board] = createMockPair({
      tamperAToB: (b) => {
        for (const e of decoder.push(b)) if (e.kind === 'frame') ids.push(decodeMessage(e.message).id);
        return b;
      },
    });
    new FakeBoard(board);
    const client = await BoardClient.connect(studio);
    expect(ids[0]).toBe(1);
    (client as unknown as { nextId: number }).nextId = 65534;
    for (let i = 0; i < 4; i++) await client.abort();
    expect(ids.slice(-4)).toEqual([65534, 65535, 1, 2]);
  });

  it('times a request out when the board stays silent, and ignores the late answer', async () => {
    const [studio, board] = createMockPair();
    const fake = new FakeBoard(board, { ackDelayMs: 150 });
    const client = await BoardClient.connect(studio, { requestTimeoutMs: 1000 });
    const error = await client.abort(50).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BoardTimeoutError);
    expect((error as BoardTimeoutError).message).toMatch(/no answer to ABORT within 0\.1 s/);
    // The late STATE arrives meanwhile and must not be taken as the next request's answer.
    await expect(client.info()).resolves.toMatchObject({ name: 'fake board' });
    expect(fake.maxUnanswered).toBe(0);
  });

  it('sends a request again, same id, when its frame or its answer is lost', async () => {
    const sent: [string, number][] = [];
    const decoder = new FrameDecoder(4096);
    let dropNextAbort = true;
    const [studio, board] = createMockPair({
      tamperAToB: (b) => {
        for (const e of decoder.push(b)) {
          if (e.kind !== 'frame') continue;
          const m = decodeMessage(e.message);
          sent.push([m.type, m.id]);
          if (m.type === 'abort' && dropNextAbort) {
            dropNextAbort = false;
            return undefined;
          }
        }
        return b;
      },
    });
    new FakeBoard(board);
    const client = await BoardClient.connect(studio, { resendMs: 100 });
    await expect(client.abort(2000)).resolves.toEqual({ active: undefined, previous: undefined });
    const aborts = sent.filter(([type]) => type === 'abort');
    expect(aborts.length).toBe(2);
    expect(aborts[0]![1]).toBe(aborts[1]![1]);
  });

  it('forwards LOG messages to the listener', async () => {
    const [studio, board] = createMockPair();
    const fake = new FakeBoard(board);
    const logs: [LogLevel, string][] = [];
    await BoardClient.connect(studio, { onLog: (level, text) => logs.push([level, text]) });
    await fake.log('slot B written');
    await new Promise((r) => setTimeout(r, 20));
    expect(logs).toEqual([['info', 'slot B written']]);
  });

  it('fails every waiting request with the TransportError when the link goes away, hint kept', async () => {
    const [studio, board] = createMockPair();
    new FakeBoard(board, { ackDelayMs: 200 });
    const client = await BoardClient.connect(studio);
    const waiting = [client.abort(), client.info(), client.bench(3)];
    studio.unplug();
    for (const w of waiting) {
      const error = await w.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({ code: 'disconnected', hint: 'reconnect the board and run the command again' });
    }
    await expect(client.abort()).rejects.toMatchObject({ code: 'disconnected' });
  });

  it('splits an INFER input into parts that fit the board, and collects BENCH frames flagged MORE', async () => {
    const inferParts: number[] = [];
    const decoder = new FrameDecoder(4096);
    const [studio, board] = createMockPair({
      tamperAToB: (b) => {
        for (const e of decoder.push(b)) if (e.kind === 'frame' && decodeMessage(e.message).type === 'infer') inferParts.push(e.message.length);
        return b;
      },
    });
    const fake = new FakeBoard(board, { maxMessage: 256 });
    fake.active = new Uint8Array(32).fill(7);
    const client = await BoardClient.connect(studio);
    const input = Float32Array.from({ length: 784 }, (_, i) => (i % 13) / 13);
    const result = await client.infer(input);
    const sum = input.reduce((s, v) => s + v, 0);
    expect(result).toMatchObject({ engine: 'fake', micros: 1234 });
    expect(result.logits[3]).toBeCloseTo(3 * sum, 2);
    // 3,136 bytes in parts of 244 (256 less 12 bytes of header, offset and total).
    expect(inferParts.length).toBe(Math.ceil(3136 / 244));
    for (const n of inferParts) expect(n).toBeLessThanOrEqual(256);
    const bench = await client.bench(5);
    expect(bench.runs).toBe(5);
    expect(bench.layers.map((l) => l.name)).toEqual(['layer0', 'layer1', 'layer2', 'layer3', 'layer4', 'layer5', 'layer6']);
  });
});
