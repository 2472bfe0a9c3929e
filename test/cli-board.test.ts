import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packPreset, retrainedPreset } from '../core/package/package-test-support.fixture.js';
import { toHex } from '../core/package/tensor-digest.js';
import { startAgent, type AgentProcess } from './support/agent-process.js';
import { reframe } from './support/reframe-cli.js';
import { fileDigest } from '../devices/protocol/file-digest.js';

// `reframe push | board | devices` in child processes against `reframe agent` on 127.0.0.1.

let dir: string;
let agent: AgentProcess;
let host: string;
const tiny = packPreset('tiny', 'fp32');
let pkgFile: string;

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-board-'));
  // Remembered boards go to this run's own config folder (the child processes inherit it).
  process.env['XDG_CONFIG_HOME'] = path.join(dir, 'config');
  process.env['XDG_CACHE_HOME'] = path.join(dir, 'cache');
  pkgFile = path.join(dir, 'tiny.rfpk');
  await writeFile(pkgFile, tiny);
  const port = await freePort();
  host = `127.0.0.1:${port}`;
  // mDNS stays on the loopback interface: the agent announces on the address it listens on.
  agent = await startAgent(['--listen', host, '--store', path.join(dir, 'store'), '--name', 'cli rig']);
}, 30_000);

afterAll(async () => {
  await agent?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('reframe push, board and devices', () => {
  it('pushes with a summary line, then finds the package already active; --json tells the same', async () => {
    const first = await reframe('push', pkgFile, '--host', host);
    expect(first.stderr).not.toMatch(/^reframe:/m);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(new RegExp(`^pushed .*tiny\\.rfpk \\(tiny, sha256 ${toHex(fileDigest(tiny)).slice(0, 16)}…\\) to cli rig over tcp ${host}: full, 10,\\d{3} bytes in \\d+\\.\\d\\d s \\(.+/s\\), resumed from byte 0; now active\\n$`));
    const again = await reframe('push', pkgFile, '--host', host, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ kind: 'already-active', bytesSent: 0, packageBytes: tiny.length, active: toHex(fileDigest(tiny)), board: { name: 'cli rig' } });
  }, 30_000);

  it('board info, infer against the studio engine, bench, and a refused rollback with exit 1', async () => {
    const info = await reframe('board', 'info', '--host', host);
    expect(info.code).toBe(0);
    expect(info.stdout).toMatch(/^cli rig over tcp 127\.0\.0\.1:\d+\n {2}runtime +reframe-agent/);
    expect(info.stdout).toContain(`active          ${toHex(fileDigest(tiny))}`);

    const infer = await reframe('board', 'infer', '--host', host, '--data', 'demo', '--index', '2', '--package', pkgFile, '--json');
    expect(infer.code).toBe(0);
    const r = JSON.parse(infer.stdout) as { logits: number[]; studio: { maxAbsDiff: number; sameClass: boolean; boardRunsIt: boolean } };
    expect(r.logits).toHaveLength(10);
    expect(r.studio.boardRunsIt).toBe(true);
    expect(r.studio.sameClass).toBe(true);
    expect(r.studio.maxAbsDiff).toBeLessThan(1e-4);

    const bench = await reframe('board', 'bench', '--host', host, '--runs', '2');
    expect(bench.code).toBe(0);
    expect(bench.stdout).toMatch(/^cli rig: 2 run\(s\) on tfjs-\w+, [\d.]+ ms per inference\n/);
    expect(bench.stdout).toMatch(/\n +total +[\d.]+ +100%\n/);
    expect(bench.stdout).toMatch(/\bfc +dense\b/);

    const digest = toHex(fileDigest(tiny));
    const activate = await reframe('board', 'activate', digest.slice(0, 12), '--host', host);
    expect(activate.code).toBe(0);
    expect(activate.stdout).toBe(`cli rig activated ${digest.slice(0, 16)}…\n  active    ${digest}\n  previous  none\n`);

    const rollback = await reframe('board', 'rollback', '--host', host);
    expect(rollback.code).toBe(1);
    expect(rollback.stderr).toMatch(/^reframe: board error \(no-previous\): .+; the board holds only one package/);
  }, 30_000);

  it('devices lists the agent found by mDNS on loopback and the remembered board', async () => {
    const r = await reframe('devices', '--json', '--timeout', '1500', '--interface', '127.0.0.1');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout) as { agents: { name: string; host: string; port: number }[]; remembered: { kind: string; address: string; name: string }[] };
    expect(d.agents).toContainEqual(expect.objectContaining({ name: 'cli rig', host: '127.0.0.1', port: Number(host.split(':')[1]) }));
    expect(d.remembered[0]).toMatchObject({ kind: 'tcp', address: host, name: 'cli rig' });
  }, 30_000);

  it('sends a delta on its own when the board runs a package this studio pushed before', async () => {
    const retrainedFile = path.join(dir, 'tiny-2.rfpk');
    await writeFile(retrainedFile, retrainedPreset('tiny', 'fp32', 0.01));
    const second = await reframe('push', retrainedFile, '--host', host, '--json');
    expect(second.code).toBe(0);
    const r = JSON.parse(second.stdout) as { kind: string; bytesSent: number; packageBytes: number };
    expect(r.kind).toBe('delta');
    expect(r.bytesSent).toBeLessThan(r.packageBytes);
    // Back to the first package: it is the board's previous one, so nothing is sent.
    expect(JSON.parse((await reframe('push', pkgFile, '--host', host, '--json')).stdout)).toMatchObject({ kind: 'activated-previous', bytesSent: 0 });
  }, 30_000);
});
