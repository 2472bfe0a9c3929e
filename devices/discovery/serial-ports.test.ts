import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ptyLink } from '../../test/support/pty-link.js';
import { TransportError } from '../transport/transport.js';
import { listSerialPorts } from './serial-ports.js';

describe('listSerialPorts', () => {
  it('lists the ports udev knows, sorted, and never the ptys socat makes', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'reframe-list-'));
    const pair = await ptyLink(dir);
    try {
      const ports = await listSerialPorts();
      const paths = ports.map((p) => p.path);
      expect(paths).toEqual([...paths].sort());
      for (const p of ports) expect(p.path).toMatch(/^\/dev\//);
      expect(paths).not.toContain(pair.a);
      expect(paths).not.toContain(pair.b);
    } finally {
      await pair.unplug();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('says udevadm is missing, and how to install it, when it is not on the PATH', async () => {
    const saved = process.env['PATH'];
    process.env['PATH'] = '/nonexistent-for-this-test';
    try {
      const error = await listSerialPorts().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as TransportError).message).toMatch(/udevadm is missing/);
      expect((error as TransportError).hint).toMatch(/apt-get install udev/);
    } finally {
      process.env['PATH'] = saved;
    }
  });
});
