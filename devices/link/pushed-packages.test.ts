import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fileDigest } from '../protocol/file-digest.js';
import { KEEP_PUSHED, PushedPackages, pushedDir } from './pushed-packages.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function cache(): Promise<PushedPackages> {
  const d = await mkdtemp(path.join(tmpdir(), 'pushed-'));
  dirs.push(d);
  return new PushedPackages(path.join(d, 'pushed'));
}

describe('PushedPackages', () => {
  it('lives under $XDG_CACHE_HOME/reframe/pushed', () => {
    expect(pushedDir({ XDG_CACHE_HOME: '/x/cache' })).toBe('/x/cache/reframe/pushed');
    expect(pushedDir({ XDG_CACHE_HOME: 'relative' })).toMatch(/\.cache\/reframe\/pushed$/);
  });

  it('finds what it was given by file SHA-256, and nothing it was not', async () => {
    const c = await cache();
    const a = Uint8Array.of(1, 2, 3);
    await c.remember(a);
    expect(await c.find(fileDigest(a))).toEqual(a);
    expect(await c.find(fileDigest(Uint8Array.of(9)))).toBeUndefined();
  });

  it('never returns a damaged copy', async () => {
    const c = await cache();
    const a = Uint8Array.of(1, 2, 3);
    await c.remember(a);
    await writeFile(path.join(c.dir, `${Buffer.from(fileDigest(a)).toString('hex')}.rfpk`), Uint8Array.of(1, 2, 4));
    expect(await c.find(fileDigest(a))).toBeUndefined();
  });

  it(`keeps the ${KEEP_PUSHED} most recent`, async () => {
    const c = await cache();
    const all = Array.from({ length: KEEP_PUSHED + 3 }, (_, i) => Uint8Array.of(i, 7));
    for (const p of all) {
      await c.remember(p);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(await c.find(fileDigest(all[0]!))).toBeUndefined();
    expect(await c.find(fileDigest(all[2]!))).toBeUndefined();
    expect(await c.find(fileDigest(all[3]!))).toEqual(all[3]);
    expect(await c.find(fileDigest(all.at(-1)!))).toEqual(all.at(-1));
  });
});
