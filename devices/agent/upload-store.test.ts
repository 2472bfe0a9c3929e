import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProtocolError } from '../protocol/protocol-error.js';
import { crashingFs, PowerLossFs, SimulatedCrash } from './power-loss-fs.fixture.js';
import { nodeStoreFs, type StoreFs } from './store-fs.js';
import { openUploadStore, PERSIST_EVERY, PERSIST_INTERVAL_MS, type UploadStore } from './upload-store.js';
import { fileDigest } from '../protocol/file-digest.js';

const DIR = '/store';
const LIMIT = 1 << 20;

const source = new Uint8Array(200 * 1024).map((_, i) => (i * 7 + (i >> 9)) & 0xff);
const digest = fileDigest(source);
const other = fileDigest(Uint8Array.of(1));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'resolved';
}

async function send(store: UploadStore, from: number, to: number, chunk = 4096): Promise<void> {
  for (let at = from; at < to; at += chunk) await store.write(at, source.subarray(at, Math.min(at + chunk, to)));
}

async function partBytes(fs: StoreFs, n: number): Promise<Uint8Array> {
  return ((await fs.read(`${DIR}/upload.part`)) ?? new Uint8Array(0)).subarray(0, n);
}

describe('UploadStore', () => {
  it('takes chunks that reach the contiguous offset, acks the rest, flags gaps', async () => {
    const store = await openUploadStore(DIR, { fs: new PowerLossFs(), limit: LIMIT });
    expect(await codeOf(store.write(0, source.subarray(0, 10)))).toBe('no-upload');
    expect(await store.begin(digest, source.length, 'full')).toBe(0);
    expect(await store.write(0, source.subarray(0, 100))).toEqual({ offset: 100, gap: false });
    // A duplicate: plain ack, nothing changes.
    expect(await store.write(0, source.subarray(0, 100))).toEqual({ offset: 100, gap: false });
    // Beyond the offset: something before it was lost.
    expect(await store.write(200, source.subarray(200, 300))).toEqual({ offset: 100, gap: true });
    // Overlapping the offset: only the new bytes count.
    expect(await store.write(50, source.subarray(50, 250))).toEqual({ offset: 250, gap: false });
    expect(await codeOf(store.write(source.length - 4, source.subarray(0, 8)))).toBe('bad-message');
    expect(await codeOf(store.bytes())).toBe('incomplete');
    await send(store, 250, source.length);
    expect(store.pending()?.offset).toBe(source.length);
    expect(Buffer.compare(await store.bytes(), source)).toBe(0);
  });

  it('refuses uploads over the storage limit and empty ones', async () => {
    const store = await openUploadStore(DIR, { fs: new PowerLossFs(), limit: 1000 });
    expect(await codeOf(store.begin(digest, 1001, 'full'))).toBe('too-large');
    expect(await codeOf(store.begin(digest, 0, 'full'))).toBe('bad-message');
    expect(await store.begin(digest, 1000, 'delta')).toBe(0);
  });

  it('records its offset every 64 KiB and on flush, and resumes there after a restart', async () => {
    const fs = new PowerLossFs();
    const store = await openUploadStore(DIR, { fs, limit: LIMIT });
    await store.begin(digest, source.length, 'full');
    await send(store, 0, 150_000);
    // A restart (the process died, the disk kept its writes) finds the last recorded offset.
    const restarted = await openUploadStore(DIR, { fs, limit: LIMIT });
    expect(restarted.pending()).toEqual({ digest, size: source.length, kind: 'full', offset: 2 * PERSIST_EVERY });
    // After a flush (the link went quiet) the whole contiguous run is recorded.
    await store.flush();
    expect((await openUploadStore(DIR, { fs, limit: LIMIT })).pending()?.offset).toBe(150_000);
    // BEGIN with the same digest resumes at the offset; the rest completes it.
    const again = await openUploadStore(DIR, { fs, limit: LIMIT });
    expect(await again.begin(digest, source.length, 'full')).toBe(150_000);
    await send(again, 150_000, source.length);
    expect(Buffer.compare(await again.bytes(), source)).toBe(0);
  });

  it('records its offset at least once a second on a slow line, well before 64 KiB', async () => {
    const fs = new PowerLossFs();
    const store = await openUploadStore(DIR, { fs, limit: LIMIT });
    await store.begin(digest, source.length, 'full');
    await send(store, 0, 1000);
    expect((await openUploadStore(DIR, { fs, limit: LIMIT })).pending()?.offset).toBe(0);
    await new Promise((r) => setTimeout(r, PERSIST_INTERVAL_MS + 50));
    await send(store, 1000, 2000);
    expect((await openUploadStore(DIR, { fs, limit: LIMIT })).pending()?.offset).toBe(2000);
  });

  it('discards the pending upload on a BEGIN with another digest', async () => {
    const fs = new PowerLossFs();
    const store = await openUploadStore(DIR, { fs, limit: LIMIT });
    await store.begin(digest, source.length, 'full');
    await send(store, 0, 70_000);
    expect(await store.begin(other, 5000, 'full')).toBe(0);
    expect((await openUploadStore(DIR, { fs, limit: LIMIT })).pending()).toEqual({ digest: other, size: 5000, kind: 'full', offset: 0 });
    expect(await fs.size(`${DIR}/upload.part`)).toBe(0);
  });

  it('never records bytes a power cut lost, at any step', async () => {
    // 8 KiB chunks with a flush early on: every write, fsync, rename and removal is a crash point.
    const run = async (fs: StoreFs) => {
      const store = await openUploadStore(DIR, { fs, limit: LIMIT });
      await store.begin(digest, source.length, 'full');
      await send(store, 0, 40_000, 8192);
      await store.flush();
      await send(store, 40_000, source.length, 8192);
    };
    const resumedFrom = { crash: new Set<number>(), 'power cut': new Set<number>() };
    for (let crashAt = 1; ; crashAt++) {
      const fs = new PowerLossFs();
      const dying = crashingFs(fs, crashAt);
      await run(dying).catch((error: unknown) => {
        if (!(error instanceof SimulatedCrash)) throw error;
      });
      for (const [how, disk] of [
        ['crash', fs],
        ['power cut', fs.powerCut()],
      ] as const) {
        const p = (await openUploadStore(DIR, { fs: disk, limit: LIMIT })).pending();
        if (p === undefined) continue;
        resumedFrom[how].add(p.offset);
        expect(Buffer.compare(await partBytes(disk, p.offset), source.subarray(0, p.offset)), `${how} at step ${crashAt}`).toBe(0);
      }
      if (!dying.crashed) break;
    }
    // Recorded at the flush, then at least every 64 KiB, then at the end; a power cut loses none of them.
    const points = [0, 40_000, 40_000 + 8 * 8192, 40_000 + 16 * 8192, source.length];
    expect([...resumedFrom.crash].sort((a, b) => a - b)).toEqual(points);
    expect([...resumedFrom['power cut']].sort((a, b) => a - b)).toEqual(points);
  });

  it('drops a record that claims more bytes than the part file holds', async () => {
    const fs = new PowerLossFs();
    const store = await openUploadStore(DIR, { fs, limit: LIMIT });
    await store.begin(digest, source.length, 'full');
    await send(store, 0, 70_000);
    await fs.write(`${DIR}/upload.part`, source.subarray(0, 1000));
    const logs: string[] = [];
    expect((await openUploadStore(DIR, { fs, limit: LIMIT, log: (_l, t) => logs.push(t) })).pending()).toBeUndefined();
    expect(logs).toEqual(['the pending upload was discarded: upload.part holds fewer bytes than upload.json records']);
  });
});

describe('UploadStore on the real disk', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('resumes after a restart and keeps the record format docs/protocol.md describes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'upload-'));
    dirs.push(dir);
    const store = await openUploadStore(dir, { limit: LIMIT });
    await store.begin(digest, source.length, 'delta');
    await send(store, 0, 100_000);
    await store.flush();
    expect(JSON.parse(await readFile(path.join(dir, 'upload.json'), 'utf8'))).toEqual({
      format: 'reframe-agent-upload',
      version: 1,
      digest: Buffer.from(digest).toString('hex'),
      size: source.length,
      kind: 'delta',
      offset: 100_000,
    });
    const after = await openUploadStore(dir, { fs: nodeStoreFs, limit: LIMIT });
    expect(await after.begin(digest, source.length, 'delta')).toBe(100_000);
    await send(after, 100_000, source.length);
    expect(Buffer.compare(await after.bytes(), source)).toBe(0);
    await after.discard();
    expect(await nodeStoreFs.list(dir)).toEqual([]);
  });
});
