import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { toHex } from '../../core/package/tensor-digest.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { crashingFs, PowerLossFs, SimulatedCrash } from './power-loss-fs.fixture.js';
import { openSlotStore, type SlotStore } from './slot-store.js';
import { nodeStoreFs, type StoreFs } from './store-fs.js';
import { fileDigest } from '../protocol/file-digest.js';

const DIR = '/store';

function pkg(label: string, size = 3000): { bytes: Uint8Array; digest: Uint8Array; hex: string } {
  const bytes = new Uint8Array(size).map((_, i) => (i * 31 + label.charCodeAt(0)) & 0xff);
  const digest = fileDigest(bytes);
  return { bytes, digest, hex: toHex(digest) };
}

const A = pkg('A');
const B = pkg('B', 5000);
const C = pkg('C', 4000);

const hexOf = (d: Uint8Array | undefined): string | undefined => (d === undefined ? undefined : toHex(d));

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (error) {
    if (error instanceof ProtocolError) return error.code;
    throw error;
  }
  return 'resolved';
}

/** What a restart finds: the active package, read back whole and checked. */
async function afterRestart(fs: StoreFs, dir = DIR): Promise<{ active: string | undefined; previous: string | undefined; bytesOk: boolean }> {
  const store = await openSlotStore(dir, { fs });
  const s = store.state();
  const held = await store.active();
  const want = [A, B, C].find((p) => p.hex === hexOf(s.active));
  return { active: hexOf(s.active), previous: hexOf(s.previous), bytesOk: held === undefined ? s.active === undefined : want !== undefined && Buffer.compare(held.bytes, want.bytes) === 0 };
}

describe('SlotStore', () => {
  it('installs into the inactive slot, keeps the previous package, activates and rolls back', async () => {
    const fs = new PowerLossFs();
    const store = await openSlotStore(DIR, { fs });
    expect(store.state()).toEqual({ active: undefined, previous: undefined });
    expect(await codeOf(store.rollback())).toBe('no-previous');
    await store.install(A.bytes, A.digest);
    expect(hexOf(store.state().active)).toBe(A.hex);
    expect(await codeOf(store.rollback())).toBe('no-previous');
    await store.install(B.bytes, B.digest);
    expect([hexOf(store.state().active), hexOf(store.state().previous)]).toEqual([B.hex, A.hex]);
    expect(Buffer.compare((await store.previous())!.bytes, A.bytes)).toBe(0);
    await store.rollback();
    expect([hexOf(store.state().active), hexOf(store.state().previous)]).toEqual([A.hex, B.hex]);
    await store.activate(B.digest);
    expect(hexOf(store.state().active)).toBe(B.hex);
    expect(await codeOf(store.activate(C.digest))).toBe('not-found');
    // A third package replaces the previous one, never the active one.
    await store.install(C.bytes, C.digest);
    expect([hexOf(store.state().active), hexOf(store.state().previous)]).toEqual([C.hex, B.hex]);
    expect(store.holds(A.digest)).toBe(false);
    // Installing a held package only activates it.
    await store.install(B.bytes, B.digest);
    expect([hexOf(store.state().active), hexOf(store.state().previous)]).toEqual([B.hex, C.hex]);
    expect(await afterRestart(fs.powerCut())).toEqual({ active: B.hex, previous: C.hex, bytesOk: true });
  });

  it('refuses bytes that do not match the digest given for them', async () => {
    const store = await openSlotStore(DIR, { fs: new PowerLossFs() });
    expect(await codeOf(store.install(A.bytes, B.digest))).toBe('digest-mismatch');
  });

  it('never activates a slot whose bytes differ from the pointer, and says so', async () => {
    const fs = new PowerLossFs();
    const store = await openSlotStore(DIR, { fs });
    await store.install(A.bytes, A.digest);
    await store.install(B.bytes, B.digest);
    const bad = B.bytes.slice();
    bad[10]! ^= 1;
    await fs.write(`${DIR}/slot-b.rfpk`, bad);
    const logs: string[] = [];
    const reopened = await openSlotStore(DIR, { fs, log: (level, text) => logs.push(`${level}: ${text}`) });
    expect(reopened.state()).toEqual({ active: undefined, previous: A.digest });
    expect(logs).toEqual([expect.stringMatching(/^error: slot b does not match its recorded digest .*no model is active/)]);
    expect(await reopened.active()).toBeUndefined();
    // The good one can still be made active.
    await reopened.rollback();
    expect(hexOf(reopened.state().active)).toBe(A.hex);
  });

  it('starts empty, with a log, when the pointer is unreadable', async () => {
    const fs = new PowerLossFs();
    await fs.write(`${DIR}/active.json`, new TextEncoder().encode('{"format":"reframe-agent-slots","version":1,"active":"c"}'));
    const logs: string[] = [];
    const store = await openSlotStore(DIR, { fs, log: (_l, text) => logs.push(text) });
    expect(store.state()).toEqual({ active: undefined, previous: undefined });
    expect(logs[0]).toContain('active.json in /store is unreadable');
  });

  it('re-checks a slot on every read: storage that rots later is a storage error', async () => {
    const fs = new PowerLossFs();
    const store = await openSlotStore(DIR, { fs });
    await store.install(A.bytes, A.digest);
    await fs.write(`${DIR}/slot-a.rfpk`, B.bytes);
    expect(await codeOf(store.active())).toBe('storage');
  });
});

describe('the power-loss file system used below', () => {
  it('loses bytes that were not fsynced and renames whose directory was not fsynced', async () => {
    const fs = new PowerLossFs();
    await fs.write('/d/x', Uint8Array.of(1, 2, 3));
    await fs.syncDir('/d');
    expect(await fs.powerCut().read('/d/x')).toEqual(new Uint8Array(0));
    await fs.sync('/d/x');
    await fs.rename('/d/x', '/d/y');
    const cut = fs.powerCut();
    expect([await cut.read('/d/x'), await cut.read('/d/y')]).toEqual([Uint8Array.of(1, 2, 3), undefined]);
  });
});

type Op = (store: SlotStore) => Promise<unknown>;

/**
 * Runs `op` on a store holding `setup`, with the process dying at step 1, 2, … of it (counting every
 * write, fsync, rename and removal, from open() on), and checks what a restart finds after the crash
 * alone and after a power cut at that moment: the old active package or the new one, whole.
 */
async function everyStep(setup: (typeof A)[], op: Op, before: string | undefined, after: string): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let crashAt = 1; ; crashAt++) {
    const fs = new PowerLossFs();
    const base = await openSlotStore(DIR, { fs });
    for (const p of setup) await base.install(p.bytes, p.digest);
    const dying = crashingFs(fs, crashAt);
    try {
      await op(await openSlotStore(DIR, { fs: dying }));
    } catch (error) {
      if (!(error instanceof SimulatedCrash)) throw error;
    }
    for (const [how, disk] of [
      ['crash', fs],
      ['power cut', fs.powerCut()],
    ] as const) {
      const found = await afterRestart(disk);
      expect(found.bytesOk, `${how} at step ${crashAt}`).toBe(true);
      expect([before, after], `${how} at step ${crashAt}`).toContain(found.active);
      seen.add(found.active === after ? 'new' : 'old');
    }
    if (!dying.crashed) return seen;
  }
}

describe('SlotStore crash safety, at every step', () => {
  it('install: the old package or the new one', async () => {
    expect(await everyStep([A], (s) => s.install(B.bytes, B.digest), A.hex, B.hex)).toEqual(new Set(['old', 'new']));
  });

  it('install into an empty store: none or the new one', async () => {
    expect(await everyStep([], (s) => s.install(A.bytes, A.digest), undefined, A.hex)).toEqual(new Set(['old', 'new']));
  });

  it('install over a previous package: never the overwritten previous', async () => {
    expect(await everyStep([A, B], (s) => s.install(C.bytes, C.digest), B.hex, C.hex)).toEqual(new Set(['old', 'new']));
  });

  it('activate', async () => {
    expect(await everyStep([A, B], (s) => s.activate(A.digest), B.hex, A.hex)).toEqual(new Set(['old', 'new']));
  });

  it('rollback', async () => {
    expect(await everyStep([A, B], (s) => s.rollback(), B.hex, A.hex)).toEqual(new Set(['old', 'new']));
  });
});

describe('SlotStore on the real disk', () => {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('survives a crash at every step of an install and leaves no temporary file behind', async () => {
    const seen = new Set<string>();
    for (let crashAt = 1; ; crashAt++) {
      const dir = await mkdtemp(path.join(tmpdir(), 'slots-'));
      dirs.push(dir);
      await (await openSlotStore(dir)).install(A.bytes, A.digest);
      const dying = crashingFs(nodeStoreFs, crashAt);
      await openSlotStore(dir, { fs: dying })
        .then((s) => s.install(B.bytes, B.digest))
        .catch((error: unknown) => {
          if (!(error instanceof SimulatedCrash)) throw error;
        });
      const found = await afterRestart(nodeStoreFs, dir);
      expect(found.bytesOk).toBe(true);
      expect([A.hex, B.hex]).toContain(found.active);
      seen.add(found.active === B.hex ? 'new' : 'old');
      expect((await nodeStoreFs.list(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      if (!dying.crashed) break;
    }
    expect(seen).toEqual(new Set(['old', 'new']));
  });

  it('writes the pointer format docs/protocol.md describes', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'slots-'));
    dirs.push(dir);
    const store = await openSlotStore(dir);
    await store.install(A.bytes, A.digest);
    await store.install(B.bytes, B.digest);
    expect(JSON.parse(await readFile(path.join(dir, 'active.json'), 'utf8'))).toEqual({ format: 'reframe-agent-slots', version: 1, active: 'b', slots: { a: A.hex, b: B.hex } });
    // A slot file replaced behind the store's back is refused at the next open.
    await writeFile(path.join(dir, 'slot-a.rfpk'), C.bytes);
    expect((await openSlotStore(dir)).state()).toEqual({ active: B.digest, previous: undefined });
  });
});
