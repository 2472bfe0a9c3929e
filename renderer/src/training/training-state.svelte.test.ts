import { describe, expect, it } from 'vitest';
import { StudioApiError } from '../../../main/contract/rpc.js';
import type { CloudTargetData, CloudTargetInput, RunSummary, StudioEvents, TrainingStarted, TrainRequest } from '../../../main/contract/studio-api.js';
import { deferred, FakeEvents } from '../api/fake-events.fixture.js';
import { DesignState } from '../design/design-state.svelte.js';
import { ADD_CLOUD, LOCAL_TARGET } from './cloud-targets.svelte.js';
import { canResume, DESIGN_MODEL, TrainingState, type TrainingApi } from './training-state.svelte.js';

/** The training calls of StudioApi, answered when the test says, with a run list it keeps. */
function fakeApi() {
  const calls: { method: string; arg: unknown }[] = [];
  const runs: RunSummary[] = [];
  const clouds: CloudTargetData[] = [];
  let answer = deferred<TrainingStarted>();
  const api: TrainingApi = {
    appInfo: async () => ({ name: 'reframe-studio', version: '0', shell: 'browser', workspace: '/w', trainingEngine: 'tfjs-wasm', nativeEngineAvailable: false, platform: 'linux' }),
    startTraining: (request: TrainRequest) => {
      calls.push({ method: 'startTraining', arg: request });
      return answer.promise;
    },
    resumeTraining: (runId: string) => {
      calls.push({ method: 'resumeTraining', arg: runId });
      return answer.promise;
    },
    cancelTraining: async (runId: string) => {
      calls.push({ method: 'cancelTraining', arg: runId });
    },
    listRuns: async () => [...runs],
    listCloudTargets: async () => [...clouds],
    saveCloudTarget: async (input: CloudTargetInput) => {
      calls.push({ method: 'saveCloudTarget', arg: input });
      const saved = { url: input.url.replace(/\/+$/, ''), tokenHint: input.token.slice(-4), saved: '2025-01-01T00:00:00Z' };
      clouds.unshift(saved);
      return saved;
    },
    forgetCloudTarget: async (url: string) => {
      calls.push({ method: 'forgetCloudTarget', arg: url });
    },
  };
  return { api, calls, runs, clouds, answer: () => answer, next: () => (answer = deferred<TrainingStarted>()) };
}

function setup(preset = 'tiny') {
  const fake = fakeApi();
  const events = new FakeEvents();
  const design = new DesignState(preset);
  const state = new TrainingState(fake.api, events.on, design);
  return { ...fake, events, design, state };
}

const start = (runId: string, firstEpoch = 0): StudioEvents['training.start'] => ({
  runId, model: 'tiny', data: 'demo', engine: 'tfjs-wasm', cloud: null, trainImages: 1800, evalImages: 500, evalName: 'test', stepsPerEpoch: 4, firstEpoch, epochs: 2,
});
const step = (runId: string, epoch: number, s: number, loss: number): StudioEvents['training.step'] => ({
  runId, epoch, step: s, stepsPerEpoch: 4, loss, accuracy: 1 - loss / 3, imagesPerSecond: 900, etaSeconds: 7,
});
const report = (epoch: number) => ({ epoch, lr: 0.05, trainLoss: 1.5 - epoch, trainAccuracy: 0.4 + epoch / 10, evalLoss: 1.6 - epoch, evalAccuracy: 0.35 + epoch / 10, seconds: 2, imagesPerSecond: 900 });
const flush = () => new Promise((r) => setTimeout(r, 0));

describe('TrainingState', () => {
  it('asks for the designer\'s model as spec text, or a preset, with the form\'s settings', () => {
    const { state, design } = setup('tiny');
    state.epochs = 2;
    state.batchSize = 50;
    expect(state.model).toBe(DESIGN_MODEL);
    expect(state.request()).toMatchObject({ model: { kind: 'spec', text: design.specText() }, data: 'demo', epochs: 2, batchSize: 50, lr: 0.05, optimizer: 'sgd', schedule: 'cosine', augment: false, engine: 'auto', dtype: 'fp32', target: { kind: 'local' } });
    state.model = 'resnet8-fashion';
    state.dataKind = 'path';
    state.dataPath = ' /data/fashion ';
    expect(state.request()).toMatchObject({ model: { kind: 'preset', id: 'resnet8-fashion' }, data: '/data/fashion' });
  });

  it('says why it cannot start, and warns when the demo images do not fit the model', () => {
    const { state, design } = setup('reframe-resnet18-cifar');
    expect(state.inputShape).toEqual([3, 32, 32]);
    expect(state.dataWarning).toMatch(/demo images are 1×28×28 .* reframe-resnet18-cifar takes 3×32×32/);
    state.model = 'tiny';
    expect(state.dataWarning).toBeUndefined();
    state.dataKind = 'path';
    expect(state.problem).toMatch(/give the data folder/);
    state.dataPath = '/d';
    state.epochs = 0;
    expect(state.problem).toMatch(/epochs/);
    state.epochs = 1;
    state.lr = Number.NaN;
    expect(state.problem).toMatch(/learning rate/);
    state.lr = 0.1;
    expect(state.problem).toBeUndefined();
    state.model = DESIGN_MODEL;
    design.openText('bad.json', '{"format": "reframe-spec"}');
    expect(state.problem).toMatch(/designer's model has/);
    expect(state.request()).toBeUndefined();
  });

  it('keeps the events that beat startTraining\'s answer, drops other runs\', and draws the curves', async () => {
    const { state, events, answer, runs } = setup();
    const started = state.start();
    expect(state.busy).toBe(true);
    // The worker's first events cross the answer on the wire; another window's run talks too.
    events.emit('training.start', start('run-1'));
    events.emit('training.step', step('run-1', 0, 1, 2.3));
    events.emit('training.step', step('run-other', 0, 1, 9));
    answer().resolve({ runId: 'run-1', runDir: '/w/runs/run-1' });
    expect(await started).toBe(true);
    const run = state.run!;
    expect(run.runId).toBe('run-1');
    expect(run.asked).toBe('tiny on the demo data');
    expect(run.phase).toBe('running');
    expect(run.start?.engine).toBe('tfjs-wasm');
    expect(run.stepLoss).toEqual([{ x: 0.25, y: 2.3 }]);

    events.emit('training.step', step('run-1', 0, 2, 2.0));
    events.emit('training.step', step('run-other', 0, 2, 9));
    expect(run.stepLoss.map((p) => p.y)).toEqual([2.3, 2.0]);
    expect(run.fraction).toBeCloseTo(0.25);
    expect(run.last?.etaSeconds).toBe(7);
    expect(run.last?.imagesPerSecond).toBe(900);
    expect(state.problem).toMatch(/a run is going/);

    events.emit('training.epoch', { runId: 'run-1', report: report(0), checkpoint: '/w/runs/run-1/checkpoint' });
    expect(run.fraction).toBe(0.5);
    expect(run.lossSeries.map((s) => s.points.length)).toEqual([2, 1, 1]);
    expect(run.accuracySeries[2]).toMatchObject({ label: 'test accuracy (epoch)', points: [{ x: 1, y: 0.35 }], dots: true });

    runs.push({ runId: 'run-1', model: 'tiny', data: 'demo', status: 'done', epochs: 2, epochsDone: 2, started: '2025-01-01T00:00:00Z', packagePath: '/w/tiny-run-1.rfpk', cloud: null });
    const summary = { model: 'tiny', data: 'demo', engine: 'tfjs-wasm', epochs: 2, seconds: 4, imagesPerSecond: 900, packageBytes: 5120, dtype: 'fp32', history: [report(0), report(1)] } as const;
    const evaluation = { images: 500, loss: 0.9, accuracy: 0.62, confusion: [[3, 1], [0, 4]], classes: ['a', 'b'] };
    events.emit('training.done', { runId: 'run-1', packagePath: '/w/tiny-run-1.rfpk', summary, evaluation });
    expect(run.phase).toBe('done');
    expect(run.fraction).toBe(1);
    expect(run.result?.packagePath).toBe('/w/tiny-run-1.rfpk');
    expect(state.problem).toBeUndefined();
    await flush();
    expect(state.runs.value?.map((r) => r.status)).toEqual(['done']);
  });

  it('shows the studio\'s refusal and keeps the run it had', async () => {
    const { state, answer } = setup('reframe-resnet18-cifar');
    const started = state.start();
    answer().reject(new StudioApiError({ code: 'data-mismatch', message: 'images are 1×28×28 but reframe-resnet18-cifar takes 3×32×32', hint: 'choose data of the model\'s input size' }));
    expect(await started).toBe(false);
    expect(state.error).toEqual({ message: 'images are 1×28×28 but reframe-resnet18-cifar takes 3×32×32', hint: 'choose data of the model\'s input size' });
    expect(state.run).toBeUndefined();
    expect(state.busy).toBe(false);
  });

  it('cancels, then resumes from the checkpoint under the same id and redoes the unfinished epoch', async () => {
    const { state, events, answer, next, calls, runs } = setup();
    const started = state.start();
    answer().resolve({ runId: 'run-2', runDir: '/w/runs/run-2' });
    await started;
    const run = state.run!;
    events.emit('training.start', start('run-2'));
    for (let s = 1; s <= 4; s++) events.emit('training.step', step('run-2', 0, s, 2 - s / 10));
    events.emit('training.epoch', { runId: 'run-2', report: report(0), checkpoint: '/c' });
    events.emit('training.step', step('run-2', 1, 1, 1.2));

    expect(await state.cancel()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'cancelTraining', arg: 'run-2' });
    expect(run.phase).toBe('cancelling');
    events.emit('training.failed', { runId: 'run-2', error: { code: 'cancelled', message: 'training was cancelled after 1 epoch', hint: 'resume it from its checkpoint' } });
    expect(run.phase).toBe('cancelled');
    expect(run.error?.message).toMatch(/cancelled/);
    runs.push({ runId: 'run-2', model: 'tiny', data: 'demo', status: 'cancelled', epochs: 2, epochsDone: 1, started: '2025-01-01T00:00:00Z', packagePath: null, cloud: null });
    await state.runs.refresh();
    expect(canResume(state.runs.value![0]!)).toBe(true);

    next();
    const resumed = state.resume();
    expect(calls.at(-1)).toEqual({ method: 'resumeTraining', arg: 'run-2' });
    expect(run.phase).toBe('starting');
    // The resumed worker starts at epoch 1: the half epoch after the checkpoint leaves the curves.
    events.emit('training.start', start('run-2', 1));
    answer().resolve({ runId: 'run-2', runDir: '/w/runs/run-2' });
    expect(await resumed).toBe(true);
    expect(state.run).toBe(run);
    expect(run.phase).toBe('running');
    expect(run.error).toBeUndefined();
    expect(run.stepLoss.map((p) => p.x)).toEqual([0.25, 0.5, 0.75, 1]);
    expect(run.epochs.map((e) => e.epoch)).toEqual([0]);
    events.emit('training.step', step('run-2', 1, 2, 1.0));
    expect(run.stepLoss.at(-1)).toEqual({ x: 1.5, y: 1.0 });
  });

  it('puts a run back as it was when the studio will not resume it', async () => {
    const { state, answer, next } = setup();
    const started = state.start();
    answer().resolve({ runId: 'run-3', runDir: '/r' });
    await started;
    state.run!.onFailed({ code: 'cancelled', message: 'cancelled before its first epoch ended', hint: 'start it again' });
    next();
    const resumed = state.resume();
    answer().reject(new StudioApiError({ code: 'no-checkpoint', message: 'run run-3 stopped before its first epoch ended, so it has no checkpoint', hint: 'start the run again' }));
    expect(await resumed).toBe(false);
    expect(state.run?.phase).toBe('cancelled');
    expect(state.error?.hint).toBe('start the run again');
  });

  it('sends runs to a remembered cloud by its URL alone, with its own data choices, and back to this machine when it is forgotten', async () => {
    const { state, clouds, calls, answer } = setup('tiny');
    clouds.push({ url: 'http://gpu-box:8080', tokenHint: 'wxyz', saved: '2025-01-01T00:00:00Z' });
    await state.refresh();
    expect(state.clouds.list.value?.map((t) => t.url)).toEqual(['http://gpu-box:8080']);
    expect(state.clouds.isCloud).toBe(false);
    // A dataset the service offers needs a cloud to offer it.
    state.dataKind = 'service';
    expect(state.problem).toMatch(/needs a cloud target/);

    state.clouds.choice = 'http://gpu-box:8080';
    expect(state.clouds.isCloud).toBe(true);
    expect(state.problem).toMatch(/name of a dataset the service offers/);
    state.serviceDataset = ' cifar10 ';
    expect(state.problem).toBeUndefined();
    // No token in the request: the studio adds the one it keeps for that URL.
    expect(state.request()).toMatchObject({ data: 'service:cifar10', target: { kind: 'cloud', url: 'http://gpu-box:8080' } });
    expect(JSON.stringify(state.request())).not.toContain('token');
    state.dataKind = 'path';
    expect(state.problem).toMatch(/give the data folder \(it is uploaded\)/);
    state.dataPath = '/data/fashion';

    const started = state.start();
    expect(calls.at(-1)).toEqual({ method: 'startTraining', arg: expect.objectContaining({ data: '/data/fashion', target: { kind: 'cloud', url: 'http://gpu-box:8080' } }) });
    answer().resolve({ runId: 'run-c', runDir: '/w/runs/run-c' });
    expect(await started).toBe(true);
    expect(state.run?.asked).toBe('tiny on /data/fashion on http://gpu-box:8080');
    state.run!.onStart({ ...start('run-c'), cloud: 'http://gpu-box:8080', engine: 'tfjs-node' });
    expect(state.run?.start).toMatchObject({ engine: 'tfjs-node', cloud: 'http://gpu-box:8080' });
    // A cloud run never offers a resume: the service retries a stopped job by itself.
    expect(canResume({ runId: 'run-c', model: 'tiny', data: '/data/fashion', status: 'cancelled', epochs: 3, epochsDone: 1, started: '2025-01-01T00:00:00Z', packagePath: null, cloud: { url: 'http://gpu-box:8080', jobId: 'job_1' } })).toBe(false);

    expect(await state.clouds.forget()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'forgetCloudTarget', arg: 'http://gpu-box:8080' });
    expect(state.clouds.choice).toBe(LOCAL_TARGET);
    expect(state.clouds.list.value).toEqual([]);
    expect(state.problem).toMatch(/a run is going/);
  });

  it('will not start while a cloud is being added, and starts on it once saved', async () => {
    const { state, calls } = setup('tiny');
    await state.refresh();
    state.clouds.choice = ADD_CLOUD;
    expect(state.problem).toMatch(/save the cloud first/);
    expect(state.request()).toBeUndefined();
    expect(await state.clouds.save()).toBe(false);
    state.clouds.url = 'http://127.0.0.1:8080/';
    state.clouds.token = ' rf_abcdefghijklmnop \n';
    expect(await state.clouds.save()).toBe(true);
    expect(calls.at(-1)).toEqual({ method: 'saveCloudTarget', arg: { url: 'http://127.0.0.1:8080/', token: 'rf_abcdefghijklmnop' } });
    expect(state.clouds.choice).toBe('http://127.0.0.1:8080');
    expect(state.clouds.token).toBe('');
    expect(state.problem).toBeUndefined();
    expect(state.request()?.target).toEqual({ kind: 'cloud', url: 'http://127.0.0.1:8080' });
  });

  it('stops listening when disposed', () => {
    const { state, events } = setup();
    expect(events.listening('training.step')).toBe(1);
    state.dispose();
    expect(events.listening('training.step')).toBe(0);
  });
});
