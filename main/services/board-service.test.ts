import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packPreset } from '../../core/package/package-test-support.fixture.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import type { BoardTarget } from '../contract/studio-api.js';
import { mockBoard } from './mock-board.fixture.js';
import { nextEvent, scratchServices } from './studio-services.fixture.js';

const TARGET: BoardTarget = { kind: 'tcp', host: 'board.local', port: 5577 };
const TINY = packPreset('tiny', 'fp32');
const TINY16 = packPreset('tiny', 'fp16');

let board: Awaited<ReturnType<typeof mockBoard>>;
beforeAll(async () => {
  board = await mockBoard();
});
afterAll(() => board.stop());

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('boards', () => {
  it('shows info with the workspace packages it runs, activates, rolls back and benches', async () => {
    const s = await scratchServices({ connect: board.connect, pushProgressMs: 0 });
    cleanup.push(s.remove);
    const { services } = s;
    const empty = await services.boardInfo(TARGET);
    expect(empty).toMatchObject({ name: 'mock board', link: 'mock link', protocolVersion: 1, active: null, previous: null, pending: null, activePackage: null, capabilities: { infer: true, bench: true, delta: true } });
    await expect(services.rollbackBoard(TARGET)).rejects.toMatchObject({ code: 'board-no-previous', hint: expect.stringContaining('nothing to roll back') });
    await expect(services.benchBoard(TARGET, 1)).rejects.toMatchObject({ code: 'board-no-model' });

    const a = path.join(services.workspace, 'a.rfpk');
    const b = path.join(services.workspace, 'b.rfpk');
    await writeFile(a, TINY);
    await writeFile(b, TINY16);
    for (const p of [a, b]) {
      const { pushId } = await services.pushPackage({ target: TARGET, packagePath: p });
      await nextEvent(services, 'push.done', (e) => e.pushId === pushId);
    }
    const [da, db] = [toHex(fileDigest(TINY)), toHex(fileDigest(TINY16))];
    expect(await services.boardInfo(TARGET)).toMatchObject({ active: db, previous: da, activePackage: b, previousPackage: a });
    expect(await services.rollbackBoard(TARGET)).toEqual({ active: da, previous: db });
    expect(await services.activatePackage(TARGET, db.slice(0, 10))).toEqual({ active: db, previous: da });
    await expect(services.activatePackage(TARGET, 'abcdef0123')).rejects.toMatchObject({ code: 'not-found' });
    await expect(services.activatePackage(TARGET, 'not hex')).rejects.toMatchObject({ code: 'bad-digest' });

    const bench = await services.benchBoard(TARGET, 2);
    expect(bench).toMatchObject({ board: 'mock board', runs: 2 });
    expect(bench.layers.length).toBeGreaterThan(3);
    expect(bench.totalMicros).toBeCloseTo(bench.layers.reduce((t, l) => t + l.micros, 0), 6);
  }, 60_000);

  it('lists serial ports, network agents and remembered boards, and says why ports cannot be listed', async () => {
    const s = await scratchServices({
      connect: board.connect,
      listSerial: () => Promise.resolve([{ path: '/dev/ttyACM0', manufacturer: 'Arduino', serialNumber: undefined, vendorId: '2341', productId: '0043' }]),
      browse: (ms) => Promise.resolve(ms > 0 ? [{ name: 'pi', host: '10.0.0.7', port: 5577, runtime: 'reframe-agent 0.1.0', version: '1' }] : []),
    });
    cleanup.push(s.remove);
    await s.services.boardInfo(TARGET);
    const list = await s.services.listBoards(100);
    expect(list.serial).toEqual([{ path: '/dev/ttyACM0', manufacturer: 'Arduino', serialNumber: null, vendorId: '2341', productId: '0043' }]);
    expect(list.serialProblem).toBeNull();
    expect(list.network).toEqual([{ name: 'pi', host: '10.0.0.7', port: 5577, runtime: 'reframe-agent 0.1.0', version: '1' }]);
    expect(list.remembered).toEqual([{ target: TARGET, name: 'mock board', runtime: expect.any(String), lastSeen: expect.any(String), present: null }]);
    expect((await s.services.listBoards(0)).network).toEqual([]);

    const broken = await scratchServices({ listSerial: () => Promise.reject(new Error('cannot list serial ports: udevadm is missing')) });
    cleanup.push(broken.remove);
    expect(await broken.services.listBoards(0)).toEqual({ serial: [], serialProblem: 'cannot list serial ports: udevadm is missing', network: [], remembered: [] });
  });

  it('tells a silent board apart from a refused connection', async () => {
    const s = await scratchServices();
    cleanup.push(s.remove);
    // Nothing listens on port 1 of this machine: the default TCP connector's own error and hint.
    await expect(s.services.boardInfo({ kind: 'tcp', host: '127.0.0.1', port: 1 })).rejects.toMatchObject({ code: 'open-failed', hint: expect.any(String) });
  });
});
