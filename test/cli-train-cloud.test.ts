import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePackage } from '../core/package/decode-package.js';
import { startCloudProcess, type CloudProcess } from './support/cloud-process.js';
import { reframe, reframeWithEnv, ROOT } from './support/reframe-cli.js';
import { writeSmallDemo } from './support/small-dataset.js';

// `reframe train --cloud` against a real `reframe cloud serve` process: the same progress and summary
// as a local run, the data folder uploaded once, Ctrl-C cancelling the job on the service.
let dir = '';
let service: CloudProcess | undefined;
let token = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-train-cloud-'));
  const data = join(dir, 'service');
  const created = await reframe('cloud', 'token', 'create', 'ci', '--data', data);
  token = created.stdout.split('\n').find((l) => l.startsWith('rf_')) ?? '';
  service = await startCloudProcess(['--data', data]);
  await writeSmallDemo(join(dir, 'fashion-small'), 300, 100);
}, 60_000);
afterAll(async () => {
  await service?.kill();
  await rm(dir, { recursive: true, force: true });
});

describe('reframe train --cloud', () => {
  it('trains on the service with a local folder uploaded once, and writes the package it made', { timeout: 180_000 }, async () => {
    const url = service!.url;
    const out = join(dir, 'tiny.rfpk');
    const args = ['train', 'tiny', '--data', join(dir, 'fashion-small'), '--epochs', '1', '--batch', '50', '--cloud', url, '--out', out];
    const first = await reframeWithEnv({ REFRAME_CLOUD_TOKEN: token }, ...args);
    expect(first.code, first.stderr).toBe(0);
    const name = /as dataset (fashion-small-[0-9a-f]{12})/.exec(first.stderr)?.[1];
    expect(name, first.stderr).toBeDefined();
    expect(first.stderr).toMatch(/job job_\w+ submitted to http:\/\/127\.0\.0\.1:\d+/);
    expect(first.stderr).toMatch(new RegExp(`training tiny on IDX files in .*fashion-small with tfjs-(wasm|node) on ${url.replace(/[.:/]/g, '\\$&')}: 300 images, 6 steps per epoch, evaluated on 100 test images`));
    expect(first.stderr).toMatch(/epoch 1: train loss \d\.\d{4} acc/);
    expect(first.stdout).toMatch(/^tiny: \d+\.\d\d% accuracy on 100 images .* after 1 epoch\(s\) .* on the service, tfjs-(wasm|node)\); job job_\w+\n/);
    const sha = /sha256 ([0-9a-f]{64})/.exec(first.stdout)?.[1];
    const bytes = new Uint8Array(await readFile(out));
    expect(decodePackage(bytes).graph.name).toBe('tiny');
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha);

    // The same folder again: the same content name, and the same seeded run gives the same package.
    const again = await reframeWithEnv({ REFRAME_CLOUD_TOKEN: token }, ...args.slice(0, -1), join(dir, 'again.rfpk'));
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`as dataset ${name}`);
    expect(await readFile(join(dir, 'again.rfpk'))).toEqual(await readFile(out));
  });

  it('says what is wrong before anything is sent', { timeout: 60_000 }, async () => {
    const url = service!.url;
    const [noToken, badToken, local, file] = await Promise.all([
      reframeWithEnv({ REFRAME_CLOUD_TOKEN: '' }, 'train', 'tiny', '--data', 'demo', '--cloud', url, '--out', join(dir, 'x.rfpk')),
      reframe('train', 'tiny', '--data', 'demo', '--cloud', url, '--token', 'rf_wrong', '--out', join(dir, 'x.rfpk')),
      reframe('train', 'tiny', '--data', 'demo', '--cloud', url, '--token', token, '--checkpoint', join(dir, 'ck'), '--out', join(dir, 'x.rfpk')),
      reframe('train', 'tiny', '--data', join(dir, 'fashion-small', 'train-images-idx3-ubyte'), '--cloud', url, '--token', token, '--out', join(dir, 'x.rfpk')),
    ]);
    expect([noToken.code, noToken.stderr]).toEqual([2, expect.stringContaining('--cloud needs a token: --token <token> or REFRAME_CLOUD_TOKEN')]);
    expect([badToken.code, badToken.stderr]).toEqual([1, expect.stringContaining('the service refused the token')]);
    expect([local.code, local.stderr]).toEqual([2, expect.stringContaining('--checkpoint is for local training')]);
    expect([file.code, file.stderr]).toEqual([2, expect.stringContaining('with --cloud give the folder holding the data files, not a file')]);
  });

  it('cancels the job on the service on Ctrl-C', { timeout: 120_000 }, async () => {
    const url = service!.url;
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'reframe.mjs'), 'train', 'tiny', '--data', 'demo', '--epochs', '20', '--batch', '16', '--cloud', url, '--out', join(dir, 'never.rfpk')], { cwd: ROOT, env: { ...process.env, REFRAME_CLOUD_TOKEN: token } });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    while (!/training tiny on/.test(stderr)) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const jobId = /job (job_\w+) submitted/.exec(stderr)?.[1];
    child.kill('SIGINT');
    expect(await exited).toBe(1);
    expect(stderr).toContain(`job ${jobId} was cancelled`);
    const job = (await (await fetch(`${url}/jobs/${jobId}`, { headers: { authorization: `Bearer ${token}` } })).json()) as { state: string };
    expect(job.state).toBe('cancelled');
  });
});
