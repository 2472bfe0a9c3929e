import { tinySubmission } from '../jobs/tiny-submission.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyDataset } from '../../bench/support/tiny-dataset.js';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server.js';
import { datasetResolver } from '../jobs/dataset-resolver.js';
import type { DatasetRef, JobEvent, JobSubmission } from '../jobs/job-types.js';
import { packageKey } from '../store/artifact-store.js';
import { DirectoryArtifactStore } from '../store/directory-artifact-store.js';
import { openServiceDatabase } from '../store/service-database.js';
import { SqliteJobStore } from '../store/sqlite-job-store.js';
import { BullmqDispatcher } from './bullmq-dispatcher.js';
import { QUEUE_NAME } from './bullmq-protocol.js';
import { BullmqTrainingWorker } from './bullmq-worker.js';

let redis: RedisServer;
let dir: string;
let artifacts: DirectoryArtifactStore;
let resolveDataset: (owner: string, ref: DatasetRef) => Promise<string>;
const closers: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-bullmq-'));
  await writeTinyDataset(path.join(dir, 'datasets', 'tiny'), 40, 20);
  artifacts = new DirectoryArtifactStore(path.join(dir, 'artifacts'));
  resolveDataset = datasetResolver({ artifacts, datasetsDir: path.join(dir, 'datasets'), cacheDir: path.join(dir, 'cache') });
}, 30_000);

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

const submission = (dataset: DatasetRef): JobSubmission => tinySubmission(dataset, 20);

let stores = 0;
function newStore(): SqliteJobStore {
  const store = new SqliteJobStore(openServiceDatabase(path.join(dir, `service-${stores++}`)));
  closers.push(() => store.close());
  return store;
}

async function service(store: SqliteJobStore, prefix: string): Promise<BullmqDispatcher> {
  const d = new BullmqDispatcher({ store, log: () => undefined }, { redisUrl: redis.url, prefix });
  await d.start();
  closers.push(() => d.close());
  return d;
}

async function worker(prefix: string, name?: string): Promise<BullmqTrainingWorker> {
  const w = new BullmqTrainingWorker({ redisUrl: redis.url, artifacts, resolveDataset, prefix, stepEventMs: 0, ...(name === undefined ? {} : { name }) });
  await w.start();
  closers.push(() => w.close());
  return w;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 90_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const kinds = (events: readonly { event: JobEvent }[]) => events.map(({ event: e }) => (e.type === 'train' ? e.event.type : e.type === 'state' ? e.state : 'log'));

describe('BullmqDispatcher with a BullmqTrainingWorker over a real Redis', () => {
  it('runs a job once however often it is submitted, and mirrors its events and outcome into the store', { timeout: 150_000 }, async () => {
    const store = newStore();
    const dispatcher = await service(store, 'once');
    const job = store.create('alice', submission({ server: 'tiny' }));
    await Promise.all([dispatcher.submit(job), dispatcher.submit(job), dispatcher.submit(job)]);
    await worker('once');
    await until('the job has ended', () => ['succeeded', 'failed'].includes(store.get(job.id)?.state ?? ''));
    await dispatcher.settled();
    const record = store.get(job.id);
    expect([record?.state, record?.error, record?.attempts]).toEqual(['succeeded', undefined, 1]);
    expect(record?.progress).toMatchObject({ epoch: 0, step: 2, stepsPerEpoch: 2, epochs: 1 });
    const events = store.eventsSince(job.id, 0);
    expect(kinds(events)).toEqual(['queued', 'running', 'log', 'start', 'step', 'step', 'epoch', 'succeeded']);
    expect(events[2]?.event).toMatchObject({ type: 'log', message: expect.stringMatching(/took it up \(attempt 1 of 3\)$/) });
    const bytes = await artifacts.get(packageKey(job.id));
    expect(bytes?.length).toBe(record?.outcome?.packageBytes);
    const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url }, prefix: 'once' });
    closers.push(() => queue.close());
    expect(await queue.getJobCounts('completed', 'waiting', 'active', 'failed')).toEqual({ completed: 1, waiting: 0, active: 0, failed: 0 });
  });

  it('fails a job that would fail on any worker at once, without retrying it', { timeout: 150_000 }, async () => {
    const store = newStore();
    const dispatcher = await service(store, 'bad');
    await worker('bad');
    const job = store.create('alice', submission({ server: 'nowhere' }));
    await dispatcher.submit(job);
    await until('the job has ended', () => store.get(job.id)?.state === 'failed');
    expect(store.get(job.id)).toMatchObject({ state: 'failed', attempts: 1, error: 'dataset "nowhere" is not offered by this service' });
  });

  it('drops a cancelled job that waits: it never runs', { timeout: 150_000 }, async () => {
    const store = newStore();
    const dispatcher = await service(store, 'drop');
    const job = store.create('alice', submission({ server: 'tiny' }));
    const kept = store.create('alice', submission({ server: 'tiny' }));
    await dispatcher.submit(job);
    await dispatcher.submit(kept);
    await dispatcher.cancel(job.id);
    expect(store.get(job.id)).toMatchObject({ state: 'cancelled', error: 'cancelled before it started', attempts: 0 });
    await worker('drop');
    await until('the other job has ended', () => store.get(kept.id)?.state === 'succeeded');
    await dispatcher.settled();
    expect(kinds(store.eventsSince(job.id, 0))).toEqual(['queued', 'cancelled']);
  });

  it('takes a job back from a worker that stops, and another worker completes it', { timeout: 150_000 }, async () => {
    await writeTinyDataset(path.join(dir, 'datasets', 'small'), 200, 20);
    const store = newStore();
    const dispatcher = await service(store, 'handback');
    const leaving = await worker('handback', 'leaving');
    const job = store.create('alice', { ...submission({ server: 'small' }), batchSize: 10, epochs: 2 });
    await dispatcher.submit(job);
    await until('the job has trained a step', () => kinds(store.eventsSince(job.id, 0)).includes('step'));
    await leaving.close();
    await until('the job is queued again', () => store.get(job.id)?.state === 'queued', 60_000);
    await worker('handback', 'staying');
    await until('the job has ended', () => ['succeeded', 'failed'].includes(store.get(job.id)?.state ?? ''));
    await dispatcher.settled();
    expect(store.get(job.id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    const logs = store.eventsSince(job.id, 0).flatMap(({ event: e }) => (e.type === 'log' ? [e.message] : []));
    expect(logs).toContainEqual('worker leaving is stopping: handed back to the queue');
    expect(logs.filter((m) => m.includes('took it up'))).toEqual(['worker leaving took it up (attempt 1 of 3)', 'worker staying took it up (attempt 2 of 3)']);
  });

  it('loses no queued job when Redis is killed and restarted with its append-only file', { timeout: 150_000 }, async () => {
    const durable = await startRedisServer({ appendOnly: true });
    closers.push(() => durable.stop());
    const store = newStore();
    const d = new BullmqDispatcher({ store, log: () => undefined }, { redisUrl: durable.url, prefix: 'durable' });
    await d.start();
    closers.push(() => d.close());
    const jobs = [store.create('alice', submission({ server: 'tiny' })), store.create('alice', submission({ server: 'tiny' }))];
    for (const j of jobs) await d.submit(j);
    await durable.kill();
    await durable.restart();
    const w = new BullmqTrainingWorker({ redisUrl: durable.url, artifacts, resolveDataset, prefix: 'durable' });
    await w.start();
    closers.push(() => w.close());
    await until('both jobs have ended', () => jobs.every((j) => ['succeeded', 'failed'].includes(store.get(j.id)?.state ?? '')));
    expect(jobs.map((j) => [store.get(j.id)?.state, store.get(j.id)?.attempts])).toEqual([
      ['succeeded', 1],
      ['succeeded', 1],
    ]);
  });

  it('catches up at start with what workers did while no service listened', { timeout: 150_000 }, async () => {
    const store = newStore();
    const first = await service(store, 'restart');
    const job = store.create('alice', submission({ server: 'tiny' }));
    await first.submit(job);
    await worker('restart');
    await until('the job runs', () => store.get(job.id)?.state === 'running');
    await first.close();
    const queue = new Queue(QUEUE_NAME, { connection: { url: redis.url }, prefix: 'restart' });
    closers.push(() => queue.close());
    await until('the worker has finished the job', async () => (await queue.getJobState(job.id)) === 'completed');
    expect(store.get(job.id)?.state).toBe('running');
    const second = await service(store, 'restart');
    await until('the store has the job finished', () => store.get(job.id)?.state === 'succeeded', 60_000);
    await second.settled();
    expect(store.get(job.id)?.attempts).toBe(1);
    expect(kinds(store.eventsSince(job.id, 0))).toEqual(['queued', 'running', 'log', 'start', 'step', 'step', 'epoch', 'succeeded']);
  });
});
