import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloudClient } from '../../cloud/client/cloud-client.js';
import { startCloudService, type CloudService } from '../../cloud/server/cloud-service.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { writeSmallDemo } from '../../test/support/small-dataset.js';
import type { TrainRequest } from '../contract/studio-api.js';
import { collect, nextEvent, scratchServices } from './studio-services.fixture.js';

// The studio's training service against a real cloud training service (the one `reframe cloud serve`
// starts) on 127.0.0.1, in this process, with a token made in its SQLite token store: the tiny preset
// for one epoch on 300 images, so a job takes seconds.

let dir = '';
let cloud: CloudService;
let token = '';
let data = '';
let url = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'studio-cloud-'));
  cloud = await startCloudService({ dataDir: path.join(dir, 'service'), port: 0 });
  token = cloud.tokens.create('studio').token;
  url = cloud.url;
  data = path.join(dir, 'fashion-small');
  await writeSmallDemo(data, 300, 100);
}, 30_000);
afterAll(async () => {
  await cloud?.close();
  await rm(dir, { recursive: true, force: true });
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function services(o: Parameters<typeof scratchServices>[0] = {}) {
  const s = await scratchServices(o);
  cleanup.push(s.remove);
  return s;
}

const TINY: TrainRequest = { model: { kind: 'preset', id: 'tiny' }, data: '', epochs: 1, batchSize: 50, lr: 0.05, optimizer: 'sgd', schedule: 'constant', augment: false, engine: 'auto' };
const onCloud = (r: Partial<TrainRequest> = {}): TrainRequest => ({ ...TINY, data, target: { kind: 'cloud', url }, ...r });

/** A port nothing listens on: one the OS just handed out and took back. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('cloud targets', () => {
  it('remembers a cloud only once the service answers and takes the token, and keeps the token to itself', async () => {
    const { services: s, dir: scratch } = await services();
    const saved = await s.saveCloudTarget({ url: `${url}/`, token });
    expect(saved).toEqual({ url, tokenHint: token.slice(-4), saved: expect.any(String) });
    expect(await s.listCloudTargets()).toEqual([saved]);
    expect(JSON.stringify(await s.listCloudTargets())).not.toContain(token.slice(0, -4));
    // The token is kept in the settings folder, in a file only its owner reads.
    const file = path.join(scratch, 'config', 'cloud-targets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toContain(token);

    await expect(s.saveCloudTarget({ url, token: 'rf_forged-token' })).rejects.toMatchObject({
      code: 'cloud-token-refused',
      message: `the cloud service at ${url} refused the token (the bearer token is unknown or revoked)`,
      hint: expect.stringContaining('reframe cloud token create'),
    });
    const port = await closedPort();
    await expect(s.saveCloudTarget({ url: `http://127.0.0.1:${port}`, token })).rejects.toMatchObject({
      code: 'cloud-unreachable',
      message: `could not reach a cloud training service at http://127.0.0.1:${port}: nothing listens there (connection refused)`,
    });
    // Something answers, but it is not a cloud training service.
    const other = createServer((_req, res) => res.writeHead(404, { 'content-type': 'text/html' }).end('<h1>nope</h1>'));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}`;
    try {
      await expect(s.saveCloudTarget({ url: otherUrl, token })).rejects.toMatchObject({ code: 'not-a-cloud-service', message: `${otherUrl} answered, but not as a ReFrame cloud training service (GET /health gave HTTP 404, not JSON)` });
    } finally {
      await new Promise((r) => other.close(r));
    }
    await expect(s.saveCloudTarget({ url: 'ftp://example.org', token })).rejects.toMatchObject({ code: 'bad-cloud-url', message: 'ftp://example.org: a cloud training service is reached over http or https, not ftp' });
    await expect(s.saveCloudTarget({ url: 'https://me:secret@example.org', token })).rejects.toMatchObject({ code: 'bad-cloud-url', hint: expect.stringContaining('token in its own field') });
    await expect(s.saveCloudTarget({ url, token: 'two words' })).rejects.toMatchObject({ code: 'bad-request', message: 'token: a token has no spaces or line breaks' });
    expect(await s.listCloudTargets()).toEqual([saved]);

    await s.forgetCloudTarget(`${url}/`);
    expect(await s.listCloudTargets()).toEqual([]);
    expect(await readFile(file, 'utf8')).not.toContain(token);
    await expect(s.forgetCloudTarget(url)).rejects.toMatchObject({ code: 'not-found' });
  });
});

describe('training on a cloud', () => {
  it('uploads a local folder, trains there with live events, and writes the package the service made', { timeout: 180_000 }, async () => {
    const { services: s } = await services();
    await s.saveCloudTarget({ url, token });
    const starts = collect(s, 'training.start');
    const steps = collect(s, 'training.step');
    const epochs = collect(s, 'training.epoch');
    // A remembered cloud needs only its URL: the studio adds the token.
    const { runId, runDir } = await s.startTraining(onCloud());
    const done = await nextEvent(s, 'training.done', (e) => e.runId === runId, 170_000);
    expect(starts).toEqual([expect.objectContaining({ runId, model: 'tiny', cloud: url, engine: expect.stringMatching(/^tfjs-(wasm|node)$/), firstEpoch: 0, epochs: 1, data: expect.stringContaining('fashion-small') })]);
    expect(steps.length).toBeGreaterThan(0);
    expect(epochs).toEqual([expect.objectContaining({ runId, checkpoint: null, report: expect.objectContaining({ epoch: 0 }) })]);

    expect(done.packagePath).toBe(path.join(s.workspace, `tiny-${runId}.rfpk`));
    const bytes = new Uint8Array(await readFile(done.packagePath));
    expect(decodePackage(bytes).graph.name).toBe('tiny');
    expect(done.summary).toMatchObject({ model: 'tiny', engine: starts[0]?.engine, epochs: 1, dtype: 'fp32', packageBytes: bytes.length, history: [epochs[0]?.report] });
    // Class names from the data opened here; the confusion matrix counts every test image.
    expect(done.evaluation.classes).toHaveLength(10);
    expect(done.evaluation.classes[0]).not.toMatch(/^class /);
    expect(done.evaluation.images).toBe(100);
    expect(done.evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(100);

    const [run] = await s.listRuns();
    expect(run).toEqual(expect.objectContaining({ runId, status: 'done', epochsDone: 1, packagePath: done.packagePath, cloud: { url, jobId: expect.stringMatching(/^job_/) } }));
    const job = await new CloudClient({ url, token }).get(run!.cloud!.jobId!);
    expect(job.state).toBe('succeeded');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(job.outcome?.packageSha256);
    expect(job.submission.dataset).toEqual({ uploaded: expect.stringMatching(/^fashion-small-[0-9a-f]{12}$/) });
    // The run's record names the service and the job, never the token.
    const record = await readFile(path.join(runDir, 'run.json'), 'utf8');
    expect(record).toContain(job.id);
    expect(record).not.toContain(token);
  });

  it('says what is wrong before anything is sent: a refused token, no token, a file, a bad dataset name', async () => {
    const { services: s } = await services();
    await expect(s.startTraining(onCloud({ target: { kind: 'cloud', url, token: 'rf_forged-token' } }))).rejects.toMatchObject({ code: 'cloud-token-refused', message: expect.stringContaining('refused the token') });
    await expect(s.startTraining(onCloud())).rejects.toMatchObject({ code: 'cloud-token-missing', message: `the studio keeps no token for the cloud at ${url}` });
    const withToken = { kind: 'cloud', url, token } as const;
    await expect(s.startTraining(onCloud({ target: withToken, data: path.join(data, 'train-images-idx3-ubyte') }))).rejects.toMatchObject({ code: 'bad-dataset', message: expect.stringContaining('needs the folder holding the data files, not a file') });
    await expect(s.startTraining(onCloud({ target: withToken, data: 'service:../etc' }))).rejects.toMatchObject({ code: 'bad-dataset', message: expect.stringContaining('is not a dataset name') });
    await expect(s.startTraining(onCloud({ target: withToken, data: path.join(dir, 'none') }))).rejects.toMatchObject({ code: 'bad-dataset' });
    expect(await s.listRuns()).toEqual([]);
  });

  it('cancels the job on the service, and does not resume a cloud run', { timeout: 120_000 }, async () => {
    const { services: s } = await services();
    // The token sent with the run, not remembered.
    const { runId } = await s.startTraining(onCloud({ target: { kind: 'cloud', url, token }, batchSize: 5, epochs: 3 }));
    await nextEvent(s, 'training.step', (e) => e.runId === runId, 100_000);
    await s.cancelTraining(runId);
    const failed = await nextEvent(s, 'training.failed', (e) => e.runId === runId);
    expect(failed.error).toMatchObject({ code: 'cancelled', message: expect.stringMatching(/^run cancelled: job job_\w+ stopped on the cloud service \(cancelled after step \d+ of epoch 1\)$/), hint: expect.stringContaining('start a new run') });
    const [run] = await s.listRuns();
    expect(run).toMatchObject({ runId, status: 'cancelled', packagePath: null, cloud: { url, jobId: expect.any(String) } });
    expect((await new CloudClient({ url, token }).get(run!.cloud!.jobId!)).state).toBe('cancelled');
    await expect(s.resumeTraining(runId)).rejects.toMatchObject({ code: 'cloud-run', message: expect.stringContaining('retries a stopped job by itself') });
    await expect(s.cancelTraining(runId)).rejects.toMatchObject({ code: 'not-running' });
  });

  it('follows a job that a closed studio left running when it starts again, and lands its package', { timeout: 180_000 }, async () => {
    const first = await services();
    await first.services.saveCloudTarget({ url, token });
    const { runId } = await first.services.startTraining(onCloud({ batchSize: 10 }));
    await nextEvent(first.services, 'training.step', (e) => e.runId === runId, 100_000);
    // Closing the studio stops following the job, but leaves it running on the service.
    await first.services.dispose();
    const [left] = await first.services.listRuns();
    expect(left).toMatchObject({ runId, status: 'interrupted', cloud: { url, jobId: expect.any(String) } });
    const jobId = left!.cloud!.jobId!;
    expect((await new CloudClient({ url, token }).get(jobId)).state).not.toBe('cancelled');

    const again = await services({ workspace: first.services.workspace, configDir: path.join(first.dir, 'config') });
    const done = await nextEvent(again.services, 'training.done', (e) => e.runId === runId, 170_000);
    expect(decodePackage(new Uint8Array(await readFile(done.packagePath))).graph.name).toBe('tiny');
    expect(done.summary.history).toHaveLength(1);
    expect(await again.services.listRuns()).toEqual([expect.objectContaining({ runId, status: 'done', cloud: { url, jobId } })]);
  });
});
