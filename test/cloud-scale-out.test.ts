import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTinyDataset } from '../bench/support/tiny-dataset.js';
import { CloudClient } from '../cloud/client/cloud-client.js';
import type { JobEvent, JobRecord, SequencedEvent } from '../cloud/jobs/job-types.js';
import { createBullmqDispatcher } from '../cloud/queue/bullmq-dispatcher.js';
import { startCloudService, type CloudService } from '../cloud/server/cloud-service.js';
import { DirectoryArtifactStore } from '../cloud/store/directory-artifact-store.js';
import { findPreset } from '../core/zoo/presets.js';
import { startCloudWorker, type CloudWorkerProcess } from './support/cloud-worker-process.js';
import { reframe, ROOT } from './support/reframe-cli.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

// The scale-out mode end to end: a real redis-server, the service (HTTP API, SQLite records, the
// BullMQ dispatcher) in this process, and two `reframe cloud worker` processes training real jobs:
// the tiny preset on a few real Fashion-MNIST images, so fifty jobs take about a minute.

let redis: RedisServer;
let dir: string;
let service: CloudService;
let token: string;
const workers: CloudWorkerProcess[] = [];

/** Lock 3 s and a stalled check every 1.5 s: a killed worker's job moves on within about 6 s. */
const workerArgs = () => ['--redis', redis.url, '--artifacts', join(dir, 'artifacts'), '--datasets', join(dir, 'datasets'), '--cache', join(dir, 'cache'), '--lock-ms', '3000', '--stalled-ms', '1500'];

beforeAll(async () => {
  redis = await startRedisServer();
  dir = await mkdtemp(join(tmpdir(), 'reframe-scale-out-'));
  // 40 images at batch 20: two steps and a 20-image evaluation, about a second of training.
  await writeTinyDataset(join(dir, 'datasets', 'tiny'), 40, 20);
  // 200 images at batch 10: twenty steps an epoch, long enough to kill a worker in the middle.
  await writeTinyDataset(join(dir, 'datasets', 'small'), 200, 20);
  service = await startCloudService({
    dataDir: join(dir, 'service'),
    datasetsDir: join(dir, 'datasets'),
    artifacts: new DirectoryArtifactStore(join(dir, 'artifacts')),
    port: 0,
    dispatcher: createBullmqDispatcher({ redisUrl: redis.url }),
    mode: 'bullmq',
  });
  token = service.tokens.create('ci').token;
  workers.push(...(await Promise.all([startCloudWorker(workerArgs()), startCloudWorker(workerArgs())])));
  // A loaded two-core machine takes tens of seconds to start the CLI twice.
}, 180_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await service?.close();
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function api(method: string, route: string, body?: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${service.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, json: await res.json() };
}

const submit = async (dataset: object, settings: object = {}): Promise<JobRecord> => {
  const r = await api('POST', '/jobs', { spec: findPreset('tiny')!.build(), dataset, epochs: 1, batchSize: 20, schedule: 'constant', ...settings });
  expect(r.status).toBe(201);
  return r.json as JobRecord;
};

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting until ${what}\n${diagnosis()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Waits until `done()` reaches `total`, failing when it stops moving for `stallMs`: a loaded machine
 * makes the run slow, which is not what this test is about; a queue that stops is.
 */
async function untilAll(what: string, done: () => number, total: number, stallMs: number): Promise<void> {
  let last = -1;
  let movedAt = Date.now();
  for (let n = done(); n < total; n = done()) {
    if (n !== last) [last, movedAt] = [n, Date.now()];
    if (Date.now() - movedAt > stallMs) throw new Error(`no progress for ${stallMs} ms at ${n} of ${total} waiting until ${what}\n${diagnosis()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** What the jobs and the workers were doing, for a test that timed out. */
function diagnosis(): string {
  const jobs = service.store.list(service.tokens.list()[0]?.id ?? '', 1000);
  const counts = new Map<string, number>();
  for (const j of jobs) counts.set(j.state, (counts.get(j.state) ?? 0) + 1);
  const tail = (text: string) => text.split('\n').slice(-12).join('\n');
  return [`jobs by state: ${[...counts].map(([k, v]) => `${k} ${v}`).join(', ')}`, ...workers.map((w) => `worker ${w.name}:\n${tail(w.log())}`)].join('\n');
}

const ended = (id: string) => ['succeeded', 'failed', 'cancelled'].includes(service.store.get(id)?.state ?? '');
const events = (id: string): JobEvent[] => service.store.eventsSince(id, 0).map((e) => e.event);
const states = (id: string) => events(id).flatMap((e) => (e.type === 'state' ? [e.state] : []));
const logs = (id: string) => events(id).flatMap((e) => (e.type === 'log' ? [e.message] : []));
const steps = (id: string) => events(id).flatMap((e) => (e.type === 'train' && e.event.type === 'step' ? [e.event.step] : []));
/** The workers that took a job up, from the line each writes into its log. */
const takenBy = (id: string) => logs(id).flatMap((m) => /^worker (\S+) took it up/.exec(m)?.[1] ?? []);

describe('the scale-out mode: service, Redis and two worker processes', () => {
  it('completes 50 jobs submitted at once, each run exactly once, spread over both workers', { timeout: 900_000 }, async () => {
    const started = performance.now();
    const jobs = await Promise.all(Array.from({ length: 50 }, () => submit({ server: 'tiny' })));
    expect(new Set(jobs.map((j) => j.id)).size).toBe(50);
    await untilAll('all 50 jobs have ended', () => jobs.filter((j) => ended(j.id)).length, 50, 60_000);
    const seconds = (performance.now() - started) / 1000;

    const records = jobs.map((j) => service.store.get(j.id) as JobRecord);
    expect(records.filter((r) => r.state !== 'succeeded').map((r) => `${r.id}: ${r.state} ${r.error ?? ''}`)).toEqual([]);
    // None ran twice: one start in the record, in the state events, in the job log and in the workers' own logs.
    expect(records.filter((r) => r.attempts !== 1).map((r) => `${r.id}: ${r.attempts} attempts`)).toEqual([]);
    expect(jobs.filter((j) => states(j.id).join() !== 'queued,running,succeeded').map((j) => `${j.id}: ${states(j.id).join()}`)).toEqual([]);
    expect(jobs.filter((j) => takenBy(j.id).length !== 1).map((j) => j.id)).toEqual([]);
    const started1 = workers.map((w) => w.log()).join('').match(/job \S+: attempt 1 of 3 started/g) ?? [];
    expect(started1.length).toBe(50);
    expect(new Set(started1).size).toBe(50);
    expect(new Set(jobs.map((j) => takenBy(j.id)[0]))).toEqual(new Set(workers.map((w) => w.name)));
    // Every package is whole in the shared store and served by the API with its digest.
    const artifacts = new DirectoryArtifactStore(join(dir, 'artifacts'));
    for (const r of records) {
      const bytes = await artifacts.get(`packages/${r.id}.rfpk`);
      expect(bytes === undefined ? 'missing' : createHash('sha256').update(bytes).digest('hex')).toBe(r.outcome?.packageSha256);
    }
    const one = records[0] as JobRecord;
    const res = await fetch(`${service.url}/jobs/${one.id}/package`, { headers: { authorization: `Bearer ${token}` } });
    expect(createHash('sha256').update(new Uint8Array(await res.arrayBuffer())).digest('hex')).toBe(one.outcome?.packageSha256);
    // The event stream of a job trained elsewhere reads as a local one: start, steps, epoch, end.
    const streamed: SequencedEvent[] = [];
    for await (const e of new CloudClient({ url: service.url, token }).events(one.id)) streamed.push(e);
    expect(streamed.map((e) => (e.event.type === 'train' ? e.event.event.type : e.event.type === 'state' ? e.event.state : 'log'))).toEqual(['queued', 'running', 'log', 'start', 'step', 'step', 'epoch', 'succeeded']);
    process.stderr.write(`scale-out: 50 tiny jobs on 2 worker processes in ${seconds.toFixed(1)} s\n`);
  });

  it('hands the job of a worker killed mid-training to the other worker, which completes it', { timeout: 120_000 }, async () => {
    const job = await submit({ server: 'small' }, { batchSize: 10, epochs: 2 });
    await until('the job has trained two steps', () => steps(job.id).length >= 2, 60_000);
    const [first] = takenBy(job.id);
    const victim = workers.find((w) => w.name === first);
    expect(victim).toBeDefined();
    await victim?.kill();
    workers.splice(workers.indexOf(victim as CloudWorkerProcess), 1);
    await until('the job has ended', () => ended(job.id), 90_000);
    const record = service.store.get(job.id);
    expect([record?.state, record?.attempts, record?.error]).toEqual(['succeeded', 2, undefined]);
    expect(takenBy(job.id)).toEqual([first, workers[0]?.name]);
    expect(states(job.id)).toEqual(['queued', 'running', 'queued', 'running', 'succeeded']);
    expect(logs(job.id)).toContainEqual(expect.stringContaining('stopped renewing its lock'));
    expect(record?.outcome?.epochs).toBe(2);
  });

  it('stops a cancelled job within one step, drops a cancelled waiting one, and the worker goes on to the next job', { timeout: 120_000 }, async () => {
    const [worker] = workers;
    // One worker is left: the long job runs, the other two wait behind it.
    const long = await submit({ builtin: 'demo' }, { batchSize: 10 });
    const next = await submit({ server: 'tiny' });
    const dropped = await submit({ server: 'tiny' });
    await until('the long job has trained three steps', () => steps(long.id).length >= 3, 60_000);

    const drop = await api('DELETE', `/jobs/${dropped.id}`);
    expect([drop.status, (drop.json as JobRecord).state]).toEqual([200, 'cancelled']);
    const asked = performance.now();
    const cancel = await api('DELETE', `/jobs/${long.id}`);
    expect([cancel.status, (cancel.json as JobRecord).state]).toEqual([202, 'running']);
    await until('the long job has ended', () => ended(long.id), 30_000);
    const stopMs = performance.now() - asked;

    const record = service.store.get(long.id);
    const at = /^cancelled after step (\d+) of epoch 1$/.exec(record?.error ?? '');
    expect([record?.state, record?.attempts, at !== null]).toEqual(['cancelled', 1, true]);
    // The worker counts the steps it made after the request reached it: at most the one under way.
    const told = logs(long.id).map((m) => /stopped (\d+) step\(s\) and (\d+) ms after the request/.exec(m)).find((m) => m !== null);
    expect(Number(told?.[1])).toBeLessThanOrEqual(1);
    expect(Math.max(...steps(long.id))).toBe(Number(at?.[1]));
    expect(Number(at?.[1])).toBeLessThan(200);
    expect(stopMs).toBeLessThan(10_000);

    await until('the next job has ended', () => ended(next.id), 60_000);
    expect([service.store.get(next.id)?.state, takenBy(next.id)]).toEqual(['succeeded', [worker?.name]]);
    expect(states(dropped.id)).toEqual(['queued', 'cancelled']);
    expect(states(long.id)).toEqual(['queued', 'running', 'cancelled']);
  });

  it('`cloud serve --redis` queues in BullMQ and says how to start workers; `cloud worker` refuses a bad --redis', { timeout: 240_000 }, async () => {
    const data = join(dir, 'serve-cli');
    const serve = spawn(process.execPath, [join(ROOT, 'bin', 'reframe.mjs'), 'cloud', 'serve', '--redis', redis.url, '--port', '0', '--data', data, '--artifacts', join(dir, 'artifacts'), '--prefix', 'cli'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => serve.once('exit', (code) => resolve(code)));
    let said = '';
    serve.stdout.on('data', (d: Buffer) => (said += d.toString()));
    await until('the service is listening', () => said.includes('workers:') || serve.exitCode !== null, 120_000);
    const url = /listening on (http:\S+) \(BullMQ queue cli:reframe-train on redis:\/\/127\.0\.0\.1:\d+, trained by `reframe cloud worker` processes;/.exec(said)?.[1];
    expect(said).toContain(`workers: reframe cloud worker --redis ${redis.url} --artifacts ${join(dir, 'artifacts')} --prefix cli\n`);
    expect(await (await fetch(`${url}/health`)).json()).toMatchObject({ status: 'ok', mode: 'bullmq' });
    serve.kill('SIGTERM');
    expect(await exited).toBe(0);

    const badUrl = await reframe('cloud', 'worker', '--redis', 'http://127.0.0.1:6379', '--artifacts', join(dir, 'artifacts'));
    expect([badUrl.code, badUrl.stderr]).toEqual([2, 'reframe: --redis takes a URL such as redis://127.0.0.1:6379, got "http://127.0.0.1:6379"\n']);
    const nobody = await reframe('cloud', 'worker', '--redis', 'redis://127.0.0.1:1', '--artifacts', join(dir, 'artifacts'));
    expect([nobody.code, nobody.stderr]).toEqual([1, expect.stringContaining('reframe: cannot reach Redis at redis://127.0.0.1:1 (connect ECONNREFUSED 127.0.0.1:1)')]);
    const noServe = await reframe('cloud', 'serve', '--redis', 'redis://127.0.0.1:1', '--port', '0', '--data', join(dir, 'serve-down'));
    expect([noServe.code, noServe.stderr]).toEqual([1, expect.stringContaining('reframe: cannot reach Redis at redis://127.0.0.1:1')]);
  });
});
