import { access, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDelta } from '../../core/package/delta-package.js';
import { packPreset, testKeys, retrainedPreset } from '../../core/package/package-test-support.fixture.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import type { FullPackageDetails } from '../contract/studio-api.js';
import { scratchServices } from './studio-services.fixture.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

const TINY = packPreset('tiny', 'fp32');

const retrainedTiny = (): Uint8Array => retrainedPreset('tiny', 'fp16', 0.01);

async function workspace() {
  const s = await scratchServices();
  cleanup.push(s.remove);
  const at = (name: string) => path.join(s.services.workspace, name);
  return { services: s.services, at };
}

describe('packages', () => {
  it('lists the workspace packages with digests, deltas and broken files marked', async () => {
    const { services, at } = await workspace();
    expect(await services.listPackages()).toEqual([]);
    const second = retrainedTiny();
    await writeFile(at('a.rfpk'), TINY);
    await writeFile(at('b.rfpk'), second);
    await writeFile(at('a-to-b.rfpk'), makeDelta(TINY, second));
    await writeFile(at('broken.rfpk'), TINY.subarray(0, 100));
    await writeFile(at('notes.txt'), 'not a package');
    await writeFile(at('signed.rfpk'), packPreset('tiny', 'int8', testKeys().signer));
    const list = await services.listPackages();
    const byName = new Map(list.map((e) => [e.fileName, e]));
    expect([...byName.keys()].sort()).toEqual(['a-to-b.rfpk', 'a.rfpk', 'b.rfpk', 'broken.rfpk', 'signed.rfpk']);
    expect(byName.get('a.rfpk')).toMatchObject({ kind: 'full', model: 'tiny', weightDtype: 'fp32', signed: false, bytes: TINY.length, sha256: toHex(fileDigest(TINY)), problem: null });
    expect(byName.get('b.rfpk')).toMatchObject({ weightDtype: 'fp16', signed: false });
    expect(byName.get('signed.rfpk')).toMatchObject({ model: 'tiny', weightDtype: 'int8', signed: true, problem: null });
    expect(byName.get('a-to-b.rfpk')).toMatchObject({ kind: 'delta', model: null, weightDtype: null, problem: null });
    expect(byName.get('broken.rfpk')!.problem).toMatch(/^package rejected by the \w+ check/);
    // A second listing answers from the cache for unchanged files, and sees a rewritten one.
    await writeFile(at('a.rfpk'), second);
    expect((await services.listPackages()).find((e) => e.fileName === 'a.rfpk')!.sha256).toBe(toHex(fileDigest(second)));
  });

  it('inspects tensors with mode, dtype, seed, shape and digest, and the sizes by mode', async () => {
    const { services, at } = await workspace();
    await writeFile(at('tiny.rfpk'), TINY);
    const d = (await services.inspectPackage('tiny.rfpk')) as FullPackageDetails;
    expect(d).toMatchObject({ kind: 'full', path: at('tiny.rfpk'), model: 'tiny', weightDtype: 'fp32', inputShape: [1, 28, 28], classes: 10, signature: null, sha256: toHex(fileDigest(TINY)) });
    expect(d.specText).toContain('"tiny"');
    const seeded = d.tensors.filter((t) => t.mode === 'seeded');
    expect(seeded.length).toBeGreaterThan(0);
    for (const t of seeded) {
      expect(t.seed).toMatch(/^0x[0-9a-f]{16}$/);
      expect(t.bytes).toBe(0);
      expect(t.digest).toMatch(/^[0-9a-f]{64}$/);
    }
    const fc = d.tensors.find((t) => t.name === 'fc.weight')!;
    expect(fc).toMatchObject({ mode: 'learnable', dtype: 'fp32', shape: [10, 8], elements: 80, bytes: 320, seed: null });
    expect(d.sizes.total).toBe(TINY.length);
    expect(d.sizes.data + d.sizes.overhead).toBe(TINY.length);
    expect(d.sizes.byMode.learnable.bytes + d.sizes.byMode.frozen.bytes + d.sizes.byMode.state.bytes).toBe(d.tensors.reduce((s, t) => s + t.bytes, 0));
    expect(d.sizes.byMode.seeded).toMatchObject({ tensors: seeded.length, bytes: 0 });
    expect((await services.recentFiles())[0]).toMatchObject({ path: at('tiny.rfpk'), kind: 'package' });
  });

  it('diffs two packages tensor by tensor', async () => {
    const { services, at } = await workspace();
    await writeFile(at('a.rfpk'), TINY);
    await writeFile(at('b.rfpk'), retrainedTiny());
    const diff = await services.diffPackages('a.rfpk', 'b.rfpk');
    expect(diff.a).toMatchObject({ model: 'tiny', bytes: TINY.length });
    expect(diff.nodes).toEqual([]);
    const changed = new Map(diff.tensors.map((t) => [t.name, t.what]));
    expect(changed.get('fc.bias')).toBe('dtype fp32 → fp16');
    expect([...changed.values()].every((w) => w.startsWith('dtype'))).toBe(true);
    expect(diff.unchangedTensors).toBeGreaterThan(0);
    expect(diff.deltaBytes).toBe(makeDelta(TINY, retrainedTiny()).length);
    // Nothing changed: the delta carries the bytes around the data (graph, spec, table) and no tensor data.
    const same = await services.diffPackages('a.rfpk', 'a.rfpk');
    expect(same).toMatchObject({ nodes: [], tensors: [] });
    expect(same.deltaBytes).toBeLessThan(TINY.length);
    await writeFile(at('d.rfpk'), makeDelta(TINY, retrainedTiny()));
    await expect(services.diffPackages('a.rfpk', 'd.rfpk')).rejects.toMatchObject({ code: 'is-delta' });
  });

  it('deletes packages only inside the workspace', async () => {
    const { services, at } = await workspace();
    await writeFile(at('gone.rfpk'), TINY);
    await services.deletePackage('gone.rfpk');
    await expect(access(at('gone.rfpk'))).rejects.toThrow();
    await expect(services.deletePackage('gone.rfpk')).rejects.toMatchObject({ code: 'not-found' });
    await expect(services.deletePackage('../outside.rfpk')).rejects.toMatchObject({ code: 'outside-workspace' });
    await expect(services.deletePackage('/etc/passwd')).rejects.toMatchObject({ code: 'outside-workspace' });
    await writeFile(at('keep.json'), '{}');
    await expect(services.deletePackage('keep.json')).rejects.toMatchObject({ code: 'not-a-package' });
  });

  it('says which check a damaged package fails', async () => {
    const { services, at } = await workspace();
    const bad = TINY.slice();
    bad[bad.length - 40]! ^= 0xff;
    await writeFile(at('bad.rfpk'), bad);
    await expect(services.inspectPackage('bad.rfpk')).rejects.toThrow(/package rejected by the \w+ check/);
  });
});
