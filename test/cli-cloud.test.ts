import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudProcess, type CloudProcess } from './support/cloud-process.js';
import { reframe } from './support/reframe-cli.js';

let dir = '';
let service: CloudProcess | undefined;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-cloud-cli-'));
});
afterAll(async () => {
  await service?.kill();
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string, token: string) => fetch(`${url}/jobs`, { headers: { authorization: `Bearer ${token}` } });

describe('reframe cloud serve and reframe cloud token', () => {
  it('says how to make the first token, and manages tokens beside the running service', { timeout: 120_000 }, async () => {
    const data = join(dir, 'data');
    service = await startCloudProcess(['--data', data]);
    expect(service.log()).toMatch(/^reframe cloud service listening on http:\/\/127\.0\.0\.1:\d+ \(SQLite queue, 1 in-process worker; data in /);
    expect(service.log()).toContain(`no tokens yet: create one with \`reframe cloud token create <name> --data ${data}\``);
    const health = await fetch(`${service.url}/health`);
    expect(await health.json()).toEqual({ status: 'ok', mode: 'sqlite', version: '1' });

    const [alice, unknown] = await Promise.all([reframe('cloud', 'token', 'create', 'alice', '--data', data), reframe('cloud', 'token', 'revoke', 'tok_000000000000', '--data', data)]);
    expect(alice.code, alice.stderr).toBe(0);
    expect([unknown.code, unknown.stderr]).toEqual([1, expect.stringContaining('no token tok_000000000000')]);
    const token = alice.stdout.split('\n').find((l) => l.startsWith('rf_'))!;
    expect(token).toMatch(/^rf_[A-Za-z0-9_-]{43}$/);
    // The running service sees a token made by another process at once.
    expect((await get(service.url, token)).status).toBe(200);

    const list = await reframe('cloud', 'token', 'list', '--json', '--data', data);
    const tokens = JSON.parse(list.stdout) as { id: string; name: string; revokedAt?: string }[];
    expect(tokens.map((t) => t.name)).toEqual(['alice']);
    expect(list.stdout).not.toContain('rf_');
    const revoked = await reframe('cloud', 'token', 'revoke', tokens[0]!.id, '--data', data);
    expect([revoked.code, revoked.stdout]).toEqual([0, `revoked ${tokens[0]!.id}: requests with it now get 401\n`]);
    expect((await get(service.url, token)).status).toBe(401);
    expect(await service.stop()).toBe(0);
  });

  it('refuses bad options with a usage error', { timeout: 60_000 }, async () => {
    const [port, workers] = await Promise.all([reframe('cloud', 'serve', '--port', '70000', '--data', join(dir, 'x')), reframe('cloud', 'serve', '--workers', '0', '--data', join(dir, 'x'))]);
    expect([port.code, port.stderr]).toEqual([2, expect.stringContaining('--port must be a whole number from 0 to 65535, got "70000"')]);
    expect([workers.code, workers.stderr]).toEqual([2, expect.stringContaining('--workers must be a whole number from 1 to 64')]);
  });
});
