import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scratchDir } from '../services/studio-services.fixture.js';
import { findChromium } from './find-chromium.js';
import { runBrowserShell } from './run-browser-shell.js';

let scratch: Awaited<ReturnType<typeof scratchDir>>;
let savedConfig: string | undefined;
beforeEach(async () => {
  scratch = await scratchDir('run-shell-');
  // Keep the studio's settings (and Chromium's profile) out of the real home.
  savedConfig = process.env['XDG_CONFIG_HOME'];
  process.env['XDG_CONFIG_HOME'] = path.join(scratch.dir, 'config');
});
afterEach(async () => {
  if (savedConfig === undefined) delete process.env['XDG_CONFIG_HOME'];
  else process.env['XDG_CONFIG_HOME'] = savedConfig;
  await scratch.remove();
});

/** A stand-in browser: records its arguments and exits, as a window the user closes at once. */
async function fakeBrowser(dir: string, name: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, `#!/bin/sh\nprintf '%s\\n' "$@" > "${path.join(dir, 'args.txt')}"\n`);
  await chmod(file, 0o755);
  return file;
}

describe('findChromium', () => {
  it('takes the first Chromium or Chrome on PATH, Chromium before Chrome', async () => {
    const a = path.join(scratch.dir, 'a');
    const b = path.join(scratch.dir, 'b');
    await fakeBrowser(a, 'google-chrome');
    const chromium = await fakeBrowser(b, 'chromium');
    expect(await findChromium({ PATH: [a, b].join(path.delimiter) })).toBe(chromium);
    expect(await findChromium({ PATH: a })).toBe(path.join(a, 'google-chrome'));
    await writeFile(path.join(scratch.dir, 'chromium'), 'not executable');
    const none = await findChromium({ PATH: scratch.dir });
    expect(none === undefined || none === '/usr/bin/chromium').toBe(true);
  });
});

describe('runBrowserShell', () => {
  it('opens Chromium in app mode on its own profile, and stops when the window closes', async () => {
    const browser = await fakeBrowser(path.join(scratch.dir, 'bin'), 'chromium');
    const lines: string[] = [];
    const running = await runBrowserShell({ workspace: path.join(scratch.dir, 'ws'), open: true, chromium: browser, log: (l) => lines.push(l) });
    await running.stopped;
    const args = (await readFile(path.join(scratch.dir, 'bin', 'args.txt'), 'utf8')).trim().split('\n');
    expect(args).toContain(`--app=${running.url}`);
    expect(args).toContain(`--user-data-dir=${path.join(scratch.dir, 'config', 'reframe', 'chromium-profile')}`);
    expect(lines[0]).toBe(`ReFrame Studio (browser shell) at ${running.url}`);
    expect(lines).toContain('the window closed: stopping the studio');
    await expect(fetch(running.url)).rejects.toThrow();
  });

  it('with --no-open prints the address and serves until stopped', async () => {
    const lines: string[] = [];
    const running = await runBrowserShell({ workspace: path.join(scratch.dir, 'ws'), open: false, log: (l) => lines.push(l) });
    expect((await fetch(running.url)).status).toBe(200);
    expect(lines.some((l) => l.includes(running.url))).toBe(true);
    await running.stop();
    await running.stopped;
    await expect(fetch(running.url)).rejects.toThrow();
  });
});
