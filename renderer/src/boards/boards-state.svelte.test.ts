import { describe, expect, it } from 'vitest';
import { StudioApiError } from '../../../main/contract/rpc.js';
import type { BoardInfoData, BoardTarget, PackageEntry, PushRequest, PushResultData } from '../../../main/contract/studio-api.js';
import { serializeSpec } from '../../../core/spec/serialize-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { deferred, FakeEvents } from '../api/fake-events.fixture.js';
import { BoardsState, type BoardsApi } from './boards-state.svelte.js';

const SHA_NEW = 'aa'.repeat(32);
const SHA_OLD = 'bb'.repeat(32);

const entry = (fileName: string, sha256: string, o: Partial<PackageEntry> = {}): PackageEntry => ({
  path: `/w/${fileName}`, fileName, bytes: 4096, modified: '2025-01-01T00:00:00Z', kind: 'full', model: 'tiny', weightDtype: 'fp32', signed: false, sha256, problem: null, ...o,
});

/** A board in memory: A/B slots the fake API's calls move, and every call recorded. */
function fakeBoard() {
  const board = { active: SHA_OLD as string | null, previous: null as string | null };
  const calls: { method: string; args: unknown[] }[] = [];
  let pushAnswer = deferred<{ pushId: string }>();
  const info = (t: BoardTarget): BoardInfoData => ({
    name: 'bench-uart', runtime: 'reframe-agent 0.1.0', link: t.kind === 'serial' ? t.path : `${t.host}:${t.port}`, protocolVersion: 1, maxMessage: 65536,
    capabilities: { infer: true, bench: true, delta: true, signatureRequired: false, persistentResume: true },
    ramBytes: 0, storageBytes: 0, active: board.active, previous: board.previous, pending: null,
    activePackage: board.active === SHA_NEW ? '/w/new.rfpk' : null, previousPackage: null,
  });
  const api: BoardsApi = {
    listBoards: async () => ({ serial: [], serialProblem: null, network: [{ name: 'lab', host: '10.0.0.5', port: 5577, runtime: 'reframe-agent', version: '0.1.0' }], remembered: [] }),
    listPackages: async () => [entry('new.rfpk', SHA_NEW), entry('d.rfpk', 'cc'.repeat(32), { kind: 'delta', model: null, weightDtype: null }), entry('bad.rfpk', 'dd'.repeat(32), { problem: 'package rejected by the crc check' })],
    boardInfo: async (t) => {
      calls.push({ method: 'boardInfo', args: [t] });
      return info(t);
    },
    pushPackage: (r: PushRequest) => {
      calls.push({ method: 'pushPackage', args: [r] });
      return pushAnswer.promise;
    },
    cancelPush: async (id) => void calls.push({ method: 'cancelPush', args: [id] }),
    activatePackage: async (t, digest) => {
      calls.push({ method: 'activatePackage', args: [t, digest] });
      [board.active, board.previous] = [digest, board.active];
      return { ...board };
    },
    rollbackBoard: async (t) => {
      calls.push({ method: 'rollbackBoard', args: [t] });
      [board.active, board.previous] = [board.previous, board.active];
      return { ...board };
    },
    inspectPackage: async (path) => {
      calls.push({ method: 'inspectPackage', args: [path] });
      return {
        kind: 'full', path, sha256: SHA_NEW, contentDigest: SHA_NEW, model: 'tiny', weightDtype: 'fp32', nodes: 29, inputShape: [1, 28, 28], classes: 10, signature: null,
        specText: serializeSpec(findPreset('tiny')!.build()),
        sizes: { total: 4096, data: 4000, overhead: 96, spec: 900, byMode: { learnable: { tensors: 0, elements: 0, bytes: 0 }, seeded: { tensors: 0, elements: 0, bytes: 0 }, frozen: { tensors: 0, elements: 0, bytes: 0 }, state: { tensors: 0, elements: 0, bytes: 0 } } },
        tensors: [],
      };
    },
    testInference: async (r) => {
      calls.push({ method: 'testInference', args: [r] });
      return { board: 'bench-uart', boardEngine: 'tfjs-wasm', studioEngine: 'tfjs-wasm', boardRunsPackage: true, classes: ['a', 'b'], images: [], agreement: 1, maxAbsDiff: 0, meanBoardMicros: 800 };
    },
    benchBoard: async (t, runs) => {
      calls.push({ method: 'benchBoard', args: [t, runs] });
      return { board: 'bench-uart', engine: 'tfjs-wasm', runs: runs ?? 10, totalMicros: 300, layers: [{ index: 0, name: 'conv1', op: 'conv2d', micros: 200 }, { index: 1, name: 'fc', op: 'dense', micros: 100 }] };
    },
  };
  return { api, board, calls, pushAnswer: () => pushAnswer, nextPush: () => (pushAnswer = deferred()) };
}

function setup() {
  const fake = fakeBoard();
  const events = new FakeEvents();
  return { ...fake, events, state: new BoardsState(fake.api, events.on) };
}

const progress = (pushId: string, acked: number) => ({ pushId, sent: acked, acked, total: 4096, bytesPerSecond: 11_000, etaSeconds: (4096 - acked) / 11_000, resumedFrom: 0, kind: 'full' as const });
const result = (active: string): PushResultData => ({ kind: 'full', packageBytes: 4096, bytesSent: 4096, resumedFrom: 0, seconds: 0.4, bytesPerSecond: 10_240, state: { active, previous: SHA_OLD }, board: 'bench-uart' });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('BoardsState', () => {
  it('lists boards and only the full packages that decode, and follows plugged ports', async () => {
    const { state, events } = setup();
    await state.refresh();
    expect(state.list.value?.network[0]?.host).toBe('10.0.0.5');
    expect(state.packages.value?.map((p) => p.fileName)).toEqual(['new.rfpk']);
    events.emit('boards.changed', { serial: [{ path: '/dev/ttyACM0', manufacturer: 'Espressif', serialNumber: null, vendorId: '303a', productId: '1001' }] });
    expect(state.list.value?.serial.map((s) => s.path)).toEqual(['/dev/ttyACM0']);
  });

  it('takes a typed serial port or host:port as the board, and says what is wrong with a bad one', async () => {
    const { state, calls } = setup();
    state.manualPath = '/tmp/tty-a';
    expect(await state.chooseManual()).toBe(true);
    expect(state.target).toEqual({ kind: 'serial', path: '/tmp/tty-a', baud: 115200 });
    expect(state.info?.link).toBe('/tmp/tty-a');
    state.manualKind = 'tcp';
    state.manualAddress = 'nonsense';
    expect(await state.chooseManual()).toBe(false);
    expect(state.error?.hint).toMatch(/host|address/);
    expect(calls.filter((c) => c.method === 'boardInfo')).toHaveLength(1);
  });

  it('pushes with live progress from events that beat the answer, then verifies the board runs it', async () => {
    const { state, events, calls, board, pushAnswer } = setup();
    await state.refresh();
    await state.choose({ kind: 'tcp', host: '10.0.0.5', port: 5577 });
    expect(state.pushProblem).toBe('choose a package to push');
    state.choosePackage('/w/new.rfpk');
    expect(state.chosenPackage?.sha256).toBe(SHA_NEW);
    const started = state.startPush();
    expect(calls.at(-1)).toEqual({ method: 'pushPackage', args: [{ target: { kind: 'tcp', host: '10.0.0.5', port: 5577 }, packagePath: '/w/new.rfpk' }] });
    events.emit('push.progress', progress('push-1', 1024));
    events.emit('push.progress', progress('push-other', 4000));
    pushAnswer().resolve({ pushId: 'push-1' });
    expect(await started).toBe(true);
    const push = state.push!;
    expect(push.phase).toBe('pushing');
    expect(push.fraction).toBe(0.25);
    expect(state.pushing).toBe(true);
    expect(state.pushProblem).toBe('a push is going');
    // A board serves one link at a time: nothing else goes to it during the push.
    expect(await state.rollback()).toBe(false);
    expect(state.error?.message).toMatch(/push .* is going/);

    events.emit('push.progress', progress('push-1', 4096));
    expect(push.fraction).toBe(1);
    board.active = SHA_NEW;
    board.previous = SHA_OLD;
    events.emit('push.done', { pushId: 'push-1', result: result(SHA_NEW) });
    expect(push.phase).toBe('done');
    await flush();
    expect(calls.at(-1)?.method).toBe('boardInfo');
    expect(state.info?.active).toBe(SHA_NEW);
    expect(state.verified).toBe(true);
  });

  it('cancels a push, shows why, and a new push of the same package goes again', async () => {
    const { state, events, calls, pushAnswer, nextPush } = setup();
    await state.refresh();
    await state.choose({ kind: 'serial', path: '/dev/pts/3', baud: 115200 });
    state.choosePackage('/w/new.rfpk');
    const started = state.startPush();
    pushAnswer().resolve({ pushId: 'push-2' });
    await started;
    events.emit('push.progress', progress('push-2', 2048));
    expect(await state.cancelPush()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'cancelPush', args: ['push-2'] });
    expect(state.push?.phase).toBe('cancelling');
    events.emit('push.failed', { pushId: 'push-2', error: { code: 'cancelled', message: 'the push was cancelled at byte 2048', hint: 'push again to resume' } });
    expect(state.push?.phase).toBe('cancelled');
    expect(state.push?.error?.hint).toBe('push again to resume');
    expect(state.verified).toBe(false);

    await flush();
    nextPush();
    const again = state.startPush();
    expect(state.push?.phase).toBe('starting');
    expect(calls.at(-1)?.method).toBe('pushPackage');
    pushAnswer().resolve({ pushId: 'push-3' });
    expect(await again).toBe(true);
    events.emit('push.progress', { ...progress('push-3', 3072), resumedFrom: 2048 });
    expect(state.push?.last?.resumedFrom).toBe(2048);
    expect(state.push?.fraction).toBe(0.75);
  });

  it('shows a refused push with the studio\'s sentence', async () => {
    const { state, pushAnswer } = setup();
    await state.choose({ kind: 'tcp', host: 'h', port: 1 });
    state.choosePackage('/w/new.rfpk');
    const started = state.startPush();
    pushAnswer().reject(new StudioApiError({ code: 'package-rejected', message: 'package rejected by the crc check: the file is damaged', hint: 'pack it again' }));
    expect(await started).toBe(false);
    expect(state.push?.phase).toBe('failed');
    expect(state.push?.error).toEqual({ message: 'package rejected by the crc check: the file is damaged', hint: 'pack it again' });
  });

  it('rolls back and activates, reading the slots again after each', async () => {
    const { state, board } = setup();
    board.active = SHA_NEW;
    board.previous = SHA_OLD;
    await state.choose({ kind: 'tcp', host: 'h', port: 1 });
    expect(await state.rollback()).toBe(true);
    expect([state.info?.active, state.info?.previous]).toEqual([SHA_OLD, SHA_NEW]);
    expect(await state.activate(SHA_NEW)).toBe(true);
    expect(state.info?.active).toBe(SHA_NEW);
    expect(state.busy).toBeUndefined();
  });

  it('runs the test inference on the package the board runs, and the bench', async () => {
    const { state, calls, board } = setup();
    board.active = SHA_NEW;
    const target: BoardTarget = { kind: 'tcp', host: 'h', port: 1 };
    await state.choose(target);
    expect(state.testPackage).toBe('/w/new.rfpk');
    state.testImages = 5;
    expect(await state.runTestInference()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'testInference', args: [{ target, packagePath: '/w/new.rfpk', images: 5 }] });
    expect(state.inference?.agreement).toBe(1);
    expect(await state.runBench()).toBe(true);
    expect(state.bench?.layers.map((l) => l.name)).toEqual(['conv1', 'fc']);
    // Beside each measured layer, what the budget of the package the board runs predicts for it.
    expect(calls.at(-1)).toEqual({ method: 'inspectPackage', args: ['/w/new.rfpk'] });
    expect(state.predicted?.get('conv1')?.flops).toBeGreaterThan(0);
  });

  it('asks for a board before any board action', async () => {
    const { state, calls } = setup();
    expect(await state.refreshInfo()).toBe(false);
    expect(state.error?.hint).toMatch(/pick a board/);
    expect(calls).toEqual([]);
  });
});
