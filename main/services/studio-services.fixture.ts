import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { StudioEventName, StudioEvents } from '../contract/studio-api.js';
import { createStudioServices, type StudioServiceOptions, type StudioServices } from './studio-services.js';

/** A scratch folder that the returned function removes. */
export async function scratchDir(prefix: string): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Services on a scratch workspace and config folder, off the network and without probing engines. */
export async function scratchServices(o: Partial<StudioServiceOptions> = {}): Promise<{ services: StudioServices; dir: string; remove: () => Promise<void> }> {
  const scratch = await scratchDir('studio-services-');
  const services = await createStudioServices({
    workspace: path.join(scratch.dir, 'workspace'),
    configDir: path.join(scratch.dir, 'config'),
    shell: 'browser',
    listSerial: () => Promise.resolve([]),
    browse: () => Promise.resolve([]),
    probeEngine: () => Promise.resolve(false),
    ...o,
  });
  return {
    services,
    dir: scratch.dir,
    remove: async () => {
      await services.dispose();
      await scratch.remove();
    },
  };
}

/** Every payload of one event, in order, from now on. */
export function collect<E extends StudioEventName>(services: StudioServices, event: E): StudioEvents[E][] {
  const seen: StudioEvents[E][] = [];
  services.on(event, (p) => seen.push(p));
  return seen;
}

/** Resolves with the first payload of `event` that `match` accepts. */
export function nextEvent<E extends StudioEventName>(services: StudioServices, event: E, match: (p: StudioEvents[E]) => boolean = () => true, timeoutMs = 60_000): Promise<StudioEvents[E]> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      off();
      reject(new Error(`no ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const off = services.on(event, (p) => {
      if (!match(p)) return;
      clearTimeout(timer);
      off();
      resolve(p);
    });
  });
}

