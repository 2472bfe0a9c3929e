import { readFile } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import type { AppInfo, ShellKind, StudioApi, TrainingEngineName } from '../contract/studio-api.js';
import type { StudioContext } from './studio-context.js';

/** Whether the native training engine loads here; false when it is not installed or will not load. */
export type EngineProbe = () => Promise<boolean>;

/** The compiled worker beside this module; under the test runner (which runs .ts sources) the one in dist/. */
function probeEntry(): URL {
  return import.meta.url.endsWith('.ts') ? new URL('../../dist/main/services/engine-probe-worker.js', import.meta.url) : new URL('./engine-probe-worker.js', import.meta.url);
}

/** Loads tfjs-node in a throwaway worker thread, so a native library that hangs or crashes costs nothing here. */
export const probeNativeEngine: EngineProbe = () =>
  new Promise((resolve) => {
    const worker = new Worker(probeEntry());
    const done = (loaded: boolean): void => {
      clearTimeout(timer);
      void worker.terminate();
      resolve(loaded);
    };
    const timer = setTimeout(() => done(false), 30_000);
    worker.once('message', (m: unknown) => done(m === true));
    worker.once('error', () => done(false));
    worker.once('exit', () => done(false));
  });

/** The studio's version: package.json's, found by walking up from this module (src or dist). */
async function studioVersion(): Promise<string> {
  for (let url = new URL('./', import.meta.url); ; ) {
    try {
      const pkg = JSON.parse(await readFile(new URL('package.json', url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'reframe-studio' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      // Not this folder: go up.
    }
    const parent = new URL('../', url);
    if (parent.href === url.href) return 'unknown';
    url = parent;
  }
}

export function createAppService(ctx: StudioContext, o: { readonly shell: ShellKind; readonly probeEngine?: EngineProbe }): Pick<StudioApi, 'appInfo'> {
  // Both answers stay the same for the life of the process: ask once, and at once, so the probe's
  // seconds of loading a native library overlap the window's start instead of delaying its first answer.
  const native = (o.probeEngine ?? probeNativeEngine)();
  const version = studioVersion();
  return {
    async appInfo(): Promise<AppInfo> {
      const nativeEngineAvailable = await native;
      const trainingEngine: TrainingEngineName = nativeEngineAvailable ? 'tfjs-node' : 'tfjs-wasm';
      return { name: 'ReFrame Studio', version: await version, shell: o.shell, workspace: ctx.workspace, trainingEngine, nativeEngineAvailable, platform: process.platform };
    },
  };
}
