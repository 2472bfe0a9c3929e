import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyFiles, loadSigner } from '../core/node/package-keys.js';
import { packPreset } from '../core/package/package-test-support.fixture.js';
import { RawStudio } from '../devices/agent/raw-studio.fixture.js';
import { openSerial } from '../devices/transport/serial-transport.js';
import type { Transport } from '../devices/transport/transport.js';
import { ROOT } from './support/reframe-cli.js';
import { ptyLink } from './support/pty-link.js';
import { fileDigest } from '../devices/protocol/file-digest.js';

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** HELLO every 300 ms until INFO, as a studio does while a board boots or a port reopens. */
async function handshake(studio: RawStudio, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const id = studio.id();
    await studio.link.send({ type: 'hello', id, version: 1, maxMessage: 65536 });
    try {
      await studio.take((m) => m.id === id && m.type === 'info', 300);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
  }
}

describe('reframe agent on a serial port (socat pty pair)', () => {
  it('requires signatures, paces its writes to --baud, and serves again after the cable is pulled and put back', { timeout: 40_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'cli-agent-serial-'));
    dirs.push(dir);
    const pty = await ptyLink(dir);
    const keys = await generateKeyFiles(path.join(dir, 'board'));
    const proc = spawn(
      process.execPath,
      [path.join(ROOT, 'bin', 'reframe.mjs'), 'agent', '--serial', pty.b, '--store', path.join(dir, 'store'), '--baud', '9600', '--require-signature', '--trust', keys.publicPath],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    const links: Transport[] = [];
    try {
      while (!stdout.includes('\n')) {
        if (proc.exitCode !== null) throw new Error(stderr);
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(stdout).toBe(`agent ready on serial ${pty.b} (store ${path.join(dir, 'store')}, active: none, signatures required (1 trusted key))\n`);

      links.push(await openSerial(pty.a));
      const studio = new RawStudio(links[0]!);
      await handshake(studio);
      expect((await studio.hello()).capabilities.signatureRequired).toBe(true);
      expect(await studio.push(packPreset('tiny', 'fp32'))).toMatchObject({ type: 'error', code: 'signature' });
      const signed = packPreset('tiny', 'fp32', await loadSigner(keys.privatePath));
      expect(await studio.push(signed)).toMatchObject({ type: 'state', active: fileDigest(signed) });

      // Twelve answers of ~75 bytes each at 9600 baud (960 bytes/s) take about a second on the line;
      // a pty would pass them in a millisecond.
      const start = performance.now();
      const ids = Array.from({ length: 12 }, () => studio.id());
      for (const id of ids) await studio.link.send({ type: 'abort', id });
      for (const id of ids) await studio.take((m) => m.id === id && m.type === 'state');
      expect(performance.now() - start).toBeGreaterThan(700);

      await pty.unplug();
      await links[0]!.close();
      await pty.replug();
      links.push(await openSerial(pty.a));
      const again = new RawStudio(links[1]!);
      await handshake(again);
      expect((await again.hello()).active).toEqual(fileDigest(signed));
      const input = new Float32Array(784).fill(0.5);
      const result = await again.ask({ type: 'infer', id: again.id(), offset: 0, total: input.byteLength, bytes: new Uint8Array(input.buffer) });
      expect(result).toMatchObject({ type: 'result', logits: expect.any(Float32Array) });
    } finally {
      for (const l of links) await l.close();
      proc.kill('SIGTERM');
      await pty.unplug();
    }
    expect(await exited).toBe(0);
    expect(stderr).toMatch(/agent: refused the package [0-9a-f]{16}…: signature: package rejected by the signature check: the package is not signed/);
    expect(stderr).toMatch(/agent: installed [0-9a-f]{16}… \(tiny, fp32, \d+ bytes, signed by key [0-9a-f]{16}…\)/);
    expect(stderr).toMatch(new RegExp(`agent: serial ${pty.b} went away; opening it again until it is back\\n(.*\\n)*.*agent: serial ${pty.b} is back`));
  });
});
