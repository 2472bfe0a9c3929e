import { describe, expect, it } from 'vitest';
import { StudioApiError } from '../../../main/contract/rpc.js';
import type { PackageDetails, PackageDiff, PackageEntry } from '../../../main/contract/studio-api.js';
import { deferred } from '../api/fake-events.fixture.js';
import { entryOf, presetPackage } from './package-details.fixture.js';
import { PackagesState, type PackagesApi } from './packages-state.svelte.js';

const A = presetPackage('tiny', 'fp32', '/w/a.rfpk').details;
const B = presetPackage('tiny', 'fp16', '/w/b.rfpk').details;
const BROKEN: PackageEntry = { ...entryOf(A), path: '/w/broken.rfpk', fileName: 'broken.rfpk', model: null, weightDtype: null, problem: 'package rejected by the crc check: the file is damaged' };
const DELTA: PackageEntry = { ...entryOf(A), path: '/w/a-to-b.rfpk', fileName: 'a-to-b.rfpk', kind: 'delta', model: null, weightDtype: null };

const DIFF: PackageDiff = {
  a: { path: A.path, model: 'tiny', bytes: A.sizes.total },
  b: { path: B.path, model: 'tiny', bytes: B.sizes.total },
  nodes: [],
  tensors: [
    { name: 'fc.weight', change: 'changed', what: 'dtype fp32 → fp16' },
    { name: 'fc.bias', change: 'changed', what: 'values changed' },
  ],
  unchangedTensors: 7,
  deltaBytes: 1200,
};

/** A workspace in memory: the fake API's delete removes files from it; every call recorded. */
function fakeWorkspace() {
  const files = new Map<string, PackageEntry>([A, B].map((d) => [d.path, entryOf(d)]));
  files.set(BROKEN.path, BROKEN);
  files.set(DELTA.path, DELTA);
  const calls: { method: string; args: unknown[] }[] = [];
  const answers = new Map<string, ReturnType<typeof deferred<PackageDetails>>>();
  const api: PackagesApi = {
    listPackages: async () => [...files.values()],
    inspectPackage: (path) => {
      calls.push({ method: 'inspectPackage', args: [path] });
      const held = answers.get(path);
      if (held !== undefined) return held.promise;
      if (path === BROKEN.path) return Promise.reject(new StudioApiError({ code: 'package-rejected', message: BROKEN.problem!, hint: 'the file is damaged: pack or train it again' }));
      const d = [A, B].find((x) => x.path === path);
      return d === undefined ? Promise.reject(new StudioApiError({ code: 'not-found', message: `${path} does not exist`, hint: 'refresh the package list' })) : Promise.resolve(d);
    },
    diffPackages: async (a, b) => {
      calls.push({ method: 'diffPackages', args: [a, b] });
      return { ...DIFF, a: { ...DIFF.a, path: a }, b: { ...DIFF.b, path: b } };
    },
    deletePackage: async (path) => {
      calls.push({ method: 'deletePackage', args: [path] });
      if (!files.delete(path)) throw new StudioApiError({ code: 'not-found', message: `${path} does not exist`, hint: 'refresh the package list' });
    },
  };
  return { api, files, calls, hold: (path: string) => answers.set(path, deferred<PackageDetails>()).get(path)! };
}

function setup() {
  const fake = fakeWorkspace();
  return { ...fake, state: new PackagesState(fake.api) };
}

describe('PackagesState', () => {
  it('lists the workspace, and offers only full packages that decode for a comparison', async () => {
    const { state } = setup();
    await state.refresh();
    expect(state.list.value?.map((p) => p.fileName)).toEqual(['a.rfpk', 'b.rfpk', 'broken.rfpk', 'a-to-b.rfpk']);
    expect(state.comparable.map((p) => p.fileName)).toEqual(['a.rfpk', 'b.rfpk']);
  });

  it('inspects a package: seeded tensors with their seeds, the tensors of one mode, sizes per dtype', async () => {
    const { state } = setup();
    expect(await state.inspect(B.path)).toBe(true);
    expect(state.inspected).toBe(B.path);
    expect(state.full?.model).toBe('tiny');
    const seeded = state.full!.tensors.filter((t) => t.mode === 'seeded');
    expect(seeded.length).toBeGreaterThan(0);
    expect(seeded.every((t) => /^0x[0-9a-f]{16}$/.test(t.seed ?? '') && t.bytes === 0 && t.dist !== null)).toBe(true);

    state.modeFilter = 'seeded';
    expect(state.tensors).toEqual(seeded);
    state.modeFilter = 'all';
    expect(state.tensors).toHaveLength(B.tensors.length);
    expect(state.dtypeSizes?.find((s) => s.current)).toEqual({ dtype: 'fp16', bytes: B.sizes.total, current: true });
    expect(state.dtypeSizes?.find((s) => s.dtype === 'fp32')?.bytes).toBe(A.sizes.total);
  });

  it('shows the studio sentence and hint for a damaged package, and no details of another', async () => {
    const { state } = setup();
    await state.inspect(A.path);
    expect(await state.inspect(BROKEN.path)).toBe(false);
    expect(state.details).toBeUndefined();
    expect(state.inspection.error).toEqual({ message: 'package rejected by the crc check: the file is damaged', hint: 'the file is damaged: pack or train it again' });
    expect(state.dtypeSizes).toBeUndefined();
  });

  it('lets only the latest inspection land when answers overtake each other', async () => {
    const { state, hold } = setup();
    const slow = hold(A.path);
    const first = state.inspect(A.path);
    expect(state.inspection.busy).toBe(true);
    await state.inspect(B.path);
    slow.resolve(A);
    await first;
    expect(state.inspected).toBe(B.path);
    expect(state.details?.path).toBe(B.path);
    expect(state.inspection.busy).toBe(false);
  });

  it('compares A with B: counts by change, whether the architecture matches, and what a push would send', async () => {
    const { state, calls } = setup();
    expect(await state.compare()).toBe(false);
    expect(state.compareProblem).toBe('choose package A and package B');
    state.diffA = A.path;
    state.diffB = A.path;
    expect(state.compareProblem).toBe('choose two different packages');
    state.diffB = B.path;
    expect(await state.compare()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'diffPackages', args: [A.path, B.path] });
    expect(state.diffSummary).toEqual({ changed: 2, added: 0, removed: 0, same: 7, sameArchitecture: true, pushBytes: 1200, pushKind: 'delta' });
    expect(await state.swap()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'diffPackages', args: [B.path, A.path] });
  });

  it('deletes only after a confirmation, then forgets the package wherever it showed', async () => {
    const { state, files, calls } = setup();
    await state.refresh();
    await state.inspect(A.path);
    state.diffA = A.path;
    state.diffB = B.path;
    await state.compare();

    state.askDelete(A.path);
    expect(calls.some((c) => c.method === 'deletePackage')).toBe(false);
    state.cancelDelete();
    expect(await state.confirmDelete()).toBe(false);
    expect(files.has(A.path)).toBe(true);

    state.askDelete(A.path);
    expect(await state.confirmDelete()).toBe(true);
    expect(files.has(A.path)).toBe(false);
    expect(state.deleteCandidate).toBeUndefined();
    expect(state.inspected).toBeUndefined();
    expect(state.details).toBeUndefined();
    expect([state.diffA, state.diffB]).toEqual([undefined, B.path]);
    expect(state.comparison.value).toBeUndefined();
    expect(state.list.value?.map((p) => p.fileName)).not.toContain('a.rfpk');
  });

  it('keeps the confirmation open with the reason when a delete fails', async () => {
    const { state, files } = setup();
    files.delete(B.path);
    state.askDelete(B.path);
    expect(await state.confirmDelete()).toBe(false);
    expect(state.deleteCandidate).toBe(B.path);
    expect(state.deletion.error).toEqual({ message: '/w/b.rfpk does not exist', hint: 'refresh the package list' });
  });
});
