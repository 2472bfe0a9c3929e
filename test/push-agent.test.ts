import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tfc from '@tensorflow/tfjs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildTfModel } from '../core/node/engine/tf-model.js';
import { decodePackage } from '../core/package/decode-package.js';
import { makeDelta } from '../core/package/delta-package.js';
import { packPreset, retrainedPreset } from '../core/package/package-test-support.fixture.js';
import { readTensor } from '../core/package/read-tensor.js';
import { AgentInference } from '../devices/agent/agent-inference.js';
import { serveSerial, serveTcp, type RunningAgent } from '../devices/agent/agent-server.js';
import { BoardAgent } from '../devices/agent/board-agent.js';
import { openSlotStore } from '../devices/agent/slot-store.js';
import { openUploadStore } from '../devices/agent/upload-store.js';
import { BoardClient } from '../devices/link/board-client.js';
import { pushPackage } from '../devices/link/push.js';
import { PushError } from '../devices/link/push-error.js';
import { createMockPair } from '../devices/transport/mock-transport.js';
import { openSerial } from '../devices/transport/serial-transport.js';
import { connectTcp } from '../devices/transport/tcp-transport.js';
import { DISCONNECTED_HINT } from '../devices/transport/transport-hints.js';
import { TransportError } from '../devices/transport/transport.js';
import { ptyLink } from './support/pty-link.js';
import { fileDigest } from '../devices/protocol/file-digest.js';

// The studio's push (devices/link) against the real board agent (devices/agent), over the mock pair,
// real TCP on 127.0.0.1, and a real socat pty pair.

const LIMIT = 1 << 22;
const PKG = packPreset('reframe-resnet8-fashion', 'fp32');

const retrained = (): Uint8Array => retrainedPreset('reframe-resnet8-fashion', 'fp32', 0.01);

let inference: AgentInference;
beforeAll(async () => {
  inference = await AgentInference.start('auto');
});
afterAll(() => inference.dispose());

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function storeDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'push-agent-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function agentOn(dir: string): Promise<BoardAgent> {
  const agent = new BoardAgent({
    slots: await openSlotStore(dir),
    uploads: await openUploadStore(dir, { limit: LIMIT }),
    inference,
    policy: { requireSignature: false, verifier: undefined, maxBytes: LIMIT },
    name: 'agent under test',
    report: () => undefined,
  });
  cleanup.push(() => agent.stop());
  return agent;
}

const serverOptions = (store: string) => ({ store, name: 'agent under test', requireSignature: false, verifier: undefined, storageLimit: LIMIT, engine: 'auto' as const, report: () => undefined });

describe('push to the board agent over the mock pair', () => {
  it('pushes, skips, sends a delta, rolls back, and the board infers what the studio infers', async () => {
    const agent = await agentOn(await storeDir());
    const [studio, board] = createMockPair();
    void agent.serve(board);
    const client = await BoardClient.connect(studio);
    cleanup.push(() => client.close());
    expect(client.lastInfo.name).toBe('agent under test');

    const first = await pushPackage(client, PKG);
    expect(first).toMatchObject({ kind: 'full', bytesSent: PKG.length, resumedFrom: 0 });
    expect(first.state.active).toEqual(fileDigest(PKG));
    expect((await pushPackage(client, PKG)).kind).toBe('already-active');

    const target = retrained();
    const delta = makeDelta(PKG, target);
    const second = await pushPackage(client, target, { delta: () => ({ delta, base: PKG }) });
    expect(second).toMatchObject({ kind: 'delta', bytesSent: delta.length });
    expect(second.state).toEqual({ active: fileDigest(target), previous: fileDigest(PKG) });

    // The board's logits for one input equal the studio engine's for the same package.
    const pkg = decodePackage(target);
    const shape = pkg.graph.nodes[0]!.outputShape;
    const input = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) * 0.5);
    const onBoard = await client.infer(input);
    const model = buildTfModel(inference.engine, pkg.graph, new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)])));
    const tf = inference.engine.tf;
    const out = tf.tidy(() => model.forward(tf.tensor(input, [1, ...shape]), false) as tfc.Tensor);
    const studioLogits = await out.data();
    out.dispose();
    model.dispose();
    const maxDiff = onBoard.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - (studioLogits[i] as number))), 0);
    expect(onBoard.logits.length).toBe(10);
    expect(maxDiff).toBeLessThan(1e-4);

    const back = await pushPackage(client, PKG);
    expect(back.kind).toBe('activated-previous');
    expect(back.state.active).toEqual(fileDigest(PKG));
  }, 30_000);

  it('resumes on a new link where a cancelled push stopped, with the bytes intact', async () => {
    const agent = await agentOn(await storeDir());
    const [studio, board] = createMockPair();
    void agent.serve(board);
    const client = await BoardClient.connect(studio);
    const abort = new AbortController();
    const cancelled = await pushPackage(client, PKG, { signal: abort.signal, chunkSize: 1024, onProgress: (p) => p.acked >= PKG.length / 2 && abort.abort() }).catch((e: unknown) => e);
    expect(cancelled).toBeInstanceOf(PushError);
    studio.unplug();

    const [studio2, board2] = createMockPair();
    // The agent serves one link at a time: wait until it has let go of the first.
    for (let i = 0; i < 100 && agent.busy; i++) await new Promise((r) => setTimeout(r, 10));
    void agent.serve(board2);
    const again = await BoardClient.connect(studio2);
    cleanup.push(() => again.close());
    expect(again.lastInfo.pending?.offset).toBeGreaterThanOrEqual(PKG.length / 2);
    const r = await pushPackage(again, PKG);
    expect(r.kind).toBe('full');
    expect(r.resumedFrom).toBe(again.lastInfo.pending!.offset);
    expect(r.bytesSent).toBe(PKG.length - r.resumedFrom);
    expect(r.state.active).toEqual(fileDigest(PKG));
  }, 30_000);

  it('completes through bit flips in both directions', async () => {
    const agent = await agentOn(await storeDir());
    let ab = 0;
    let ba = 0;
    const flip = (b: Uint8Array): Uint8Array => {
      const c = b.slice();
      c[c.length >> 1]! ^= 0x08;
      return c;
    };
    const [studio, board] = createMockPair({ tamperAToB: (b) => (++ab % 50 === 0 && b.length > 1 ? flip(b) : b), tamperBToA: (b) => (++ba % 50 === 0 && b.length > 1 ? flip(b) : b) });
    void agent.serve(board);
    const client = await BoardClient.connect(studio);
    cleanup.push(() => client.close());
    const r = await pushPackage(client, PKG, { chunkSize: 512, ackTimeoutMs: 300 });
    expect(r.state.active).toEqual(fileDigest(PKG));
    expect(r.bytesSent).toBeGreaterThan(PKG.length);
  }, 30_000);
});

describe('push to the board agent over real links', () => {
  it('over TCP on 127.0.0.1, and a second studio meanwhile is told the board is busy', async () => {
    const running: RunningAgent & { port: number } = await serveTcp('127.0.0.1', 0, { ...serverOptions(await storeDir()), mdns: false });
    cleanup.push(() => running.stop());
    const client = await BoardClient.connect(await connectTcp('127.0.0.1', running.port));
    cleanup.push(() => client.close());
    const r = await pushPackage(client, PKG, { window: 64 * 1024 });
    expect(r).toMatchObject({ kind: 'full', bytesSent: PKG.length });
    expect(r.state.active).toEqual(fileDigest(PKG));

    const second = await connectTcp('127.0.0.1', running.port);
    cleanup.push(() => second.close());
    await expect(BoardClient.connect(second, { helloTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'busy' });
  }, 30_000);

  it('over TCP, a studio that vanished without closing gives way to a new one once it has been silent', async () => {
    const running = await serveTcp('127.0.0.1', 0, { ...serverOptions(await storeDir()), mdns: false, takeoverSilenceMs: 500 });
    cleanup.push(() => running.stop());
    // A connection that says HELLO and then nothing: the laptop went to sleep.
    const gone = await BoardClient.connect(await connectTcp('127.0.0.1', running.port));
    cleanup.push(() => gone.close());
    const early = await connectTcp('127.0.0.1', running.port);
    cleanup.push(() => early.close());
    await expect(BoardClient.connect(early, { helloTimeoutMs: 2000 })).rejects.toMatchObject({ code: 'busy' });
    await new Promise((r) => setTimeout(r, 600));
    const client = await BoardClient.connect(await connectTcp('127.0.0.1', running.port), { helloTimeoutMs: 3000 });
    cleanup.push(() => client.close());
    expect((await pushPackage(client, PKG, { window: 64 * 1024 })).kind).toBe('full');
  }, 30_000);

  it('over a socat pty pair: unplugged mid-push, plugged back, the same push resumes', async () => {
    const dir = await storeDir();
    const pair = await ptyLink(dir);
    cleanup.push(() => pair.unplug());
    const running = await serveSerial(pair.b, serverOptions(path.join(dir, 'store')));
    cleanup.push(() => running.stop());

    // 92,160 B/s: the 64 KiB push takes about 0.7 s, long enough to pull the cable half-way.
    let client = await BoardClient.connect(await openSerial(pair.a, { baud: 921_600, throttle: true }));
    const lost = await pushPackage(client, PKG, { lineRate: 92_160, onProgress: (p) => void (p.acked > PKG.length / 3 && pair.unplug()) }).catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(TransportError);
    expect(lost).toMatchObject({ code: 'disconnected', hint: DISCONNECTED_HINT });

    await pair.replug();
    // The agent reopens its port about once a second.
    client = await BoardClient.connect(await openSerial(pair.a, {}), { helloTimeoutMs: 5000 });
    cleanup.push(() => client.close());
    const r = await pushPackage(client, PKG);
    expect(r.resumedFrom).toBeGreaterThan(PKG.length / 3);
    expect(r.bytesSent).toBe(PKG.length - r.resumedFrom);
    expect(r.state.active).toEqual(fileDigest(PKG));
  }, 30_000);
});
