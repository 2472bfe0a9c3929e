// The C runtime's board side (devices/firmware/src/board/, the host port's reframe-fw-board, sanitized
// build) against the studio's own code over a real pty: devices/link's BoardClient and pushPackage over
// devices/transport's SerialTransport, the CLI, and raw frames for what a studio never sends. Logits
// are compared with the studio's TensorFlow.js engine; a board killed mid-upload must resume from what
// it recorded; bad packages and a model too big for the board's arena are refused with the protocol's
// codes, the active model untouched.
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyFiles, loadSigner } from '../core/node/package-keys.js';
import { initEngine, type Engine } from '../core/node/engine/tf-engine.js';
import { buildTfModel } from '../core/node/engine/tf-model.js';
import { decodePackage } from '../core/package/decode-package.js';
import { PackageError } from '../core/package/package-error.js';
import { packPreset } from '../core/package/package-test-support.fixture.js';
import { readTensor } from '../core/package/read-tensor.js';
import { toHex } from '../core/package/tensor-digest.js';
import { RawStudio } from '../devices/agent/raw-studio.fixture.js';
import { BoardClient } from '../devices/link/board-client.js';
import { pushPackage } from '../devices/link/push.js';
import { fileDigest } from '../devices/protocol/file-digest.js';
import { encodeFrame } from '../devices/protocol/frame-codec.js';
import { encodeMessage, type Message } from '../devices/protocol/messages.js';
import { ProtocolError } from '../devices/protocol/protocol-error.js';
import { openSerial, type SerialOptions } from '../devices/transport/serial-transport.js';
import type { Transport } from '../devices/transport/transport.js';
import { startBoard, type BoardProcess } from './support/board-process.js';
import { buildSanitized, SANITIZER_EXIT } from './support/firmware-host.js';
import { reframeWithEnv } from './support/reframe-cli.js';
import { reseal } from './support/fuzz/reseal.js';

const TINY = packPreset('tiny', 'fp32');
/** Seeded depthwise convs: the board regenerates them. */
const FASHION = packPreset('reframe-resnet8-fashion', 'fp32');
/** All learnable, 317 KiB: long enough to pull the plug half-way. */
const BIG = packPreset('resnet8-fashion', 'fp32');

let engine: Engine;
let dir = '';
const cleanup: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'firmware-board-'));
  await buildSanitized();
  engine = await initEngine('auto');
}, 300_000);

afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

let stores = 0;
const newStore = (): string => path.join(dir, `store-${++stores}`);

/** A board that the test ends (SIGTERM) if it has not; it must never have met a sanitizer. */
async function board(args: readonly string[]): Promise<BoardProcess> {
  const b = await startBoard(args);
  cleanup.push(async () => {
    const code = await b.stop();
    expect(code, b.log()).not.toBe(SANITIZER_EXIT);
  });
  return b;
}

async function serial(b: BoardProcess, o: SerialOptions = {}): Promise<Transport> {
  const t = await openSerial(b.path, o);
  cleanup.push(() => t.close());
  return t;
}

async function connect(b: BoardProcess, o: SerialOptions = {}, logs: string[] = []): Promise<BoardClient> {
  const client = await BoardClient.connect(await serial(b, o), { onLog: (level, text) => logs.push(`${level}: ${text}`) });
  cleanup.push(() => client.close());
  return client;
}

/** What the studio's engine computes for one input. */
async function studioLogits(bytes: Uint8Array, input: Float32Array): Promise<Float32Array> {
  const pkg = decodePackage(bytes);
  const shape = pkg.graph.nodes[0]!.outputShape;
  const model = buildTfModel(engine, pkg.graph, new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)])));
  const tf = engine.tf;
  const out = tf.tidy(() => model.forward(tf.tensor(input, [1, ...shape]), false) as tfc.Tensor);
  const logits = new Float32Array(await out.data());
  out.dispose();
  model.dispose();
  return logits;
}

function inputFor(bytes: Uint8Array): Float32Array {
  const shape = decodePackage(bytes).graph.nodes[0]!.outputShape;
  return Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) * 0.5);
}

/** The board's logits for the active package equal the studio engine's for `bytes`, within 1e-4. */
async function expectSameLogits(client: BoardClient, bytes: Uint8Array): Promise<void> {
  const input = inputFor(bytes);
  const onBoard = await client.infer(input);
  const studio = await studioLogits(bytes, input);
  expect(onBoard.engine).toMatch(/^reframe-fw \(regenerate (at load|per layer)\)$/);
  expect(onBoard.logits).toHaveLength(studio.length);
  const maxDiff = onBoard.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - studio[i]!)), 0);
  expect(maxDiff).toBeLessThan(1e-4);
}

async function boardError(p: Promise<unknown>): Promise<ProtocolError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(ProtocolError);
  return e as ProtocolError;
}

/** The sentence the studio's decoder gives for a package it refuses. */
function decoderSentence(bytes: Uint8Array): string {
  try {
    decodePackage(bytes);
  } catch (error) {
    if (error instanceof PackageError) return error.message;
    throw error;
  }
  throw new Error('the studio accepts this package');
}

const digestOf = (d: Uint8Array | undefined): string => (d === undefined ? 'none' : toHex(d));

describe('reframe-fw-board: pushes, inference and slots through the studio code', () => {
  it('pushes the tiny preset and a fashion preset, infers what the studio infers, benchmarks, activates and rolls back; the slots survive a restart', { timeout: 90_000 }, async () => {
    const store = newStore();
    const b = await board(['--store', store, '--name', 'c board']);
    expect(b.ready).toBe(`board ready on ${b.path} (store ${store})\n`);
    const logs: string[] = [];
    const client = await connect(b, {}, logs);
    expect(client.lastInfo).toMatchObject({
      version: 1,
      maxMessage: 8192,
      capabilities: { infer: true, bench: true, delta: false, signatureRequired: false, persistentResume: true },
      ramBytes: 8 << 20,
      storageBytes: 64 << 20,
      active: undefined,
      previous: undefined,
      pending: undefined,
      name: 'c board',
    });
    expect(client.lastInfo.runtime).toMatch(/^reframe-fw \d+\.\d+\.\d+ \(host, C99\)$/);

    const first = await pushPackage(client, TINY);
    expect(first).toMatchObject({ kind: 'full', bytesSent: TINY.length, resumedFrom: 0 });
    expect(digestOf(first.state.active)).toBe(toHex(fileDigest(TINY)));
    await expectSameLogits(client, TINY);

    const second = await pushPackage(client, FASHION);
    expect(second.kind).toBe('full');
    expect([digestOf(second.state.active), digestOf(second.state.previous)]).toEqual([toHex(fileDigest(FASHION)), toHex(fileDigest(TINY))]);
    await expectSameLogits(client, FASHION);
    // The LOG follows the STATE: by now it has arrived.
    expect(logs).toContain(`info: installed ${toHex(fileDigest(FASHION)).slice(0, 16)}… (reframe-resnet8-fashion, fp32, ${FASHION.length} bytes, unsigned); previous ${toHex(fileDigest(TINY)).slice(0, 16)}…`);

    const bench = await client.bench(3);
    const nodes = decodePackage(FASHION).graph.nodes;
    expect(bench.runs).toBe(3);
    expect(bench.engine).toMatch(/^reframe-fw/);
    expect(bench.layers.map((l) => l.name)).toEqual(nodes.map((n) => n.name));
    expect(bench.layers.map((l) => l.op)).toEqual(nodes.map((n) => n.op));
    expect(bench.layers.every((l) => Number.isFinite(l.micros) && l.micros >= 0)).toBe(true);

    const back = await client.rollback();
    expect([digestOf(back.active), digestOf(back.previous)]).toEqual([toHex(fileDigest(TINY)), toHex(fileDigest(FASHION))]);
    await expectSameLogits(client, TINY);
    expect((await pushPackage(client, FASHION)).kind).toBe('activated-previous');
    await expectSameLogits(client, FASHION);
    expect((await pushPackage(client, FASHION)).kind).toBe('already-active');
    const missing = await boardError(client.activate(fileDigest(BIG)));
    expect(missing.code).toBe('not-found');
    expect(missing.message).toBe(`this board holds no package ${toHex(fileDigest(BIG)).slice(0, 16)}…; push it first`);
    await client.close();

    // The slot record lives in the store: a restarted board holds and runs the same packages.
    expect(await b.stop()).toBe(0);
    const again = await board(['--store', store]);
    const after = await connect(again);
    expect([digestOf(after.lastInfo.active), digestOf(after.lastInfo.previous)]).toEqual([toHex(fileDigest(FASHION)), toHex(fileDigest(TINY))]);
    await expectSameLogits(after, FASHION);
  });

  it('serves the CLI on its pty: push, board info, infer against the studio, bench and rollback', { timeout: 90_000 }, async () => {
    const b = await board(['--store', newStore(), '--name', 'cli c board']);
    const env = { XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_CACHE_HOME: path.join(dir, 'cache') };
    const file = path.join(dir, 'tiny.rfpk');
    await writeFile(file, TINY);
    const cli = (...args: string[]) => reframeWithEnv(env, ...args, '--port', b.path);

    const push = await cli('push', file);
    expect(push.code, push.stderr).toBe(0);
    expect(push.stdout).toMatch(/to cli c board over serial .*: full, 10,308 bytes in .*; now active\n$/);
    const info = await cli('board', 'info');
    expect(info.code, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/^cli c board over serial /);
    expect(info.stdout).toContain(`active          ${toHex(fileDigest(TINY))}`);
    const infer = await cli('board', 'infer', '--data', 'demo', '--index', '1', '--package', file, '--json');
    expect(infer.code, infer.stderr).toBe(0);
    const r = JSON.parse(infer.stdout) as { logits: number[]; engine: string; studio: { maxAbsDiff: number; sameClass: boolean; boardRunsIt: boolean } };
    expect(r.logits).toHaveLength(10);
    expect(r.studio).toMatchObject({ boardRunsIt: true, sameClass: true });
    expect(r.studio.maxAbsDiff).toBeLessThan(1e-4);
    const bench = await cli('board', 'bench', '--runs', '2');
    expect(bench.code, bench.stderr).toBe(0);
    expect(bench.stdout).toMatch(/^cli c board: 2 run\(s\) on reframe-fw \(regenerate at load\), [\d.]+ ms per inference\n/);
    expect(bench.stdout).toMatch(/\bfc +dense\b/);
    const refused = await cli('board', 'rollback');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('there is no previous package to roll back to');
  });
});

describe('reframe-fw-board: uploads that survive the board going away', () => {
  it('resumes after SIGKILL mid-upload from the offset it recorded, and after SIGTERM from where it stopped', { timeout: 90_000 }, async () => {
    const store = newStore();
    const first = await board(['--store', store]);
    // 92,160 B/s: the 317 KiB push takes about 3.5 s; the board dies half-way, as when its power goes.
    const client = await connect(first, { baud: 921_600, throttle: true });
    let killedAt = 0;
    const lost = await pushPackage(client, BIG, {
      lineRate: 92_160,
      onProgress: (p) => {
        if (killedAt === 0 && p.acked > BIG.length / 2) {
          killedAt = p.acked;
          void first.kill();
        }
      },
    }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    expect(killedAt).toBeGreaterThan(0);
    await client.close().catch(() => undefined);

    const second = await board(['--store', store]);
    const resumed = await connect(second);
    const pending = resumed.lastInfo.pending;
    expect(pending?.size).toBe(BIG.length);
    expect(digestOf(pending?.digest)).toBe(toHex(fileDigest(BIG)));
    // Recorded at least every 64 KiB (or second), and only bytes that were synced.
    expect(pending!.offset).toBeGreaterThanOrEqual(killedAt - 64 * 1024);
    expect(pending!.offset).toBeGreaterThan(0);
    expect(pending!.offset).toBeLessThanOrEqual(BIG.length);

    // Cancelled at a third of what is left, then SIGTERM: the board records its offset and exits 0.
    const abort = new AbortController();
    let cancelledAt = 0;
    const cancelled = await pushPackage(resumed, BIG, {
      chunkSize: 1024,
      onProgress: (p) => {
        if (p.acked >= pending!.offset + (BIG.length - pending!.offset) / 3 && cancelledAt === 0) {
          cancelledAt = p.acked;
          abort.abort();
        }
      },
      signal: abort.signal,
    }).catch((e: unknown) => e);
    expect(cancelled).toMatchObject({ code: 'cancelled' });
    await resumed.close();
    expect(await second.stop()).toBe(0);
    expect(second.log()).toMatch(/stopped with the upload at byte \d+ of 324568 recorded/);

    const third = await board(['--store', store]);
    const last = await connect(third);
    const held = last.lastInfo.pending!.offset;
    expect(held).toBeGreaterThanOrEqual(cancelledAt);
    const r = await pushPackage(last, BIG);
    expect(r.resumedFrom).toBe(held);
    expect(r.bytesSent).toBe(BIG.length - held);
    expect(digestOf(r.state.active)).toBe(toHex(fileDigest(BIG)));
    expect(last.lastInfo.pending).toBeDefined();
    expect((await last.info()).pending).toBeUndefined();
    await expectSameLogits(last, BIG);
  });
});

describe('reframe-fw-board: what its storage holds', () => {
  it('leaves a package whose bytes no longer match the slot record out of use, tells the studio, and installs a held package without storing it twice', { timeout: 60_000 }, async () => {
    const store = newStore();
    const b = await board(['--store', store]);
    const client = await connect(b);
    await pushPackage(client, TINY); // region 0, the first free one
    await pushPackage(client, FASHION); // region 1
    await client.close();
    expect(await b.stop()).toBe(0);

    // What a cut between writing a region and recording it leaves, or storage that rots: one byte differs.
    const file = await open(path.join(store, 'package-1.bin'), 'r+');
    const byte = Buffer.alloc(1);
    await file.read(byte, 0, 1, 100);
    byte[0]! ^= 0x01;
    await file.write(byte, 0, 1, 100);
    await file.close();

    const again = await board(['--store', store]);
    const logs: string[] = [];
    const c = await connect(again, {}, logs);
    expect([digestOf(c.lastInfo.active), digestOf(c.lastInfo.previous)]).toEqual(['none', toHex(fileDigest(TINY))]);
    await c.info(); // frames arrive in order: the LOG that followed the first INFO is in
    const notice = `the active package ${toHex(fileDigest(FASHION)).slice(0, 16)}… does not match its recorded digest; it will not be used (no model is active: push one)`;
    expect(logs).toContain(`error: ${notice}`);
    expect(again.log()).toContain(notice);
    expect((await boardError(c.infer(inputFor(TINY)))).code).toBe('no-model');
    const back = await c.rollback();
    expect([digestOf(back.active), digestOf(back.previous)]).toEqual([toHex(fileDigest(TINY)), 'none']);
    await expectSameLogits(c, TINY);
    expect((await pushPackage(c, FASHION)).kind).toBe('full');
    await expectSameLogits(c, FASHION);
    await c.close();

    // A torn write of the newest slot record: its CRC fails, and the older copy (TINY active, nothing previous) is used.
    await c.close();
    expect(await again.stop()).toBe(0);
    const state = await open(path.join(store, 'state.bin'), 'r+');
    const records = Buffer.alloc(256);
    await state.read(records, 0, 256, 0);
    const seq = (k: number): number => records.readUInt32LE(k * 128 + 4);
    const newest = seq(0) > seq(1) ? 0 : 1;
    await state.write(Buffer.of(records[newest * 128 + 20]! ^ 0xff), 0, 1, newest * 128 + 20);
    await state.close();
    const third = await board(['--store', store]);
    const d = await connect(third);
    expect([digestOf(d.lastInfo.active), digestOf(d.lastInfo.previous)]).toEqual([toHex(fileDigest(TINY)), 'none']);
    expect((await pushPackage(d, FASHION)).kind).toBe('full');
    await d.close();

    // A package the board holds, uploaded again anyway: it is activated, not stored a second time.
    const raw = new RawStudio(await serial(third));
    await raw.hello();
    const held = await raw.push(TINY);
    expect(held.type).toBe('state');
    const s = held as Extract<Message, { type: 'state' }>;
    expect([digestOf(s.active), digestOf(s.previous)]).toEqual([toHex(fileDigest(TINY)), toHex(fileDigest(FASHION))]);
  });
});

describe('reframe-fw-board: refusals leave the active model as it was', () => {
  it('refuses corrupt, truncated, wrong-digest, incomplete, tampered and delta uploads with the protocol code and the decoder sentence', { timeout: 90_000 }, async () => {
    const b = await board(['--store', newStore()]);
    const client = await connect(b);
    await pushPackage(client, TINY);
    const active = toHex(fileDigest(TINY));
    const unchanged = async (c: BoardClient): Promise<void> => {
      const info = await c.info();
      expect([digestOf(info.active), info.pending]).toEqual([active, undefined]);
      await expectSameLogits(c, TINY);
    };

    // A flipped byte in the middle of the data: the package's own digest catches it.
    const corrupt = FASHION.slice();
    corrupt[corrupt.length >> 1]! ^= 0x10;
    const e1 = await boardError(pushPackage(client, corrupt));
    expect(e1.code).toBe('package-rejected');
    expect(e1.message).toBe(decoderSentence(corrupt));
    expect(e1.message).toMatch(/^package rejected by the sections check: section DATA fails its CRC-32C/);

    const truncated = FASHION.slice(0, 40_000);
    const e2 = await boardError(pushPackage(client, truncated));
    expect(e2.code).toBe('package-rejected');
    expect(e2.message).toBe(decoderSentence(truncated));

    // A stored weight changed and the package resealed: every container check passes, its tensor digest does not.
    const pkg = decodePackage(FASHION);
    const fc = pkg.tensors.find((t) => t.id === 'fc.weight')!;
    const tampered = FASHION.slice();
    tampered[pkg.data.byteOffset - FASHION.byteOffset + fc.dataOffset + 1]! ^= 0x01;
    reseal(tampered, { crcs: true, signer: undefined });
    decodePackage(tampered);
    const e3 = await boardError(pushPackage(client, tampered));
    expect(e3.code).toBe('regen-mismatch');
    expect(e3.message).toMatch(/^tensor fc\.weight read back hashes to [0-9a-f]{16}…, the package records [0-9a-f]{16}…/);
    await unchanged(client);
    await client.close();

    const raw = new RawStudio(await serial(b));
    await raw.hello();
    // The announced digest is FASHION's, the bytes are not.
    const ack = await raw.ask({ type: 'begin', id: raw.id(), digest: fileDigest(FASHION), size: FASHION.length, kind: 'full' });
    expect(ack).toMatchObject({ type: 'ack', offset: 0 });
    for (let at = 0; at < corrupt.length; at += 4096) await raw.ask({ type: 'chunk', id: raw.id(), offset: at, bytes: corrupt.subarray(at, at + 4096) });
    const mismatch = await raw.ask({ type: 'commit', id: raw.id(), digest: fileDigest(FASHION) });
    expect(mismatch).toMatchObject({ type: 'error', code: 'digest-mismatch' });
    expect((mismatch as Extract<Message, { type: 'error' }>).message).toMatch(
      new RegExp(`^the ${FASHION.length} bytes received hash to ${toHex(fileDigest(corrupt)).slice(0, 16)}…, not the announced ${toHex(fileDigest(FASHION)).slice(0, 16)}…`),
    );

    await raw.ask({ type: 'begin', id: raw.id(), digest: fileDigest(FASHION), size: FASHION.length, kind: 'full' });
    await raw.ask({ type: 'chunk', id: raw.id(), offset: 0, bytes: FASHION.subarray(0, 4096) });
    const gap = await raw.ask({ type: 'chunk', id: raw.id(), offset: 8192, bytes: FASHION.subarray(8192, 12288) });
    expect(gap).toMatchObject({ type: 'ack', offset: 4096, gap: true });
    const early = await raw.ask({ type: 'commit', id: raw.id(), digest: fileDigest(FASHION) });
    expect(early).toMatchObject({ type: 'error', code: 'incomplete', message: expect.stringMatching(/^COMMIT after 4096 of 64772 bytes/) as unknown });
    const none = await raw.ask({ type: 'commit', id: raw.id(), digest: fileDigest(FASHION) });
    expect(none).toMatchObject({ type: 'error', code: 'no-upload' });

    const delta = await raw.ask({ type: 'begin', id: raw.id(), digest: fileDigest(FASHION), size: 1000, kind: 'delta' });
    expect(delta).toMatchObject({ type: 'error', code: 'bad-message', message: expect.stringContaining('does not apply deltas') as unknown });
    const huge = await raw.ask({ type: 'begin', id: raw.id(), digest: fileDigest(FASHION), size: (64 << 20) + 1, kind: 'full' });
    expect(huge).toMatchObject({ type: 'error', code: 'too-large' });
    await raw.transport.close();

    await unchanged(await connect(b));
  });

  it('refuses a model too big for its arena before anything changes, reading packages into RAM when its storage is not mapped', { timeout: 60_000 }, async () => {
    const b = await board(['--store', newStore(), '--arena', '160K', '--no-map']);
    const client = await connect(b);
    expect(client.lastInfo.ramBytes).toBe(160 * 1024);
    await pushPackage(client, TINY);
    await expectSameLogits(client, TINY);
    const e = await boardError(pushPackage(client, FASHION));
    expect(e.code).toBe('too-large');
    const m = /^the model needs (\d+) bytes of RAM \(regenerate per layer, the package read into RAM\), the board has (\d+): /.exec(e.message);
    expect(m, e.message).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(160 * 1024);
    expect(Number(m![2])).toBe(160 * 1024);
    const info = await client.info();
    expect([digestOf(info.active), digestOf(info.previous), info.pending]).toEqual([toHex(fileDigest(TINY)), 'none', undefined]);
    await expectSameLogits(client, TINY);

    // Mapped storage: the package stays where it is, and the figure is the model's alone.
    const mapped = await board(['--store', newStore(), '--arena', '160K']);
    const other = await connect(mapped);
    const e2 = await boardError(pushPackage(other, FASHION));
    expect(e2.code).toBe('too-large');
    const n = Number(/^the model needs (\d+) bytes of RAM \(regenerate per layer\), the board has 163840: /.exec(e2.message)?.[1]);
    // The unmapped board needed the package's bytes more (and up to 16 of alignment).
    expect(Number(m![1]) - n).toBeGreaterThanOrEqual(FASHION.length);
    expect(Number(m![1]) - n).toBeLessThanOrEqual(FASHION.length + 16);
    expect((await other.info()).active).toBeUndefined();
  });

  it('requires a signature from a trusted key when told to', { timeout: 60_000 }, async () => {
    const keys = await generateKeyFiles(path.join(dir, 'board-key'));
    const b = await board(['--store', newStore(), '--require-signature', '--trust', keys.publicPath]);
    const client = await connect(b);
    expect(client.lastInfo.capabilities.signatureRequired).toBe(true);
    const unsigned = await boardError(pushPackage(client, TINY));
    expect(unsigned.code).toBe('signature');
    expect(unsigned.message).toMatch(/^package rejected by the signature check: the package is not signed, and a signature is required: sign the package/);
    const stranger = generateKeyPairSync('ed25519');
    const strangerSigned = packPreset('tiny', 'fp32', { keyId: new Uint8Array(16).fill(7), sign: (m) => new Uint8Array(sign(null, m, stranger.privateKey)) });
    expect((await boardError(pushPackage(client, strangerSigned))).code).toBe('signature');
    const signed = packPreset('tiny', 'fp32', await loadSigner(keys.privatePath));
    const r = await pushPackage(client, signed);
    expect(digestOf(r.state.active)).toBe(toHex(fileDigest(signed)));
    await expectSameLogits(client, signed);
  });
});

describe('reframe-fw-board: the line itself', () => {
  it('answers a resent request once: the same answers again, nothing run twice, until HELLO starts over', { timeout: 60_000 }, async () => {
    const b = await board(['--store', newStore()]);
    const raw = new RawStudio(await serial(b));
    await raw.hello();
    expect(await raw.push(TINY)).toMatchObject({ type: 'state' });
    expect(await raw.push(FASHION)).toMatchObject({ type: 'state' });
    const state = async (): Promise<string> => {
      const s = await raw.ask({ type: 'abort', id: raw.id() });
      return s.type === 'state' ? digestOf(s.active) : s.type;
    };

    const rollback: Message = { type: 'rollback', id: 900 };
    const once = await raw.ask(rollback);
    const twice = await raw.ask(rollback);
    expect(twice).toEqual(once);
    expect(digestOf((once as Extract<Message, { type: 'state' }>).active)).toBe(toHex(fileDigest(TINY)));

    // An INFER answered again carries the same micros: the board did not run it twice.
    const input = inputFor(TINY);
    const infer: Message = { type: 'infer', id: 901, offset: 0, total: input.byteLength, bytes: new Uint8Array(input.buffer) };
    const r1 = await raw.ask(infer);
    const r2 = await raw.ask(infer);
    expect(r1.type).toBe('result');
    expect(r2).toEqual(r1);

    // A resend that arrives while the request runs is dropped: one set of BENCH-RESULT frames.
    const bench: Message = { type: 'bench', id: 902, runs: 300 };
    await raw.link.send(bench);
    await raw.link.send(bench);
    await raw.take((m) => m.id === 902 && m.type === 'bench-result' && !m.more, 30_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(raw.inbox.filter((m) => m.id === 902 && m.type === 'bench-result' && !m.more)).toHaveLength(0);
    expect(await state()).toBe(toHex(fileDigest(TINY)));

    // The same ROLLBACK after another request is a new request: it runs.
    const rerun = await raw.ask(rollback);
    expect(digestOf((rerun as Extract<Message, { type: 'state' }>).active)).toBe(toHex(fileDigest(FASHION)));
    // HELLO clears the memory: the same bytes again are a new request from a new studio.
    await raw.hello();
    const fresh = await raw.ask(rollback);
    expect(digestOf((fresh as Extract<Message, { type: 'state' }>).active)).toBe(toHex(fileDigest(TINY)));
  });

  it('shakes hands through HELLO retries while the board is busy, skips garbage and oversized frames, and answers malformed requests', { timeout: 60_000 }, async () => {
    const b = await board(['--store', newStore(), '--max-message', '1024']);
    const t = await serial(b);
    // Garbage first: an oversized run of bytes, half a frame, a frame with a broken CRC.
    await t.write(new Uint8Array(20_000).fill(0x55));
    await t.write(Uint8Array.of(0));
    const broken = encodeFrame(encodeMessage({ type: 'hello', id: 77, version: 1, maxMessage: 65536 }));
    broken[3]! ^= 0x01;
    await t.write(broken);
    await t.write(Uint8Array.of(3, 9, 9));
    // The board is stopped for a while (booting, or busy): the studio's HELLO every 300 ms gets through once it runs.
    b.pause();
    const resume = setTimeout(() => b.resume(), 900);
    cleanup.push(async () => {
      clearTimeout(resume);
      b.resume();
    });
    const client = await BoardClient.connect(t, { helloTimeoutMs: 5000 });
    expect(client.lastInfo.maxMessage).toBe(1024);
    expect(client.maxChunk).toBe(1016);
    // Chunks of 1016 bytes: the window and the go-back-N of the studio against a small board.
    expect((await pushPackage(client, TINY)).kind).toBe('full');
    await expectSameLogits(client, TINY);

    // The same line, raw: the client's link stays attached and ignores answers it did not ask for.
    const raw = new RawStudio(t);
    const send = async (bytes: number[]): Promise<Message> => {
      const id = raw.id();
      await t.write(encodeFrame(Uint8Array.from([bytes[0]!, 0, id & 0xff, id >> 8, ...bytes.slice(1)])));
      return raw.take((m) => m.id === id && m.type !== 'log');
    };
    expect(await send([0x42])).toMatchObject({ type: 'error', code: 'unknown-type', message: 'unknown message type 0x42' });
    expect(await send([0x03, 1, 2, 3])).toMatchObject({ type: 'error', code: 'bad-message', message: 'BEGIN message ends early: needs 32 bytes, has 3' });
    expect(await send([0x09, 0])).toMatchObject({ type: 'error', code: 'bad-message', message: 'ROLLBACK message has 1 bytes too many' });
    expect(await send([0x02])).toMatchObject({ type: 'error', code: 'bad-message', message: 'INFO is a message boards send, not one they take' });
    expect(await send([0x01, 2, 0, 0, 0, 1, 0])).toMatchObject({ type: 'error', code: 'version' });
    expect(await send([0x0c, 0, 0])).toMatchObject({ type: 'error', code: 'bad-message', message: 'BENCH asks for 0 runs; ask for at least 1' });
    expect(await send([0x0a, 0, 0, 0, 0, 8, 0, 0, 0, 1, 2, 3, 4])).toMatchObject({ type: 'error', code: 'bad-input' });
    // INFER parts come in order from 0; a part that does not is refused, and the input starts over.
    const part = (offset: number): number[] => [0x0a, offset & 0xff, offset >> 8, 0, 0, 0x40, 0x0c, 0, 0, ...new Array<number>(1000).fill(0x3f)];
    expect(await send(part(0))).toMatchObject({ type: 'ack', offset: 1000 });
    expect(await send(part(2000))).toMatchObject({ type: 'error', code: 'bad-message', message: 'INFER part at byte 2000, expected 1000: send the input again from offset 0' });
    expect(await send(part(1000))).toMatchObject({ type: 'error', code: 'bad-message', message: 'INFER part at byte 1000, expected 0: send the input again from offset 0' });
    // A frame that fails its CRC gets no answer at all; the next one is answered as usual.
    await t.write(broken);
    expect(await raw.hello()).toMatchObject({ maxMessage: 1024 });
    expect(raw.inbox.filter((m) => m.id === 77)).toHaveLength(0);
  });
});
