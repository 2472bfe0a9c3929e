import { describe, expect, it } from 'vitest';
import { makeDelta } from '../../core/package/delta-package.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { packPreset, presetGraph, retrainedPreset } from '../../core/package/package-test-support.fixture.js';
import { FrameDecoder } from '../protocol/frame-codec.js';
import { decodeMessage } from '../protocol/messages.js';
import { createMockPair, type MockWire } from '../transport/mock-transport.js';
import { BoardClient } from './board-client.js';
import { BoardTimeoutError } from './board-timeout-error.js';
import { FakeBoard, type FakeBoardOptions } from './fake-board.fixture.js';
import { pushPackage, type PushProgress } from './push.js';
import { PushError } from './push-error.js';
import { fileDigest } from '../protocol/file-digest.js';

/** 64,772 bytes: about 64 chunks of 1,016. */
const PKG = packPreset('reframe-resnet8-fashion', 'fp32');

const retrained = (): Uint8Array => retrainedPreset('reframe-resnet8-fashion', 'fp32', 0.01);

async function setup(board: FakeBoardOptions = {}, wire: MockWire = {}): Promise<{ client: BoardClient; fake: FakeBoard }> {
  const [studio, end] = createMockPair(wire);
  const fake = new FakeBoard(end, board);
  return { client: await BoardClient.connect(studio), fake };
}

function held(fake: FakeBoard, bytes: Uint8Array): Uint8Array | undefined {
  return fake.store.get(Buffer.from(fileDigest(bytes)).toString('hex'));
}

describe('pushPackage over the mock pair', () => {
  it('sends the package, commits it, and the board holds exactly those bytes', async () => {
    const { client, fake } = await setup();
    const progress: PushProgress[] = [];
    const r = await pushPackage(client, PKG, { onProgress: (p) => progress.push(p) });
    expect(r.kind).toBe('full');
    expect(r.resumedFrom).toBe(0);
    expect(r.bytesSent).toBe(PKG.length);
    expect(r.state.active).toEqual(fileDigest(PKG));
    expect(held(fake, PKG)).toEqual(PKG);
    expect(fake.begins).toEqual([{ size: PKG.length, kind: 'full' }]);
    const last = progress.at(-1)!;
    expect(last).toMatchObject({ acked: PKG.length, sent: PKG.length, total: PKG.length, kind: 'full', resumedFrom: 0 });
    expect(last.bytesPerSecond).toBeGreaterThan(0);
    expect(PKG.length).toBeGreaterThan(60_000);
  });

  it('never has more than `window` bytes unacknowledged at the board', async () => {
    const { client, fake } = await setup({ ackDelayMs: 1 });
    await pushPackage(client, PKG, { window: 3000, chunkSize: 700 });
    expect(held(fake, PKG)).toEqual(PKG);
    expect(fake.maxUnanswered).toBeGreaterThan(2000);
    expect(fake.maxUnanswered).toBeLessThanOrEqual(3000);
    for (const c of fake.chunks) expect(c.length).toBeLessThanOrEqual(700);
  });

  it('skips a package the board runs, and activates one it holds as previous', async () => {
    const other = packPreset('reframe-resnet8-fashion', 'fp16');
    const { client, fake } = await setup({ holds: [PKG, other] });
    const r = await pushPackage(client, PKG);
    expect(r).toMatchObject({ kind: 'already-active', bytesSent: 0 });
    const back = await pushPackage(client, other);
    expect(back).toMatchObject({ kind: 'activated-previous', bytesSent: 0 });
    expect(back.state).toEqual({ active: fileDigest(other), previous: fileDigest(PKG) });
    expect(fake.begins).toEqual([]);
  });

  it('resumes from the offset the board holds after a cancelled push', async () => {
    const [studio, end] = createMockPair();
    const fake = new FakeBoard(end);
    const abort = new AbortController();
    const first = await BoardClient.connect(studio);
    const cancelled = await pushPackage(first, PKG, { signal: abort.signal, onProgress: (p) => p.acked > PKG.length * 0.4 && abort.abort() }).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(PushError);
    expect(cancelled).toMatchObject({ code: 'cancelled', hint: expect.stringMatching(/resume/) });
    await first.close();
    const held40 = fake.upload!.contiguous;
    expect(held40).toBeGreaterThan(PKG.length * 0.4);

    // The studio comes back on a new link; the board kept its pending upload.
    const [studio2, end2] = createMockPair();
    fake.reattach(end2);
    const seenBefore = fake.chunks.length;
    const r = await pushPackage(await BoardClient.connect(studio2), PKG);
    expect(r.kind).toBe('full');
    expect(r.resumedFrom).toBe(held40);
    expect(r.bytesSent).toBe(PKG.length - held40);
    expect(fake.chunks.slice(seenBefore)[0]!.offset).toBe(held40);
    expect(held(fake, PKG)).toEqual(PKG);
  });

  it('rewinds once on a GAP when one chunk is lost, and still delivers every byte', async () => {
    let chunkFrames = 0;
    const decoder = new FrameDecoder(4096);
    const { client, fake } = await setup(
      { ackDelayMs: 1 },
      {
        tamperAToB: (b) => {
          for (const e of decoder.push(b)) if (e.kind === 'frame' && decodeMessage(e.message).type === 'chunk' && ++chunkFrames === 4) return undefined;
          return b;
        },
      },
    );
    const r = await pushPackage(client, PKG, { window: 8192 });
    expect(held(fake, PKG)).toEqual(PKG);
    const lostAt = 3 * client.maxChunk;
    // Chunks beyond the hole were answered with GAP; exactly one rewind resent the hole.
    expect(fake.chunks.filter((c) => c.epochGap).length).toBeGreaterThan(0);
    expect(fake.chunks.filter((c) => c.offset === lostAt && !c.epochGap).length).toBe(1);
    expect(r.bytesSent).toBeGreaterThan(PKG.length);
    expect(r.bytesSent).toBeLessThanOrEqual(PKG.length + 8192);
  });

  it('completes with exact bytes when every ~50th frame is corrupted both ways', async () => {
    let ab = 0;
    let ba = 0;
    const flip = (b: Uint8Array): Uint8Array => {
      const c = b.slice();
      const i = Math.floor(c.length / 2);
      c[i] = c[i]! ^ 0x10;
      return c;
    };
    const { client, fake } = await setup(
      {},
      {
        tamperAToB: (b) => (++ab % 50 === 0 && b.length > 1 ? flip(b) : b),
        tamperBToA: (b) => (++ba % 47 === 0 && b.length > 1 ? flip(b) : b),
      },
    );
    const r = await pushPackage(client, PKG, { ackTimeoutMs: 200, chunkSize: 512 });
    expect(r.kind).toBe('full');
    expect(held(fake, PKG)).toEqual(PKG);
    // At least two frames spoiled each way, and the losses cost resends.
    expect(ab).toBeGreaterThan(100);
    expect(ba).toBeGreaterThan(94);
    expect(r.bytesSent).toBeGreaterThan(PKG.length);
  });

  it('says the board stopped answering, at which byte, after 5 ack timeouts in a row', async () => {
    const { client, fake } = await setup({ silentAfter: 10_000 });
    const started = performance.now();
    const error = await pushPackage(client, PKG, { ackTimeoutMs: 60 }).catch((e: unknown) => e);
    const ms = performance.now() - started;
    expect(error).toBeInstanceOf(BoardTimeoutError);
    const held = fake.upload!.contiguous;
    expect((error as Error).message).toMatch(new RegExp(`^the board stopped answering at byte \\d+ of ${PKG.length}; check it is powered and attached, then run the same push again to resume$`));
    const n = Number(/at byte (\d+)/.exec((error as Error).message)![1]);
    expect(n).toBeLessThanOrEqual(held);
    expect(n).toBeGreaterThan(10_000 - 2 * client.maxChunk);
    expect(ms).toBeGreaterThanOrEqual(5 * 60 - 20);
  });

  it('sends a delta when one is offered from the board\'s active package', async () => {
    const target = retrained();
    const delta = makeDelta(PKG, target);
    const { client, fake } = await setup({ holds: [PKG] });
    const offered: Uint8Array[] = [];
    const r = await pushPackage(client, target, {
      delta: (active) => {
        offered.push(active);
        return { delta, base: PKG };
      },
    });
    expect(offered).toEqual([fileDigest(PKG)]);
    expect(r.kind).toBe('delta');
    expect(r.bytesSent).toBe(delta.length);
    expect(delta.length).toBeLessThan(target.length / 2);
    expect(fake.begins).toEqual([{ size: delta.length, kind: 'delta' }]);
    expect(r.state).toEqual({ active: fileDigest(target), previous: fileDigest(PKG) });
    expect(held(fake, target)).toEqual(target);
  });

  it('refuses a delta that does not lead from the active package to the target, and skips deltas a board cannot take', async () => {
    const target = retrained();
    const { client } = await setup({ holds: [PKG] });
    const wrongTarget = makeDelta(PKG, packPreset('reframe-resnet8-fashion', 'int8'));
    await expect(pushPackage(client, target, { delta: () => ({ delta: wrongTarget, base: PKG }) })).rejects.toMatchObject({ code: 'bad-delta', message: expect.stringMatching(/builds another package/) });
    const otherBase = packPreset('reframe-resnet8-fashion', 'fp16');
    await expect(pushPackage(client, target, { delta: () => ({ delta: makeDelta(otherBase, target), base: otherBase }) })).rejects.toMatchObject({ code: 'bad-delta', message: expect.stringMatching(/not the package the board runs/) });

    // After retraining every tensor changes: the delta outgrows the package, so the package goes.
    const tiny = packPreset('tiny', 'fp32');
    const graph = presetGraph('tiny');
    const values = new Map([...initialValues(graph)].map(([id, v]) => [id, v.map((x) => x + 0.001)]));
    const everyTensor = encodePackage(graph, values, { dtype: 'fp32' });
    const big = makeDelta(tiny, everyTensor);
    expect(big.length).toBeGreaterThanOrEqual(everyTensor.length);
    const onTiny = await setup({ holds: [tiny] });
    expect((await pushPackage(onTiny.client, everyTensor, { delta: () => ({ delta: big, base: tiny }) })).kind).toBe('full');

    const noDelta = await setup({ holds: [PKG], delta: false });
    const r = await pushPackage(noDelta.client, target, { delta: () => ({ delta: makeDelta(PKG, target), base: PKG }) });
    expect(r.kind).toBe('full');
  });

  it('fails the push with the board\'s error when COMMIT is refused', async () => {
    const { client, fake } = await setup();
    // The board's copy goes bad after the last ACK (as a failing flash would): COMMIT finds the digest wrong.
    const p = pushPackage(client, PKG, {
      onProgress: (x) => {
        if (x.acked === PKG.length) fake.upload!.bytes[0]! ^= 1;
      },
    });
    await expect(p).rejects.toMatchObject({ code: 'digest-mismatch' });
  });
});
