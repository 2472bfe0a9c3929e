import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTfModel } from '../../core/node/engine/tf-model.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { makeDelta } from '../../core/package/delta-package.js';
import { packPreset, presetGraph, testKeys, retrainedPreset } from '../../core/package/package-test-support.fixture.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { encodeFrame, MIN_FRAME } from '../protocol/frame-codec.js';
import { encodeMessage, type Message } from '../protocol/messages.js';
import { createMockPair, type MockWire } from '../transport/mock-transport.js';
import { AgentInference } from './agent-inference.js';
import { BoardAgent, type Notice } from './board-agent.js';
import type { CommitPolicy } from './commit-checks.js';
import { openSlotStore } from './slot-store.js';
import { openUploadStore } from './upload-store.js';
import { RawStudio, type Reply } from './raw-studio.fixture.js';
import { fileDigest } from '../protocol/file-digest.js';

const LIMIT = 1 << 22;
const OPEN: CommitPolicy = { requireSignature: false, verifier: undefined, maxBytes: LIMIT };

let inference: AgentInference;
beforeAll(async () => {
  inference = await AgentInference.start('auto');
});
afterAll(() => inference.dispose());

const dirs: string[] = [];
const running: { agent: BoardAgent; studio: RawStudio }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) await r.agent.stop();
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function storeDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'agent-'));
  dirs.push(dir);
  return dir;
}

async function start(dir: string, o: { policy?: CommitPolicy; wire?: MockWire; studioMax?: number; name?: string } = {}) {
  const reports: string[] = [];
  const notices: Notice[] = [];
  const log = (level: Notice['level'], text: string) => notices.push({ level, text });
  const agent = new BoardAgent({
    slots: await openSlotStore(dir, { log }),
    uploads: await openUploadStore(dir, { limit: LIMIT, log }),
    notices,
    inference,
    policy: o.policy ?? OPEN,
    name: o.name ?? 'bench board',
    benchBudgetMs: 10_000,
    report: (line) => reports.push(line),
  });
  const [studioEnd, boardEnd] = createMockPair(o.wire ?? {});
  const served = agent.serve(boardEnd);
  const studio = new RawStudio(studioEnd, o.studioMax);
  running.push({ agent, studio });
  return { agent, studio, served, reports, studioEnd };
}

const tiny = packPreset('tiny', 'fp32');

const variant = (delta: number): Uint8Array => retrainedPreset('tiny', 'fp32', delta);

const hex = (d: Uint8Array | undefined) => (d === undefined ? undefined : toHex(d));

describe('BoardAgent: handshake', () => {
  it('answers HELLO with INFO, and a wrong version with ERROR version', async () => {
    const { studio } = await start(await storeDir());
    const info = await studio.hello();
    expect(info).toMatchObject({
      version: 1,
      maxMessage: 8192,
      capabilities: { infer: true, bench: true, delta: true, signatureRequired: false, persistentResume: true },
      storageBytes: LIMIT,
      active: undefined,
      previous: undefined,
      pending: undefined,
      name: 'bench board',
    });
    expect(info.runtime).toMatch(/^reframe-agent 0\.1\.0 \(Node 20\.\d+\.\d+, tfjs-(wasm|node)\)$/);
    expect(await studio.ask({ type: 'hello', id: 9, version: 2, maxMessage: 4096 })).toMatchObject({ type: 'error', id: 9, code: 'version' });
  });

  it('tells each session, once, what the store found wrong at start-up', async () => {
    const dir = await storeDir();
    const first = await start(dir);
    await first.studio.push(tiny);
    await first.agent.stop();
    await writeFile(path.join(dir, 'slot-a.rfpk'), tiny.subarray(1));
    const { studio } = await start(dir);
    expect((await studio.hello()).active).toBeUndefined();
    await studio.hello();
    await new Promise((r) => setTimeout(r, 100));
    expect(studio.inbox.filter((m) => m.type === 'log')).toEqual([
      { type: 'log', id: 0, level: 'error', text: expect.stringMatching(/^slot a does not match its recorded digest [0-9a-f]{16}…; it will not be activated \(no model is active: push one\)$/) },
    ]);
  });
});

describe('BoardAgent: uploads', () => {
  it('installs a pushed package: ACK per chunk, STATE on COMMIT, INFO shows it, LOG says so', async () => {
    const { studio, reports } = await start(await storeDir());
    await studio.hello();
    expect(await studio.push(tiny)).toMatchObject({ type: 'state', active: fileDigest(tiny), previous: undefined });
    expect(await studio.take((m) => m.type === 'log')).toMatchObject({ id: 0, level: 'info', text: expect.stringMatching(/^installed [0-9a-f]{16}… \(tiny, fp32, 10\d{3} bytes, unsigned\)/) });
    const info = await studio.hello();
    expect([hex(info.active), info.pending]).toEqual([toHex(fileDigest(tiny)), undefined]);
    expect(reports.some((r) => r.startsWith('installed '))).toBe(true);
  });

  it('resumes an upload after the agent is re-created on the same store', async () => {
    const dir = await storeDir();
    const first = await start(dir);
    const digest = fileDigest(tiny);
    await first.studio.hello();
    await first.studio.ask({ type: 'begin', id: first.studio.id(), digest, size: tiny.length, kind: 'full' });
    await first.studio.ask({ type: 'chunk', id: first.studio.id(), offset: 0, bytes: tiny.subarray(0, 4096) });
    await first.studio.ask({ type: 'chunk', id: first.studio.id(), offset: 4096, bytes: tiny.subarray(4096, 6000) });
    // The link goes quiet: the offset is recorded. Then the board loses power (no clean stop).
    await new Promise((r) => setTimeout(r, 600));
    running.length = 0;

    const second = await start(dir);
    const info = await second.studio.hello();
    expect(info.pending).toEqual({ digest, size: tiny.length, offset: 6000 });
    expect(await second.studio.ask({ type: 'begin', id: second.studio.id(), digest, size: tiny.length, kind: 'full' })).toMatchObject({ type: 'ack', offset: 6000, gap: false });
    expect(await second.studio.take((m) => m.type === 'log')).toMatchObject({ text: expect.stringContaining('resuming the upload') });
    expect(await second.studio.push(tiny)).toMatchObject({ type: 'state', active: digest });
    await first.agent.stop();
  });

  it('records the offset when the link closes, and a BEGIN for another package starts over', async () => {
    const dir = await storeDir();
    const first = await start(dir);
    const digest = fileDigest(tiny);
    await first.studio.ask({ type: 'begin', id: first.studio.id(), digest, size: tiny.length, kind: 'full' });
    await first.studio.ask({ type: 'chunk', id: first.studio.id(), offset: 0, bytes: tiny.subarray(0, 3000) });
    first.studioEnd.unplug();
    await first.served;
    expect(first.reports.at(-1)).toMatch(/^session on mock b ended \(the link closed\): \d+ frames in/);

    const second = await start(dir);
    expect((await second.studio.hello()).pending?.offset).toBe(3000);
    const other = variant(1);
    expect(await second.studio.ask({ type: 'begin', id: second.studio.id(), digest: fileDigest(other), size: other.length, kind: 'full' })).toMatchObject({ type: 'ack', offset: 0 });
    expect((await second.studio.hello()).pending).toEqual({ digest: fileDigest(other), size: other.length, offset: 0 });
  });

  it('flags GAP when a chunk is lost or corrupted on the wire, and takes the resent bytes', async () => {
    let corruptNext = false;
    const wire: MockWire = {
      tamperAToB: (b) => {
        if (!corruptNext) return b;
        corruptNext = false;
        b[Math.floor(b.length / 2)]! ^= 0x55;
        return b;
      },
    };
    const { studio } = await start(await storeDir(), { wire });
    const digest = fileDigest(tiny);
    await studio.ask({ type: 'begin', id: studio.id(), digest, size: tiny.length, kind: 'full' });
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 0, bytes: tiny.subarray(0, 2000) })).toMatchObject({ offset: 2000, gap: false });
    // This chunk's frame fails its CRC: the board drops it without a reply.
    corruptNext = true;
    await studio.link.send({ type: 'chunk', id: studio.id(), offset: 2000, bytes: tiny.subarray(2000, 4000) });
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 4000, bytes: tiny.subarray(4000, 6000) })).toMatchObject({ type: 'ack', offset: 2000, gap: true });
    // A chunk that never left (skipped by the sender) looks the same.
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 6000, bytes: tiny.subarray(6000, 8000) })).toMatchObject({ offset: 2000, gap: true });
    // Go-back-N from the acknowledged offset; a duplicate is a plain ACK.
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 2000, bytes: tiny.subarray(2000, 6000) })).toMatchObject({ offset: 6000, gap: false });
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 0, bytes: tiny.subarray(0, 1000) })).toMatchObject({ offset: 6000, gap: false });
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 5000, bytes: tiny.subarray(5000) })).toMatchObject({ offset: tiny.length, gap: false });
    expect(await studio.ask({ type: 'commit', id: studio.id(), digest })).toMatchObject({ type: 'state', active: digest });
  });

  it('refuses an upload over its storage limit, and chunks or commits without an upload', async () => {
    const { studio } = await start(await storeDir());
    expect(await studio.ask({ type: 'begin', id: studio.id(), digest: fileDigest(tiny), size: LIMIT + 1, kind: 'full' })).toMatchObject({ type: 'error', code: 'too-large' });
    expect(await studio.ask({ type: 'chunk', id: studio.id(), offset: 0, bytes: tiny.subarray(0, 10) })).toMatchObject({ type: 'error', code: 'no-upload' });
    expect(await studio.ask({ type: 'commit', id: studio.id(), digest: fileDigest(tiny) })).toMatchObject({ type: 'error', code: 'no-upload' });
  });
});

describe('BoardAgent: commit failures leave the active model as it was', () => {
  it('package-rejected, digest-mismatch, incomplete, delta-base, signature: active unchanged, upload discarded', async () => {
    const keys = testKeys();
    const { studio } = await start(await storeDir(), { policy: { ...OPEN, verifier: keys.verifier } });
    await studio.hello();
    const good = fileDigest(tiny);
    expect(await studio.push(tiny)).toMatchObject({ type: 'state', active: good });

    const corrupt = tiny.slice();
    corrupt[300]! ^= 1;
    expect(await studio.push(corrupt)).toMatchObject({ type: 'error', code: 'package-rejected', message: expect.stringMatching(/^package rejected by the sections check/) });

    const newer = variant(0.25);
    await studio.ask({ type: 'begin', id: studio.id(), digest: fileDigest(tiny.subarray(1)), size: newer.length, kind: 'full' });
    for (let at = 0; at < newer.length; at += 4096) await studio.ask({ type: 'chunk', id: studio.id(), offset: at, bytes: newer.subarray(at, at + 4096) });
    expect(await studio.ask({ type: 'commit', id: studio.id(), digest: fileDigest(tiny.subarray(1)) })).toMatchObject({ type: 'error', code: 'digest-mismatch' });

    await studio.ask({ type: 'begin', id: studio.id(), digest: fileDigest(newer), size: newer.length, kind: 'full' });
    await studio.ask({ type: 'chunk', id: studio.id(), offset: 0, bytes: newer.subarray(0, 4096) });
    expect(await studio.ask({ type: 'commit', id: studio.id(), digest: fileDigest(newer) })).toMatchObject({ type: 'error', code: 'incomplete' });

    expect(await studio.push(makeDelta(variant(3), newer), 'delta')).toMatchObject({ type: 'error', code: 'delta-base' });
    expect(await studio.push(packPreset('tiny', 'fp32', testKeys().signer))).toMatchObject({ type: 'error', code: 'signature' });

    const info = await studio.hello();
    expect([hex(info.active), info.previous, info.pending]).toEqual([toHex(good), undefined, undefined]);

    // After all that, a good delta still goes in.
    expect(await studio.push(makeDelta(tiny, newer), 'delta')).toMatchObject({ type: 'state', active: fileDigest(newer), previous: good });
  });
});

describe('BoardAgent: activate, rollback, abort', () => {
  it('switches between the two packages it holds and discards a pending upload on ABORT', async () => {
    const { studio } = await start(await storeDir());
    const a = fileDigest(tiny);
    const newer = variant(0.5);
    const b = fileDigest(newer);
    await studio.push(tiny);
    expect(await studio.ask({ type: 'rollback', id: studio.id() })).toMatchObject({ type: 'error', code: 'no-previous' });
    await studio.push(newer);
    expect(await studio.ask({ type: 'rollback', id: studio.id() })).toMatchObject({ type: 'state', active: a, previous: b });
    expect(await studio.ask({ type: 'activate', id: studio.id(), digest: b })).toMatchObject({ type: 'state', active: b, previous: a });
    expect(await studio.ask({ type: 'activate', id: studio.id(), digest: fileDigest(Uint8Array.of(1)) })).toMatchObject({ type: 'error', code: 'not-found' });
    await studio.ask({ type: 'begin', id: studio.id(), digest: fileDigest(tiny.subarray(5)), size: 100, kind: 'full' });
    expect((await studio.hello()).pending?.size).toBe(100);
    expect(await studio.ask({ type: 'abort', id: studio.id() })).toMatchObject({ type: 'state', active: b, previous: a });
    expect((await studio.hello()).pending).toBeUndefined();
  });

  it('answers a resent request again without running it twice (docs/protocol.md "Lost answers")', async () => {
    const { studio } = await start(await storeDir());
    const a = fileDigest(tiny);
    const newer = variant(0.5);
    const b = fileDigest(newer);
    await studio.push(tiny);
    await studio.push(newer);
    const rollback: Message = { type: 'rollback', id: studio.id() };
    expect(await studio.ask(rollback)).toMatchObject({ type: 'state', active: a, previous: b });
    // The studio lost that STATE and sends the same ROLLBACK again: same answer, and no second swap.
    expect(await studio.ask(rollback)).toMatchObject({ type: 'state', active: a, previous: b });
    expect(hex((await studio.hello()).active)).toBe(hex(a));
    // The same id with another type is a new request; after a HELLO, an old id is new again.
    const again: Message = { type: 'rollback', id: studio.id() };
    expect(await studio.ask(again)).toMatchObject({ type: 'state', active: b, previous: a });
    await studio.hello();
    expect(await studio.ask(again)).toMatchObject({ type: 'state', active: a, previous: b });
  });
});

describe('BoardAgent: inference and benchmarks', () => {
  it('INFER in parts gives the logits buildTfModel gives in-process', async () => {
    const { studio } = await start(await storeDir());
    expect(await studio.ask({ type: 'infer', id: studio.id(), offset: 0, total: 784 * 4, bytes: new Uint8Array(16) })).toMatchObject({ type: 'error', code: 'no-model' });
    await studio.push(tiny);
    const input = Float32Array.from({ length: 784 }, (_, i) => Math.cos(i / 7));
    const bytes = new Uint8Array(input.buffer);
    expect(await studio.ask({ type: 'infer', id: studio.id(), offset: 0, total: 100, bytes: bytes.subarray(0, 100) })).toMatchObject({ type: 'error', code: 'bad-input' });
    const id = studio.id();
    expect(await studio.ask({ type: 'infer', id, offset: 0, total: bytes.length, bytes: bytes.subarray(0, 1200) })).toMatchObject({ type: 'ack', offset: 1200 });
    expect(await studio.ask({ type: 'infer', id, offset: 1200, total: bytes.length, bytes: bytes.subarray(1200, 2400) })).toMatchObject({ type: 'ack', offset: 2400 });
    const result = await studio.ask({ type: 'infer', id, offset: 2400, total: bytes.length, bytes: bytes.subarray(2400) });
    if (result.type !== 'result') throw new Error(JSON.stringify(result));
    expect(result.engine).toBe(inference.engineName);

    const pkg = decodePackage(tiny);
    const model = buildTfModel(inference.engine, pkg.graph, new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)])));
    const tf = inference.engine.tf;
    const want = new Float32Array(model.forward(tf.tensor(input, [1, 1, 28, 28]), false).dataSync());
    model.dispose();
    expect(Array.from(result.logits)).toEqual(Array.from(want));

    // A part out of order restarts the input.
    expect(await studio.ask({ type: 'infer', id: studio.id(), offset: 1200, total: bytes.length, bytes: bytes.subarray(1200, 2400) })).toMatchObject({ type: 'error', code: 'bad-message' });
  });

  it('BENCH answers one entry per node, in frames that fit the studio, all but the last flagged MORE', async () => {
    // The studio's link drops any frame over 256 bytes: every BENCH-RESULT must fit.
    const { studio } = await start(await storeDir(), { studioMax: MIN_FRAME });
    await studio.hello(MIN_FRAME);
    expect(await studio.ask({ type: 'bench', id: studio.id(), runs: 2 })).toMatchObject({ type: 'error', code: 'no-model' });
    await studio.push(tiny);
    const id = studio.id();
    await studio.link.send({ type: 'bench', id, runs: 3 });
    const frames: Reply<'bench-result'>[] = [];
    for (;;) {
      const f = (await studio.take((m) => m.id === id)) as Reply<'bench-result'>;
      expect(f.type).toBe('bench-result');
      frames.push(f);
      if (!f.more) break;
    }
    expect(frames.length).toBeGreaterThan(1);
    const graph = presetGraph('tiny');
    const layers = frames.flatMap((f) => f.layers);
    expect(layers.map((l) => [l.index, l.name, l.op])).toEqual(graph.nodes.map((n, i) => [i, n.name, n.op]));
    expect(layers.every((l) => Number.isFinite(l.micros) && l.micros >= 0)).toBe(true);
    expect(layers.some((l) => l.micros > 0)).toBe(true);
    expect(frames.every((f) => f.runs === 3 && f.engine === inference.engineName)).toBe(true);
    expect(studio.link.stats.dropped.oversized).toBe(0);
  });
});

describe('BoardAgent: stopping', () => {
  it('cuts a long BENCH short when it stops', async () => {
    const { agent, studio, served } = await start(await storeDir());
    await studio.push(tiny);
    await studio.link.send({ type: 'bench', id: studio.id(), runs: 65535 });
    await new Promise((r) => setTimeout(r, 300));
    const began = performance.now();
    await agent.stop();
    await served;
    expect(performance.now() - began).toBeLessThan(2000);
    expect(agent.busy).toBe(false);
  });
});

describe('BoardAgent: hostile input', () => {
  it('survives garbage, oversized frames and random checked frames, answering what it can', async () => {
    const { studio, reports } = await start(await storeDir());
    const t = studio.transport;
    // Garbage with delimiters sprinkled in, then a frame far over 8192 bytes.
    let seed = 12345;
    const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) >>> 16;
    await t.write(Uint8Array.from({ length: 50_000 }, () => (rand() % 50 === 0 ? 0 : rand() & 0xff)));
    await t.write(Uint8Array.of(...new Uint8Array(100_000).fill(7), 0));
    // A BEGIN too short to parse: bad-message under its id. An unknown type: unknown-type.
    await t.write(encodeFrame(Uint8Array.of(0x03, 0, 0x34, 0x12, 1, 2, 3)));
    expect(await studio.take((m) => m.id === 0x1234)).toMatchObject({ type: 'error', code: 'bad-message', message: expect.stringContaining('BEGIN message ends early') });
    await t.write(encodeFrame(Uint8Array.of(0x7f, 0, 0x35, 0x12)));
    expect(await studio.take((m) => m.id === 0x1235)).toMatchObject({ type: 'error', code: 'unknown-type' });
    // A message boards send, sent to the board.
    expect(await studio.ask({ type: 'ack', id: 77, offset: 0, gap: false })).toMatchObject({ type: 'error', code: 'bad-message' });
    // Random well-formed frames of every type with random payloads.
    for (let i = 0; i < 300; i++) {
      const body = Uint8Array.from({ length: 4 + (rand() % 120) }, () => rand() & 0xff);
      body[0] = 1 + (rand() % 16);
      body[1] = 0;
      await t.write(encodeFrame(body));
    }
    await new Promise((r) => setTimeout(r, 300));
    expect((await studio.hello()).version).toBe(1);
    expect(await studio.push(tiny)).toMatchObject({ type: 'state', active: fileDigest(tiny) });
    expect(reports.filter((r) => r.startsWith('internal error'))).toEqual([]);
  });

  it('answers a second link with ERROR busy and closes it', async () => {
    const { agent } = await start(await storeDir());
    const [other, otherBoard] = createMockPair();
    const second = new RawStudio(other);
    expect(agent.busy).toBe(true);
    await expect(agent.serve(otherBoard)).rejects.toThrow('serving another link');
    const refused = agent.refuse(otherBoard);
    expect(await second.take((m) => m.id === 0)).toMatchObject({ type: 'error', code: 'busy' });
    expect(await second.ask({ type: 'hello', id: 5, version: 1, maxMessage: 4096 })).toMatchObject({ type: 'error', code: 'busy' });
    await refused;
  });

  it('fits INFO and its errors into a 256-byte studio, cutting a long board name', async () => {
    const { studio } = await start(await storeDir(), { studioMax: MIN_FRAME, name: 'ß'.repeat(200) });
    const long = encodeMessage({ type: 'begin', id: 3, digest: fileDigest(tiny), size: 10, kind: 'full' });
    await studio.transport.write(encodeFrame(Uint8Array.of(...long, ...new Uint8Array(200))));
    expect(await studio.take((m) => m.id === 3)).toMatchObject({ type: 'error', code: 'bad-message', message: 'BEGIN message has 200 bytes too many' });
    const info = await studio.hello(MIN_FRAME);
    expect(info.name).toMatch(/^ß{20,}$/);
    expect(info.runtime).toMatch(/^reframe-agent/);
    expect(encodeMessage({ type: 'info', id: 1, info }).length).toBeLessThanOrEqual(MIN_FRAME);
    expect(studio.link.stats.dropped.oversized).toBe(0);
  });
});
