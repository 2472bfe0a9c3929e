import { tinySubmission } from '../jobs/tiny-submission.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TrainingCancelled } from '../../core/node/train/trainer.js';
import type { JobOutcome, JobState, JobSubmission } from '../jobs/job-types.js';
import type { JobRunContext } from '../jobs/run-job.js';
import { DirectoryArtifactStore } from '../store/directory-artifact-store.js';
import { openServiceDatabase } from '../store/service-database.js';
import { SqliteJobStore } from '../store/sqlite-job-store.js';
import { LocalDispatcher, type LocalDispatcherOptions } from './local-dispatcher.js';

const submission: JobSubmission = tinySubmission({ builtin: 'demo' }, 10);
const outcome: JobOutcome = { engine: 'fake', accuracy: 0.9, loss: 0.1, evalImages: 10, epochs: 1, packageBytes: 1, packageSha256: '00', seconds: 0.01, confusion: [[1]] };

/**
 * A stand-in for the trainer: a job "trains" one step every tick until told how to end, and stops
 * between steps when its signal aborts, as the real one does.
 */
class FakeRunner {
  readonly started: string[] = [];
  private readonly ends = new Map<string, 'succeed' | Error>();
  running = 0;
  maxRunning = 0;

  end(id: string, how: 'succeed' | Error): void {
    this.ends.set(id, how);
  }

  readonly run = async (id: string, _owner: string, _s: JobSubmission, ctx: JobRunContext): Promise<JobOutcome> => {
    this.started.push(id);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    try {
      ctx.onEvent({ type: 'start', engine: 'tfjs-wasm', trainImages: 10, evalImages: 1, evalName: 'test', stepsPerEpoch: 1000, firstEpoch: 0, epochs: 1 });
      for (let step = 1; ; step++) {
        await new Promise((r) => setTimeout(r, 2));
        if (ctx.signal?.aborted === true) throw new TrainingCancelled(0);
        ctx.onEvent({ type: 'step', epoch: 0, step, stepsPerEpoch: 1000, loss: 1, accuracy: 0, imagesPerSecond: 1, etaSeconds: 1 });
        const how = this.ends.get(id);
        if (how === 'succeed') return outcome;
        if (how !== undefined) throw how;
      }
    } finally {
      this.running--;
    }
  };
}

let dir = '';
let store: SqliteJobStore;
let runner: FakeRunner;
let dispatcher: LocalDispatcher;
const log: string[] = [];

function makeDispatcher(o: LocalDispatcherOptions = {}): LocalDispatcher {
  return new LocalDispatcher(
    { store, artifacts: new DirectoryArtifactStore(path.join(dir, 'artifacts')), resolveDataset: async () => 'demo', log: (l) => log.push(l) },
    { runJob: runner.run, minStepIntervalMs: 0, ...o },
  );
}

async function until(what: string, f: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!f()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const state = (id: string): JobState | undefined => store.get(id)?.state;
const submit = async () => {
  const job = store.create('owner', submission);
  await dispatcher.submit(job);
  return job.id;
};

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-dispatch-'));
  store = new SqliteJobStore(openServiceDatabase(dir));
  runner = new FakeRunner();
  log.length = 0;
});
afterEach(async () => {
  await dispatcher.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('LocalDispatcher', () => {
  it('runs jobs one at a time in submission order by default and records how each ended', async () => {
    dispatcher = makeDispatcher();
    await dispatcher.start();
    const [a, b, c] = [await submit(), await submit(), await submit()];
    await until('a runs', () => state(a) === 'running');
    expect([state(b), state(c)]).toEqual(['queued', 'queued']);
    runner.end(a, 'succeed');
    runner.end(b, new Error('images are 3×32×32 but tiny takes 1×28×28'));
    runner.end(c, 'succeed');
    await until('all end', () => [a, b, c].every((id) => ['succeeded', 'failed'].includes(state(id) ?? '')));
    expect(runner.started).toEqual([a, b, c]);
    expect(runner.maxRunning).toBe(1);
    expect(store.get(a)!.outcome).toEqual(outcome);
    expect(store.get(b)).toMatchObject({ state: 'failed', error: 'images are 3×32×32 but tiny takes 1×28×28', attempts: 1 });
  });

  it('runs up to `concurrency` jobs at once', async () => {
    dispatcher = makeDispatcher({ concurrency: 2 });
    await dispatcher.start();
    const ids = [await submit(), await submit(), await submit()];
    await until('two run', () => runner.running === 2);
    expect(ids.map(state)).toEqual(['running', 'running', 'queued']);
    for (const id of ids) runner.end(id, 'succeed');
    await until('all succeed', () => ids.every((id) => state(id) === 'succeeded'));
    expect(runner.maxRunning).toBe(2);
  });

  it('cancels a queued job at once and a running one between steps, then takes the next job', async () => {
    dispatcher = makeDispatcher();
    await dispatcher.start();
    const [a, b, c] = [await submit(), await submit(), await submit()];
    await until('a has stepped', () => (store.get(a)?.progress?.step ?? 0) >= 3);
    await dispatcher.cancel(b);
    expect(state(b)).toBe('cancelled');
    await dispatcher.cancel(a);
    await until('a is cancelled', () => state(a) === 'cancelled');
    const events = store.eventsSince(a, 0).map((e) => e.event);
    const asked = events.findIndex((e) => e.type === 'log' && e.message.startsWith('cancel requested after step'));
    expect(asked).toBeGreaterThan(0);
    expect(events.slice(asked).filter((e) => e.type === 'train' && e.event.type === 'step').length).toBeLessThanOrEqual(1);
    expect(store.get(a)!.error).toMatch(/^cancelled after step \d+ of epoch 1$/);
    await until('c runs', () => state(c) === 'running');
    expect(runner.started).toEqual([a, c]);
    runner.end(c, 'succeed');
    await until('c succeeds', () => state(c) === 'succeeded');
  });

  it('requeues what a stopped service left running, and fails a job that keeps being interrupted', async () => {
    const again = store.create('owner', submission);
    const worn = store.create('owner', submission);
    store.claimNext();
    store.claimNext();
    // Two earlier runs of `worn` were already interrupted.
    for (let i = 0; i < 2; i++) {
      store.requeue(worn.id, 3, 'crash');
      while (store.claimNext() !== undefined);
    }
    expect(store.get(worn.id)!.attempts).toBe(3);
    dispatcher = makeDispatcher({ maxAttempts: 3 });
    await dispatcher.start();
    expect(store.get(worn.id)).toMatchObject({ state: 'failed', error: 'gave up after 3 attempt(s): the service stopped while it ran' });
    await until('the interrupted job runs again', () => state(again.id) === 'running');
    expect(store.get(again.id)!.attempts).toBe(2);
    runner.end(again.id, 'succeed');
    await until('it succeeds', () => state(again.id) === 'succeeded');
  });

  it('on close stops running jobs and queues them again for the next start', async () => {
    dispatcher = makeDispatcher();
    await dispatcher.start();
    const a = await submit();
    await until('a runs', () => runner.running === 1);
    await dispatcher.close();
    expect(state(a)).toBe('queued');
    dispatcher = makeDispatcher();
    await dispatcher.start();
    await until('a runs again', () => runner.started.length === 2);
    expect(store.get(a)!.attempts).toBe(2);
    runner.end(a, 'succeed');
    await until('a succeeds', () => state(a) === 'succeeded');
  });
});
