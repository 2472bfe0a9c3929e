import { spawn } from 'node:child_process';
import path from 'node:path';
import { boardsFile } from '../cli/board-memory.js';
import { createStudioServices } from '../services/studio-services.js';
import { startBrowserShell } from './browser-shell.js';
import { findChromium } from './find-chromium.js';
import { rendererAppDir } from './renderer-app.js';

export interface RunBrowserShellOptions {
  readonly workspace: string;
  /** Open the address in Chromium's app mode; false only prints it. */
  readonly open: boolean;
  readonly port?: number;
  /** The browser to open; default the first Chromium or Chrome on PATH. */
  readonly chromium?: string;
  /** Where the studio says what it does (stderr for `npm start`). */
  readonly log: (line: string) => void;
}

export interface RunningShell {
  readonly url: string;
  /** Settles when the shell has stopped: its Chromium window closed, or stop() was called. */
  readonly stopped: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The studio without Electron: services and the browser shell on 127.0.0.1, and a Chromium window in
 * app mode on it (its own profile, so a running Chromium does not swallow it). Closing the window
 * stops the studio; with no browser it runs until stopped.
 */
export async function runBrowserShell(o: RunBrowserShellOptions): Promise<RunningShell> {
  const services = await createStudioServices({ workspace: o.workspace, shell: 'browser', watchSerialMs: 3000 });
  const appDir = await rendererAppDir();
  const shell = await startBrowserShell({ services, appDir, ...(o.port === undefined ? {} : { port: o.port }) });
  let stopping: Promise<void> | undefined;
  let resolveStopped: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (resolveStopped = resolve));
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await shell.close();
      await services.dispose();
      resolveStopped();
    })();
    return stopping;
  };

  o.log(`ReFrame Studio (browser shell) at ${shell.url}`);
  o.log(`workspace ${o.workspace}`);
  if (appDir === undefined) o.log('the window is not built yet: run `npm run build:renderer` (npm start does it)');
  if (o.open) {
    const chromium = o.chromium ?? (await findChromium());
    if (chromium === undefined) {
      o.log('no Chromium or Chrome on PATH: open the address above in a browser (Debian: sudo apt-get install chromium)');
    } else {
      const profile = path.join(path.dirname(boardsFile()), 'chromium-profile');
      const args = [`--app=${shell.url}`, `--user-data-dir=${profile}`, '--no-first-run', '--no-default-browser-check'];
      // Chromium refuses to start as root unless its sandbox is off (containers, CI runners).
      if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
      const child = spawn(chromium, args, { stdio: 'ignore' });
      child.once('error', (error) => o.log(`could not start ${chromium} (${error.message}): open the address above in a browser`));
      child.once('exit', () => {
        o.log('the window closed: stopping the studio');
        void stop();
      });
      o.log(`opened ${chromium} in app mode`);
    }
  }
  return { url: shell.url, stopped, stop };
}
