import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../../core/zoo/presets.js';
import { datasetCheck } from '../jobs/dataset-check.js';
import type { JobRecord } from '../jobs/job-types.js';
import type { JobDispatcher } from '../queue/job-dispatcher.js';
import { DirectoryArtifactStore } from '../store/directory-artifact-store.js';
import { openServiceDatabase } from '../store/service-database.js';
import { SqliteJobStore } from '../store/sqlite-job-store.js';
import { SqliteTokenStore } from '../store/sqlite-token-store.js';
import { buildServiceApp } from './service-app.js';

// The HTTP API against a real store, with a dispatcher that only records what it was asked.
let dir = '';
let app: FastifyInstance;
let store: SqliteJobStore;
let alice = '';
let bob = '';
const submitted: string[] = [];
const cancelled: string[] = [];
const dispatcher: JobDispatcher = {
  start: async () => undefined,
  submit: async (job) => void submitted.push(job.id),
  cancel: async (id) => {
    cancelled.push(id);
    store.finish(id, 'cancelled');
  },
  close: async () => undefined,
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-app-'));
  const db = openServiceDatabase(dir);
  store = new SqliteJobStore(db);
  const tokens = new SqliteTokenStore(db);
  alice = tokens.create('alice').token;
  bob = tokens.create('bob').token;
  const artifacts = new DirectoryArtifactStore(path.join(dir, 'artifacts'));
  app = await buildServiceApp({ store, tokens, artifacts, dispatcher, checkDataset: datasetCheck({ artifacts }), maxJsonBytes: 64 * 1024, maxUploadBytes: 4096 });
});
afterAll(async () => {
  await app.close();
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const spec = findPreset('tiny')!.build();
const as = (token: string) => ({ authorization: `Bearer ${token}` });

describe('the service API', () => {
  it('fills omitted settings with the defaults of reframe train and queues the job', async () => {
    const res = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { builtin: 'demo' } } });
    expect(res.statusCode).toBe(201);
    const job = res.json<JobRecord>();
    expect(res.headers.location).toBe(`/jobs/${job.id}`);
    expect(job.state).toBe('queued');
    expect(job.submission).toEqual({ spec, dataset: { builtin: 'demo' }, epochs: 10, batchSize: 64, lr: 0.05, optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 }, schedule: 'cosine', augment: false, seed: '0x5eed', engine: 'auto', dtype: 'fp32' });
    expect(submitted).toContain(job.id);
    const partial = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { builtin: 'demo' }, optimizer: { name: 'adam' } } });
    expect(partial.json<JobRecord>().submission.optimizer).toEqual({ name: 'adam', momentum: 0.9, weightDecay: 5e-4 });
  });

  it('answers 401 with a Bearer challenge for a missing, malformed, unknown token', async () => {
    for (const headers of [{}, { authorization: 'Basic abc' }, as('rf_notatoken'), { authorization: 'Bearer' }]) {
      const res = await app.inject({ method: 'GET', url: '/jobs', headers });
      expect(res.statusCode).toBe(401);
      expect(res.headers['content-type']).toBe('application/problem+json; charset=utf-8');
      expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="reframe-cloud"/);
      expect(res.json()).toMatchObject({ type: 'urn:reframe:problem:unauthorized', status: 401, title: expect.any(String), detail: expect.any(String) });
    }
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok', mode: 'sqlite', version: '1' });
  });

  it("hides another token's job behind 404 on every route", async () => {
    const job = (await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { builtin: 'demo' } } })).json<JobRecord>();
    for (const [method, url] of [['GET', `/jobs/${job.id}`], ['GET', `/jobs/${job.id}/events`], ['GET', `/jobs/${job.id}/package`], ['DELETE', `/jobs/${job.id}`]] as const) {
      const res = await app.inject({ method, url, headers: as(bob) });
      expect([method, url, res.statusCode, res.json().type]).toEqual([method, url, 404, 'urn:reframe:problem:not-found']);
    }
    expect(cancelled).not.toContain(job.id);
    const bobs = (await app.inject({ method: 'GET', url: '/jobs', headers: as(bob) })).json<{ jobs: JobRecord[] }>();
    expect(bobs.jobs).toEqual([]);
    const alices = (await app.inject({ method: 'GET', url: '/jobs?limit=1', headers: as(alice) })).json<{ jobs: JobRecord[] }>();
    expect(alices.jobs.map((j) => j.id)).toEqual([job.id]);
  });

  it('names every problem of the envelope and of the spec by its JSON Pointer', async () => {
    const envelope = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { server: 'a', uploaded: 'b' }, epochs: 0, batch: 5 } });
    expect(envelope.statusCode).toBe(400);
    expect(envelope.json().errors).toEqual(
      expect.arrayContaining([
        { path: '/batch', message: 'unknown field' },
        { path: '/dataset', message: 'give exactly one of builtin, server or uploaded' },
        { path: '/epochs', message: 'must be >= 1' },
      ]),
    );
    const nodes = spec.nodes.map((n, i) => (i === 1 ? { ...n, groups: 3 } : n));
    const bad = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec: { ...spec, nodes }, dataset: { builtin: 'demo' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ type: 'urn:reframe:problem:invalid-spec', status: 400, errors: [{ path: '/spec/nodes/1/groups', message: expect.stringContaining('3') }] });
    const missing = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec } });
    expect(missing.json().errors).toEqual([{ path: '/dataset', message: 'required field is missing' }]);
    const notJson = await app.inject({ method: 'POST', url: '/jobs', headers: { ...as(alice), 'content-type': 'application/json' }, payload: '{"spec":' });
    expect([notJson.statusCode, notJson.headers['content-type']]).toEqual([400, 'application/problem+json; charset=utf-8']);
  });

  it('refuses bodies over the limits with 413, and uploads that are not tar archives', async () => {
    const big = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec: { ...spec, description: 'x'.repeat(70 * 1024) }, dataset: { builtin: 'demo' } } });
    expect([big.statusCode, big.json().type]).toEqual([413, 'urn:reframe:problem:too-large']);
    const upload = await app.inject({ method: 'PUT', url: '/datasets/d1', headers: { ...as(alice), 'content-type': 'application/x-tar' }, payload: Buffer.alloc(5000) });
    expect(upload.statusCode).toBe(413);
    const notTar = await app.inject({ method: 'PUT', url: '/datasets/d1', headers: { ...as(alice), 'content-type': 'application/x-tar' }, payload: Buffer.alloc(1024) });
    expect([notTar.statusCode, notTar.json().detail]).toEqual([400, expect.stringContaining('not a tar archive')]);
    const badName = await app.inject({ method: 'PUT', url: '/datasets/..x', headers: { ...as(alice), 'content-type': 'application/x-tar' }, payload: Buffer.alloc(1024) });
    expect(badName.statusCode).toBe(400);
    const unknown = await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { uploaded: 'never' } } });
    expect([unknown.statusCode, unknown.json().errors]).toEqual([400, [{ path: '/dataset/uploaded', message: expect.stringContaining('was not uploaded') }]]);
  });

  it('cancels, refuses to cancel twice, and has no package before success', async () => {
    const job = (await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { builtin: 'demo' } } })).json<JobRecord>();
    const pkg = await app.inject({ method: 'GET', url: `/jobs/${job.id}/package`, headers: as(alice) });
    expect([pkg.statusCode, pkg.json().detail]).toEqual([409, expect.stringContaining('is queued')]);
    const del = await app.inject({ method: 'DELETE', url: `/jobs/${job.id}`, headers: as(alice) });
    expect([del.statusCode, del.json().state]).toEqual([200, 'cancelled']);
    expect((await app.inject({ method: 'DELETE', url: `/jobs/${job.id}`, headers: as(alice) })).statusCode).toBe(409);
  });

  it('replays events as SSE from Last-Event-ID and ends after the terminal state', async () => {
    const job = (await app.inject({ method: 'POST', url: '/jobs', headers: as(alice), payload: { spec, dataset: { builtin: 'demo' } } })).json<JobRecord>();
    store.markRunning(job.id);
    store.appendEvent(job.id, { type: 'log', message: 'hello' });
    store.finish(job.id, 'failed', { error: 'boom' });
    const all = await app.inject({ method: 'GET', url: `/jobs/${job.id}/events`, headers: as(alice) });
    expect(all.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    const ids = [...all.body.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));
    expect(ids).toEqual([1, 2, 3, 4]);
    expect(all.body).toContain('event: log\ndata: {"type":"log","message":"hello"}\n\n');
    const rest = await app.inject({ method: 'GET', url: `/jobs/${job.id}/events`, headers: { ...as(alice), 'last-event-id': '3' } });
    expect(rest.body).toBe('id: 4\nevent: state\ndata: {"type":"state","state":"failed","error":"boom"}\n\n');
    const bad = await app.inject({ method: 'GET', url: `/jobs/${job.id}/events`, headers: { ...as(alice), 'last-event-id': 'x' } });
    expect(bad.statusCode).toBe(400);
  });

  it('describes every route in its OpenAPI document, open to all', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.openapi).toBe('3.0.3');
    expect(Object.keys(doc.paths).sort()).toEqual(['/datasets/{name}', '/health', '/jobs', '/jobs/{id}', '/jobs/{id}/events', '/jobs/{id}/package']);
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.paths['/jobs'].post.requestBody.content['application/json'].schema.required).toEqual(['spec', 'dataset']);
    expect(Object.keys(doc.paths['/jobs'].post.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '413']));
  });
});
