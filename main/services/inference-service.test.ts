import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packPreset } from '../../core/package/package-test-support.fixture.js';
import type { BoardTarget } from '../contract/studio-api.js';
import { mockBoard } from './mock-board.fixture.js';
import { nextEvent, scratchServices } from './studio-services.fixture.js';

const TARGET: BoardTarget = { kind: 'serial', path: '/dev/mock', baud: 921_600 };
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

describe('test inference', () => {
  it('runs demo test images on the board and in the studio and compares them image by image', async () => {
    const s = await scratchServices({ connect: board.connect });
    cleanup.push(s.remove);
    const { services } = s;
    const file = path.join(services.workspace, 'tiny.rfpk');
    await writeFile(file, TINY);
    await expect(services.testInference({ target: TARGET, packagePath: file, images: 2 })).rejects.toMatchObject({ code: 'board-no-model', hint: expect.stringContaining('push a package') });

    const { pushId } = await services.pushPackage({ target: TARGET, packagePath: file });
    await nextEvent(services, 'push.done', (e) => e.pushId === pushId);
    const r = await services.testInference({ target: TARGET, packagePath: file, images: 3 });
    expect(r).toMatchObject({ board: 'mock board', boardRunsPackage: true, agreement: 1 });
    expect(r.classes).toHaveLength(10);
    expect(r.images.map((i) => i.index)).toEqual([0, 1, 2]);
    for (const image of r.images) {
      expect(image.agree).toBe(true);
      expect(image.boardClass).toBe(image.studioClass);
      expect(r.classes).toContain(image.label);
      expect(image.maxAbsDiff).toBeLessThan(1e-4);
      expect(image.boardMicros).toBeGreaterThan(0);
    }
    expect(r.maxAbsDiff).toBe(Math.max(...r.images.map((i) => i.maxAbsDiff)));

    // Another package than the board runs: still compared, and flagged.
    const other = path.join(services.workspace, 'tiny16.rfpk');
    await writeFile(other, TINY16);
    expect((await services.testInference({ target: TARGET, packagePath: other, images: 1 })).boardRunsPackage).toBe(false);
  }, 60_000);
});
