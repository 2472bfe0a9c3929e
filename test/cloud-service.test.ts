import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobRecord, JobSubmission, SequencedEvent } from '../cloud/jobs/job-types.js';
import { localDispatcher } from '../cloud/queue/local-dispatcher.js';
import { startCloudService, type CloudService } from '../cloud/server/cloud-service.js';
import { MIB } from '../cloud/server/service-app.js';
import { openServiceDatabase } from '../cloud/store/service-database.js';
import { SqliteTokenStore } from '../cloud/store/sqlite-token-store.js';
import { decodePackage } from '../core/package/decode-package.js';
import { findPreset } from '../core/zoo/presets.js';
import { startCloudProcess, type CloudProcess } from './support/cloud-process.js';
import { smallDemoTar } from './support/small-dataset.js';
import { readJobEvents } from './support/sse-reader.js';

// The service over real HTTP on 127.0.0.1, training the tiny preset for one epoch on a slice of the
// demo data (400 training images), so every job takes seconds (the file about 35 s on a quiet 2-core
// machine; the time limits leave room for a busy one).

let dir = '';
let service: CloudService | undefined;
let child: CloudProcess | undefined;
let alice = '';
let bob = '';
let dataset: Uint8Array;

const spec = findPreset('tiny')!.build();
const job = (batchSize: number): Partial<JobSubmission> => ({ spec, dataset: { uploaded: 'small' }, epochs: 1, batchSize, schedule: 'constant' });

async function call(base: string, method: string, route: string, token: string | undefined, body?: unknown, type = 'application/json'): Promise<Response> {
  return fetch(`${base}${route}`, {
    method,
    headers: { ...(token === undefined ? {} : { authorization: `Bearer ${token}` }), ...(body === undefined ? {} : { 'content-type': type }) },
    ...(body === undefined ? {} : { body: body instanceof Uint8Array ? new Blob([new Uint8Array(body)]) : JSON.stringify(body) }),
  });
}

const submit = async (base: string, s: Partial<JobSubmission>, token = alice): Promise<JobRecord> => {
  const res = await call(base, 'POST', '/jobs', token, s);
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as JobRecord;
};
const record = async (base: string, id: string, token = alice) => (await (await call(base, 'GET', `/jobs/${id}`, token)).json()) as JobRecord;
const steps = (events: readonly SequencedEvent[]) => events.flatMap((e) => (e.event.type === 'train' && e.event.event.type === 'step' ? [e.event.event] : []));
const lastState = (events: readonly SequencedEvent[]) => events.flatMap((e) => (e.event.type === 'state' ? [e.event.state] : [])).at(-1);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-cloud-'));
  dataset = await smallDemoTar(400, 100);
  // Every step stored, so the cancel test sees exactly where training stopped.
  service = await startCloudService({ dataDir: join(dir, 'data'), port: 0, maxUploadBytes: 1 * MIB, dispatcher: localDispatcher({ minStepIntervalMs: 0 }) });
  alice = service.tokens.create('alice').token;
  bob = service.tokens.create('bob').token;
}, 30_000);
afterAll(async () => {
  await service?.close();
  await child?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe('cloud service (SQLite mode)', () => {
  it('refuses bad tokens (401), hides other tokens’ jobs (404), names spec errors (400) and oversized uploads (413)', async () => {
    const base = service!.url;
    expect(base).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const none = await call(base, 'GET', '/jobs', undefined);
    expect([none.status, none.headers.get('www-authenticate'), none.headers.get('content-type')]).toEqual([401, 'Bearer realm="reframe-cloud"', 'application/problem+json; charset=utf-8']);
    const bad = await call(base, 'GET', '/jobs', 'rf_forged');
    expect([bad.status, (await bad.json()).detail]).toEqual([401, 'the bearer token is unknown or revoked']);

    const big = await call(base, 'PUT', '/datasets/big', alice, new Uint8Array(1.5 * MIB), 'application/x-tar');
    expect([big.status, big.headers.get('content-type')]).toEqual([413, 'application/problem+json; charset=utf-8']);
    expect(await big.json()).toMatchObject({ type: 'urn:reframe:problem:too-large', status: 413, title: expect.any(String), detail: expect.stringContaining('1 MiB') });
    const up = await call(base, 'PUT', '/datasets/small', alice, dataset, 'application/x-tar');
    expect([up.status, await up.json()]).toEqual([201, { name: 'small', bytes: dataset.length, sha256: createHash('sha256').update(dataset).digest('hex') }]);

    const nodes = spec.nodes.map((n, i) => (i === 1 ? { ...n, kernel: 0 } : n));
    const malformed = await call(base, 'POST', '/jobs', alice, { ...job(10), spec: { ...spec, nodes } });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ type: 'urn:reframe:problem:invalid-spec', status: 400, errors: [{ path: '/spec/nodes/1/kernel', message: 'must be ≥ 1, got 0' }] });
    // Bob cannot use Alice's upload either: uploads belong to the token.
    const borrowed = await call(base, 'POST', '/jobs', bob, job(10));
    expect([borrowed.status, (await borrowed.json()).errors[0].path]).toEqual([400, '/dataset/uploaded']);

    const mine = await submit(base, job(10));
    for (const [method, route] of [['GET', `/jobs/${mine.id}`], ['GET', `/jobs/${mine.id}/events`], ['GET', `/jobs/${mine.id}/package`], ['DELETE', `/jobs/${mine.id}`]]) {
      const res = await call(base, method!, route!, bob);
      expect([method, route, res.status]).toEqual([method, route, 404]);
    }
    expect((await call(base, 'DELETE', `/jobs/${mine.id}`, alice)).status).toBeLessThan(300);
  }, 30_000);

  it('stops a job cancelled mid-training within one step, then runs the next job to success with SSE progress and a package that decodes', async () => {
    const base = service!.url;
    const slow = await submit(base, job(5)); // 80 steps
    const next = await submit(base, job(10));
    const dropped = await submit(base, job(10));
    let cancelAt: number | undefined;
    const events = await readJobEvents(`${base}/jobs/${slow.id}/events`, alice, async (e) => {
      if (cancelAt === undefined && e.event.type === 'train' && e.event.event.type === 'step' && e.event.event.step >= 3) {
        cancelAt = e.event.event.step;
        const res = await call(base, 'DELETE', `/jobs/${slow.id}`, alice);
        expect(res.status).toBe(202);
      }
    });
    expect(cancelAt).toBeDefined();
    expect(lastState(events)).toBe('cancelled');
    const asked = events.findIndex((e) => e.event.type === 'log' && e.event.message.startsWith('cancel requested after step'));
    expect(asked).toBeGreaterThan(0);
    // At most the step already under way when the cancel arrived.
    expect(steps(events.slice(asked)).length).toBeLessThanOrEqual(1);
    expect(steps(events).at(-1)!.step).toBeLessThan(80);
    const cancelled = await record(base, slow.id);
    expect([cancelled.state, cancelled.error]).toEqual(['cancelled', expect.stringMatching(/^cancelled after step \d+ of epoch 1$/)]);

    // A queued job is cancelled at once and never runs.
    const drop = await call(base, 'DELETE', `/jobs/${dropped.id}`, alice);
    expect([drop.status, ((await drop.json()) as JobRecord).state]).toEqual([200, 'cancelled']);

    // The worker is free again: the next job runs, streamed from its first event to its end.
    const progress = await readJobEvents(`${base}/jobs/${next.id}/events`, alice);
    expect(progress.map((e) => e.seq)).toEqual(progress.map((_, i) => i + 1));
    expect(progress.map((e) => e.event.type === 'train' ? e.event.event.type : e.event.type === 'state' ? e.event.state : 'log').filter((t) => t !== 'step')).toEqual(['queued', 'running', 'start', 'epoch', 'succeeded']);
    expect(steps(progress).map((s) => s.step)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const done = await record(base, next.id);
    expect([done.state, done.attempts, done.outcome?.evalImages]).toEqual(['succeeded', 1, 100]);
    expect((await record(base, dropped.id)).attempts).toBe(0);
    // Resuming with Last-Event-ID gives only what came after.
    const tail = await readJobEvents(`${base}/jobs/${next.id}/events`, alice, undefined, progress.length - 1);
    expect(tail.map((e) => e.seq)).toEqual([progress.length]);

    const pkg = await call(base, 'GET', `/jobs/${next.id}/package`, alice);
    expect([pkg.status, pkg.headers.get('content-type')]).toEqual([200, 'application/octet-stream']);
    const bytes = new Uint8Array(await pkg.arrayBuffer());
    expect(bytes.length).toBe(done.outcome!.packageBytes);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(done.outcome!.packageSha256);
    const decoded = decodePackage(bytes);
    expect(decoded.graph.name).toBe('tiny');
    expect((await call(base, 'GET', `/jobs/${slow.id}/package`, alice)).status).toBe(409);
  }, 120_000);

  it('keeps queued and finished jobs across a killed service process, and runs the interrupted job again', async () => {
    const data = join(dir, 'data');
    await service!.close();
    service = undefined;
    // Finished jobs from the tests above now live in this folder; a new process serves it.
    const before = openServiceDatabase(data);
    const finished = new SqliteTokenStore(before).verify(alice);
    before.close();
    expect(finished).toBeDefined();

    child = await startCloudProcess(['--data', data]);
    const base1 = child.url;
    const earlier = ((await (await call(base1, 'GET', '/jobs?limit=10', alice)).json()) as { jobs: JobRecord[] }).jobs;
    const succeeded = earlier.find((j) => j.state === 'succeeded')!;
    expect(succeeded).toBeDefined();
    const running = await submit(base1, job(10));
    const queued = await submit(base1, job(10));
    // Kill the service once the job is really training.
    await readJobEvents(`${base1}/jobs/${running.id}/events`, alice, async (e) => {
      if (e.event.type === 'train' && e.event.event.type === 'step') await child!.kill();
    }).catch(() => undefined);
    await child.kill();

    child = await startCloudProcess(['--data', data]);
    const base2 = child.url;
    // Finished and queued jobs are as they were; the interrupted one is running again.
    expect(await record(base2, succeeded.id)).toEqual(succeeded);
    const pkg = new Uint8Array(await (await call(base2, 'GET', `/jobs/${succeeded.id}/package`, alice)).arrayBuffer());
    expect(createHash('sha256').update(pkg).digest('hex')).toBe(succeeded.outcome!.packageSha256);
    const waiting = await record(base2, queued.id);
    expect([waiting.state, waiting.attempts, waiting.submission]).toEqual(['queued', 0, queued.submission]);

    const rerun = await readJobEvents(`${base2}/jobs/${running.id}/events`, alice);
    expect(lastState(rerun)).toBe('succeeded');
    expect(rerun.some((e) => e.event.type === 'log' && e.event.message.includes('interrupted (the service stopped while it ran)'))).toBe(true);
    const again = await record(base2, running.id);
    expect([again.state, again.attempts]).toEqual(['succeeded', 2]);
    expect((await child.stop())).toBe(0);
  }, 120_000);
});
