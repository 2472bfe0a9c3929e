import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { packPreset } from '../core/package/package-test-support.fixture.js';
import { toHex } from '../core/package/tensor-digest.js';
import { RawStudio } from '../devices/agent/raw-studio.fixture.js';
import { browseAgents } from '../devices/discovery/mdns.js';
import { connectTcp } from '../devices/transport/tcp-transport.js';
import type { Transport } from '../devices/transport/transport.js';
import { reframe, SLOW } from './support/reframe-cli.js';
import { startAgent, type AgentProcess } from './support/agent-process.js';
import { fileDigest } from '../devices/protocol/file-digest.js';

const tiny = packPreset('tiny', 'fp32');
const dirs: string[] = [];
const agents: AgentProcess[] = [];
const links: Transport[] = [];

async function tempDir(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'cli-agent-'));
  dirs.push(d);
  return d;
}

/** Starts `reframe agent --listen 127.0.0.1:0` and returns it with the port from its ready line. */
async function tcpAgent(store: string, ...args: string[]): Promise<{ agent: AgentProcess; port: number; ready: string }> {
  const agent = await startAgent(['--listen', '127.0.0.1:0', '--store', store, '--name', 'test rig', ...args]);
  agents.push(agent);
  const ready = agent.ready;
  const port = Number(/on tcp 127\.0\.0\.1:(\d+) /.exec(ready)?.[1]);
  return { agent, port, ready };
}

async function studioOn(port: number): Promise<RawStudio> {
  const t = await connectTcp('127.0.0.1', port);
  links.push(t);
  return new RawStudio(t);
}

afterEach(async () => {
  for (const l of links.splice(0)) await l.close();
  for (const a of agents.splice(0)) await a.kill();
});
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('reframe agent: command line', () => {
  it('refuses incomplete or contradictory options in one line', SLOW, async () => {
    const store = await tempDir();
    const none = await reframe('agent', '--store', store);
    expect([none.code, none.stderr]).toEqual([2, 'reframe: give exactly one of --serial <path> and --listen <host:port>\n']);
    const unsigned = await reframe('agent', '--listen', '127.0.0.1:0', '--store', store, '--require-signature');
    expect(unsigned.stderr).toContain('--require-signature needs at least one --trust');
    const listen = await reframe('agent', '--listen', 'nowhere', '--store', store);
    expect([listen.code, listen.stderr]).toEqual([2, expect.stringContaining('--listen takes host:port')]);
    const limit = await reframe('agent', '--listen', ':0', '--store', store, '--storage-limit', 'lots');
    expect(limit.stderr).toContain('--storage-limit takes a size in bytes');
    const serial = await reframe('agent', '--serial', path.join(store, 'no-such-tty'), '--store', store);
    expect([serial.code, serial.stderr]).toEqual([1, expect.stringMatching(/^reframe: cannot open serial port .*no-such-tty.*check the path/)]);
  });
});

describe('reframe agent over TCP', () => {
  it('takes a push, refuses a second studio with ERROR busy, stops cleanly and comes back with the package active', SLOW, async () => {
    const store = await tempDir();
    // Listening on loopback, it announces itself there only: no packet leaves the machine.
    const first = await tcpAgent(store, '--name', `rig ${process.pid}`);
    expect(first.ready).toBe(`agent ready on tcp 127.0.0.1:${first.port} (store ${store}, active: none)\n`);
    const studio = await studioOn(first.port);
    expect(await studio.hello()).toMatchObject({ name: `rig ${process.pid}`, version: 1, active: undefined });
    expect(await browseAgents(1500, { interface: '127.0.0.1' })).toContainEqual({ name: `rig ${process.pid}`, host: '127.0.0.1', port: first.port, runtime: expect.stringMatching(/^reframe-agent 0\.1\.0/), version: '1' });
    expect(await studio.push(tiny)).toMatchObject({ type: 'state', active: fileDigest(tiny) });

    const intruder = await studioOn(first.port);
    expect(await intruder.take((m) => m.id === 0 && m.type === 'error')).toMatchObject({ code: 'busy' });

    expect(await first.agent.stop()).toBe(0);
    const log = first.agent.log();
    expect(log).toMatch(/agent: session started on tcp 127\.0\.0\.1:\d+/);
    expect(log).toMatch(/agent: installed [0-9a-f]{16}… \(tiny, fp32, \d+ bytes, unsigned\); previous none/);
    expect(log).toMatch(/agent: refused tcp 127\.0\.0\.1:\d+: busy with another link/);
    expect(log).toMatch(/agent: stopped\n$/);

    const second = await tcpAgent(store, '--no-mdns');
    expect(second.ready).toContain(`active: ${toHex(fileDigest(tiny)).slice(0, 16)}…`);
  });

  it('resumes an upload after the agent is killed mid-way (a power cut)', SLOW, async () => {
    const store = await tempDir();
    const first = await tcpAgent(store, '--no-mdns');
    const studio = await studioOn(first.port);
    const digest = fileDigest(tiny);
    await studio.ask({ type: 'begin', id: studio.id(), digest, size: tiny.length, kind: 'full' });
    await studio.ask({ type: 'chunk', id: studio.id(), offset: 0, bytes: tiny.subarray(0, 4096) });
    await studio.ask({ type: 'chunk', id: studio.id(), offset: 4096, bytes: tiny.subarray(4096, 7000) });
    // The link goes quiet for longer than the agent waits before recording the offset; then SIGKILL.
    await new Promise((r) => setTimeout(r, 600));
    await first.agent.kill();

    const second = await tcpAgent(store, '--no-mdns');
    const again = await studioOn(second.port);
    expect((await again.hello()).pending).toEqual({ digest, size: tiny.length, offset: 7000 });
    expect(await again.push(tiny)).toMatchObject({ type: 'state', active: digest });
  });
});
