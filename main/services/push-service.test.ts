import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeDelta } from '../../core/package/delta-package.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { packPreset, presetGraph } from '../../core/package/package-test-support.fixture.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import type { BoardTarget } from '../contract/studio-api.js';
import { mockBoard } from './mock-board.fixture.js';
import { collect, nextEvent, scratchServices } from './studio-services.fixture.js';

// Pushes through the services against the real TypeScript board agent over the in-memory pair.

const PKG = packPreset('reframe-resnet8-fashion', 'fp32');
const TARGET: BoardTarget = { kind: 'serial', path: '/dev/mock-board' };

function retrained(): Uint8Array {
  const graph = presetGraph('reframe-resnet8-fashion');
  const values = initialValues(graph);
  values.set('fc.bias', values.get('fc.bias')!.map((v, i) => v + 0.01 * (i + 1)));
  return encodePackage(graph, values, { dtype: 'fp32' });
}

let board: Awaited<ReturnType<typeof mockBoard>>;
beforeAll(async () => {
  board = await mockBoard();
});
afterAll(() => board.stop());

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function setup() {
  const s = await scratchServices({ connect: board.connect, pushProgressMs: 0 });
  cleanup.push(s.remove);
  const at = (name: string) => path.join(s.services.workspace, name);
  await writeFile(at('first.rfpk'), PKG);
  await writeFile(at('second.rfpk'), retrained());
  return { services: s.services, at };
}

describe('pushes', () => {
  it('pushes with progress to 100%, then skips, then sends a delta, and remembers the board', async () => {
    const { services } = await setup();
    const progress = collect(services, 'push.progress');
    const { pushId } = await services.pushPackage({ target: TARGET, packagePath: 'first.rfpk', window: 4096 });
    const done = await nextEvent(services, 'push.done', (e) => e.pushId === pushId);
    expect(done.result).toMatchObject({ kind: 'full', packageBytes: PKG.length, bytesSent: PKG.length, resumedFrom: 0, board: 'mock board', state: { active: toHex(fileDigest(PKG)) } });
    const mine = progress.filter((p) => p.pushId === pushId);
    expect(mine.length).toBeGreaterThan(1);
    expect(mine.at(-1)).toMatchObject({ acked: PKG.length, total: PKG.length, kind: 'full' });
    for (let i = 1; i < mine.length; i++) expect(mine[i]!.acked).toBeGreaterThanOrEqual(mine[i - 1]!.acked);

    const again = await services.pushPackage({ target: TARGET, packagePath: 'first.rfpk' });
    expect((await nextEvent(services, 'push.done', (e) => e.pushId === again.pushId)).result.kind).toBe('already-active');

    const delta = await services.pushPackage({ target: TARGET, packagePath: 'second.rfpk', deltaFrom: ['first.rfpk'] });
    const r = (await nextEvent(services, 'push.done', (e) => e.pushId === delta.pushId)).result;
    expect(r.kind).toBe('delta');
    expect(r.bytesSent).toBe(makeDelta(PKG, retrained()).length);

    const boards = await services.listBoards(0);
    expect(boards.remembered).toEqual([{ target: { kind: 'serial', path: '/dev/mock-board', baud: 115200 }, name: 'mock board', runtime: expect.stringContaining('reframe-agent'), lastSeen: expect.any(String), present: false }]);
  }, 30_000);

  it('cancels between chunks, and the same push resumes where it stopped', async () => {
    const { services } = await setup();
    // A fresh package the board has not seen in this file's other test.
    const graph = presetGraph('reframe-resnet8-fashion');
    const values = initialValues(graph);
    values.set('fc.bias', values.get('fc.bias')!.map((v) => v - 0.5));
    const fresh = encodePackage(graph, values, { dtype: 'fp32' });
    await writeFile(path.join(services.workspace, 'fresh.rfpk'), fresh);
    const { pushId } = await services.pushPackage({ target: TARGET, packagePath: 'fresh.rfpk', window: 1024 });
    const off = services.on('push.progress', (p) => {
      if (p.pushId === pushId && p.acked > 0) void services.cancelPush(pushId).catch(() => undefined);
    });
    const failed = await nextEvent(services, 'push.failed', (e) => e.pushId === pushId);
    off();
    expect(failed.error).toMatchObject({ code: 'cancelled', hint: expect.stringContaining('resume') });
    await expect(services.cancelPush(pushId)).rejects.toMatchObject({ code: 'not-running' });

    const resumed = await services.pushPackage({ target: TARGET, packagePath: 'fresh.rfpk' });
    const done = await nextEvent(services, 'push.done', (e) => e.pushId === resumed.pushId);
    expect(done.result.resumedFrom).toBeGreaterThan(0);
    expect(done.result.bytesSent).toBe(fresh.length - done.result.resumedFrom);
    expect(done.result.state.active).toBe(toHex(fileDigest(fresh)));
  }, 30_000);

  it('reports a pulled cable with how to reconnect, and refuses a bad package before connecting', async () => {
    const { services, at } = await setup();
    const graph = presetGraph('reframe-resnet8-fashion');
    const values = initialValues(graph);
    values.set('fc.bias', values.get('fc.bias')!.map((v) => v + 2));
    await writeFile(at('third.rfpk'), encodePackage(graph, values, { dtype: 'fp32' }));
    const { pushId } = await services.pushPackage({ target: TARGET, packagePath: 'third.rfpk', window: 1024 });
    const off = services.on('push.progress', (p) => {
      if (p.pushId === pushId && p.acked > 0) board.links.at(-1)!.unplug();
    });
    const failed = await nextEvent(services, 'push.failed', (e) => e.pushId === pushId);
    off();
    expect(failed.error).toMatchObject({ code: 'disconnected', hint: expect.stringContaining('reconnect') });

    const bad = PKG.slice();
    bad[100]! ^= 0xff;
    await writeFile(at('bad.rfpk'), bad);
    const links = board.links.length;
    await expect(services.pushPackage({ target: TARGET, packagePath: 'bad.rfpk' })).rejects.toThrow(/package rejected by the \w+ check/);
    await expect(services.pushPackage({ target: { kind: 'tcp', host: 'x', port: 0 }, packagePath: 'first.rfpk' })).rejects.toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^target/) });
    expect(board.links.length).toBe(links);
  }, 30_000);
});
