import { access, readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { probeNativeEngine } from './app-service.js';
import { scratchServices } from './studio-services.fixture.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

describe('app info', () => {
  it('names the shell, the workspace, the version and the engine auto would train with', async () => {
    let probes = 0;
    const s = await scratchServices({ shell: 'electron', probeEngine: () => (probes++, Promise.resolve(true)) });
    cleanup.push(s.remove);
    // Probed when the studio starts, before anyone asks: the first answer need not wait for it.
    expect(probes).toBe(1);
    const info = await s.services.appInfo();
    const { version } = JSON.parse(await readFile(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(info).toEqual({ name: 'ReFrame Studio', version, shell: 'electron', workspace: s.services.workspace, trainingEngine: 'tfjs-node', nativeEngineAvailable: true, platform: process.platform });
    await s.services.appInfo();
    expect(probes).toBe(1);
  });

  it('probes the native engine in a worker thread, as training would load it', { timeout: 60_000 }, async () => {
    const installed = await access(new URL('../../node_modules/@tensorflow/tfjs-node/package.json', import.meta.url)).then(() => true, () => false);
    const loaded = await probeNativeEngine();
    // Not installed means it cannot load; installed here may still fail to load its native library.
    if (!installed) expect(loaded).toBe(false);
    else expect(typeof loaded).toBe('boolean');
  });
});
