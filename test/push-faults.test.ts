import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SerialPort } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { decodePackage } from '../core/package/decode-package.js';
import { packPreset, retrainedPreset } from '../core/package/package-test-support.fixture.js';
import { SeededRandom } from '../core/data/seeded-random.js';
import { toHex } from '../core/package/tensor-digest.js';
import { openSlotStore } from '../devices/agent/slot-store.js';
import { BoardClient } from '../devices/link/board-client.js';
import { pushPackage } from '../devices/link/push.js';
import { openSerial } from '../devices/transport/serial-transport.js';
import { connectTcp } from '../devices/transport/tcp-transport.js';
import { startAgent, type AgentProcess } from './support/agent-process.js';
import { ptyLink } from './support/pty-link.js';
import { fileDigest } from '../devices/protocol/file-digest.js';

// The fault tests against the real agent process: killed like a power cut at random offsets
// over a real pty, bit flips on a real wire, and a flood of garbage. Each kill is followed by a look
// at the store on disk, a restart and a resumed push.

const BAUD = 460_800;
const LINE_RATE = BAUD / 10;

const variant = (bump: number): Uint8Array => retrainedPreset('reframe-resnet14-fashion', 'fp32', bump);

const cleanup: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'push-faults-'));
  cleanup.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** The store as a restarted board would find it: which package is active, and is it whole? */
async function activeOnDisk(store: string): Promise<string | undefined> {
  const slots = await openSlotStore(store);
  const held = await slots.active();
  if (held === undefined) return undefined;
  expect(toHex(fileDigest(held.bytes))).toBe(toHex(held.digest));
  // Whole: every check of the decoder passes, seeded tensors included.
  decodePackage(held.bytes);
  return toHex(held.digest);
}

describe('a board agent killed during pushes', () => {
  it('holds the old or the new model, whole, after each of 20 kills, and every push resumes and completes', async () => {
    const dir = await tempDir();
    const store = path.join(dir, 'store');
    const pty = await ptyLink(dir);
    cleanup.push(() => pty.unplug());
    let agent: AgentProcess = await startAgent(['--serial', pty.b, '--store', store, '--baud', String(BAUD)]);
    cleanup.push(() => agent.kill());
    const connectStudio = async (): Promise<BoardClient> => BoardClient.connect(await openSerial(pty.a, { baud: BAUD, throttle: true }), { helloTimeoutMs: 10_000 });

    const packages = [variant(0), variant(0.01), variant(0.02)];
    const digests = packages.map((p) => toHex(fileDigest(p)));
    let client = await connectStudio();
    expect((await pushPackage(client, packages[0]!, { lineRate: LINE_RATE })).kind).toBe('full');
    await client.close();

    const random = new SeededRandom('0xfa17');
    let kills = 0;
    let resumedBytes = 0;
    for (const next of [1, 2]) {
      const bytes = packages[next]!;
      const old = digests[next - 1]!;
      // Ten cut points over the upload; the last falls at the end, while the board verifies and commits.
      const cuts = Array.from({ length: 9 }, () => 2048 + random.below(bytes.length - 4096)).sort((a, b) => a - b);
      cuts.push(bytes.length);
      for (const cut of cuts) {
        client = await connectStudio();
        const pendingBefore = client.lastInfo.pending?.offset ?? 0;
        let killed: Promise<void> | undefined;
        let settled = false;
        const pushing = pushPackage(client, bytes, {
          lineRate: LINE_RATE,
          onProgress: (p) => {
            if (killed !== undefined || p.acked < cut) return;
            // At the end, wait a moment so the kill lands inside the commit as often as before it.
            const delay = cut === bytes.length ? random.below(40) : 0;
            killed = new Promise((r) => setTimeout(r, delay)).then(() => agent.kill());
          },
        }).then(
          (r) => r,
          (e: unknown) => e as Error,
        );
        void pushing.then(() => (settled = true));
        while (killed === undefined && !settled) await new Promise((r) => setTimeout(r, 5));
        // A dead agent on a pty sends no event: the studio would wait for its ack timeouts, so hang up.
        if (killed !== undefined) {
          await killed;
          await client.close();
        }
        const outcome = await pushing;
        kills++;
        await client.close();
        await agent.kill();
        const active = await activeOnDisk(store);
        expect([old, digests[next]]).toContain(active);
        if (!(outcome instanceof Error)) expect(active).toBe(digests[next]);

        agent = await startAgent(['--serial', pty.b, '--store', store, '--baud', String(BAUD)]);
        client = await connectStudio();
        const info = client.lastInfo;
        expect([old, digests[next]]).toContain(info.active === undefined ? undefined : toHex(info.active));
        if (cut < bytes.length && info.active !== undefined && toHex(info.active) === old) {
          // The board recorded its progress at least once a second: at most about a second of line time is lost.
          expect(info.pending?.offset ?? 0).toBeGreaterThanOrEqual(Math.max(pendingBefore, cut - 1.5 * LINE_RATE - 8192));
          resumedBytes += info.pending?.offset ?? 0;
        }
        await client.close();
      }
      client = await connectStudio();
      const done = await pushPackage(client, bytes, { lineRate: LINE_RATE });
      await client.close();
      expect(toHex(done.state.active!)).toBe(digests[next]);
      expect(await activeOnDisk(store)).toBe(digests[next]);
    }
    expect(kills).toBe(20);
    // Resuming saved real line time: together the restarts skipped more than a whole package.
    expect(resumedBytes).toBeGreaterThan(packages[1]!.length);
  }, 300_000);
});

/** A TCP relay that flips one bit in every `every`-th chunk it forwards, both ways. */
async function bitFlipper(target: number, every: number): Promise<{ port: number; flips: () => number; close: () => Promise<void> }> {
  let count = 0;
  let flips = 0;
  const sockets = new Set<Socket>();
  const relay = (from: Socket, to: Socket) =>
    from.on('data', (d: Buffer) => {
      if (++count % every === 0 && d.length > 2) {
        d[count % d.length] = (d[count % d.length] as number) ^ (1 << count % 8);
        flips++;
      }
      to.write(d);
    });
  const server: Server = createServer((inbound) => {
    const outbound = connect(target, '127.0.0.1');
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('error', () => undefined);
      s.on('close', () => [inbound, outbound].forEach((x) => x.destroy()));
    }
    relay(inbound, outbound);
    relay(outbound, inbound);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    flips: () => flips,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}

describe('both sides busy on a real pty', () => {
  it('a push streams chunks while the board streams bench results and inference answers: no deadlock', async () => {
    const dir = await tempDir();
    const store = path.join(dir, 'store');
    const pty = await ptyLink(dir);
    cleanup.push(() => pty.unplug());
    const agent = await startAgent(['--serial', pty.b, '--store', store]);
    cleanup.push(() => agent.kill());
    const client = await BoardClient.connect(await openSerial(pty.a, {}), { helloTimeoutMs: 10_000 });
    cleanup.push(() => client.close());
    const tiny = packPreset('tiny', 'fp32');
    await pushPackage(client, tiny);
    // Unpaced, so both directions run as fast as the pty allows (DESIGN.md §7: two flooding sides can deadlock).
    const big = variant(0.05);
    let pushing = true;
    let benches = 0;
    let inferences = 0;
    const chatter = (async () => {
      while (pushing) {
        const [bench, result] = await Promise.all([client.bench(2), client.infer(new Float32Array(784).fill(0.5))]);
        expect(bench.layers.length).toBeGreaterThan(10);
        expect(result.logits.length).toBe(10);
        benches++;
        inferences++;
      }
    })();
    const r = await pushPackage(client, big).finally(() => (pushing = false));
    await chatter;
    expect(toHex(r.state.active!)).toBe(toHex(fileDigest(big)));
    expect(benches + inferences).toBeGreaterThan(2);
  }, 120_000);
});

describe('a corrupting wire and a flood of garbage', () => {
  it('bit flips on a real TCP wire are detected and resent; the package arrives exact', async () => {
    const store = path.join(await tempDir(), 'store');
    const agent = await startAgent(['--listen', '127.0.0.1:0', '--store', store]);
    cleanup.push(() => agent.kill());
    const port = Number(/on tcp 127\.0\.0\.1:(\d+) /.exec(agent.ready)?.[1]);
    const wire = await bitFlipper(port, 7);
    cleanup.push(() => wire.close());
    const bytes = packPreset('reframe-resnet8-fashion', 'fp32');
    const client = await BoardClient.connect(await connectTcp('127.0.0.1', wire.port), { helloTimeoutMs: 10_000 });
    cleanup.push(() => client.close());
    const r = await pushPackage(client, bytes, { chunkSize: 1024, ackTimeoutMs: 500 });
    expect(wire.flips()).toBeGreaterThan(5);
    expect(r.bytesSent).toBeGreaterThan(bytes.length);
    expect(toHex(r.state.active!)).toBe(toHex(fileDigest(bytes)));
    await client.close();
    await agent.stop();
    expect(await activeOnDisk(store)).toBe(toHex(fileDigest(bytes)));
  }, 60_000);

  it('64 MB of garbage and oversized frames on a real pty: no crash, bounded memory, and the next push works', async () => {
    const dir = await tempDir();
    const store = path.join(dir, 'store');
    const pty = await ptyLink(dir);
    cleanup.push(() => pty.unplug());
    const agent = await startAgent(['--serial', pty.b, '--store', store]);
    cleanup.push(() => agent.kill());
    const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await readFile(`/proc/${agent.pid}/status`, 'utf8'))?.[1]) * 1024;
    const before = await rss();

    const port = new SerialPort({ path: pty.a, baudRate: 115_200 });
    await new Promise<void>((resolve, reject) => port.on('open', resolve).on('error', reject));
    let x = 0x9a5b;
    const block = new Uint8Array(1 << 20);
    for (let mb = 0; mb < 64; mb++) {
      // Mostly one endless frame with no delimiter; every 8th block, delimiters make random short frames.
      for (let i = 0; i < block.length; i++) {
        x = (Math.imul(x, 1103515245) + 12345) >>> 0;
        const b = x >>> 24;
        block[i] = mb % 8 === 7 ? b : b | 1;
      }
      await new Promise<void>((resolve, reject) => port.write(block, (e) => (e ? reject(e) : port.drain(() => resolve()))));
    }
    await new Promise<void>((resolve) => port.close(() => resolve()));
    await new Promise((r) => setTimeout(r, 500));
    const after = await rss();
    expect(after - before).toBeLessThan(32 * 1024 * 1024);

    const client = await BoardClient.connect(await openSerial(pty.a, {}), { helloTimeoutMs: 10_000 });
    cleanup.push(() => client.close());
    const bytes = packPreset('tiny', 'fp32');
    const r = await pushPackage(client, bytes);
    expect(toHex(r.state.active!)).toBe(toHex(fileDigest(bytes)));
    expect(agent.log()).not.toMatch(/uncaught|TypeError|RangeError/i);
  }, 120_000);
});
