import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { _electron, chromium, type Page } from 'playwright-core';
import { createStudioServices } from '../../main/services/studio-services.js';
import { startBrowserShell } from '../../main/shell/browser-shell.js';
import { ROOT } from './reframe-cli.js';

// The two windows the studio runs in, for the end-to-end suite: the browser shell in Debian's Chromium,
// and the Electron window through Playwright's Electron launcher when Electron's binary is installed.

/** One studio, running, with the page of its window. */
export interface OpenStudio {
  readonly page: Page;
  close(): Promise<void>;
}

export interface StudioTarget {
  /** e.g. `the browser shell in Chromium`. */
  readonly title: string;
  /** Prefix of this target's screenshot files in test-artifacts/. */
  readonly shotPrefix: string;
  /** What the header says once the studio answered (App.svelte). */
  readonly shellLabel: string;
  /** Why this target cannot run here, in a few words and then in full; undefined when it can. */
  readonly skipReason: string | undefined;
  readonly skipDetail?: string;
  /** Starts the studio on `workspace` with the renderer bundle in `appDir`; its window shows the studio's answer. */
  open(workspace: string, appDir: string): Promise<OpenStudio>;
}

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function connected(page: Page, label: string): Promise<void> {
  await page.getByTestId('connection').filter({ hasText: label }).waitFor({ timeout: 60_000 });
}

export const browserShellTarget: StudioTarget = {
  title: 'the browser shell in Chromium',
  shotPrefix: 'studio',
  shellLabel: 'browser shell',
  skipReason: undefined,
  async open(workspace, appDir) {
    const services = await createStudioServices({ workspace, shell: 'browser', configDir: path.join(workspace, '.config'), probeEngine: async () => false });
    const shell = await startBrowserShell({ services, appDir });
    // Chromium refuses to run as root with its sandbox on (containers, CI).
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: asRoot ? ['--no-sandbox'] : [] });
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(shell.url);
    await connected(page, this.shellLabel);
    return {
      page,
      async close() {
        await browser.close();
        await shell.close();
        await services.dispose();
      },
    };
  },
};

/** Electron's binary as its package reports it (the package's main export), or why there is none. */
export function electronBinary(): { readonly path: string } | { readonly reason: string; readonly detail: string } {
  let binary: unknown;
  try {
    binary = createRequire(import.meta.url)('electron');
  } catch (error) {
    const detail = (error as Error).message;
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') return { reason: 'Electron binary not installed (the optional electron package is not installed)', detail };
    // The package is there but its postinstall could not download the binary (DESIGN.md §6).
    return { reason: 'Electron binary not installed (optional dependency could not download)', detail: `the electron package says: ${detail}` };
  }
  if (typeof binary !== 'string' || !existsSync(binary)) return { reason: 'Electron binary not installed', detail: `the electron package names ${String(binary)}, which does not exist` };
  return { path: binary };
}

const run = (args: readonly string[]): Promise<void> =>
  new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: ROOT }, (error, _stdout, stderr) => (error === null ? resolve() : reject(new Error(`${args.join(' ')} failed:\n${stderr}`))));
  });

const electron = electronBinary();

export const electronTarget: StudioTarget = {
  title: 'the Electron window',
  shotPrefix: 'studio-electron',
  shellLabel: 'desktop',
  skipReason: 'reason' in electron ? electron.reason : undefined,
  ...('detail' in electron ? { skipDetail: electron.detail } : {}),
  async open(workspace) {
    if (!('path' in electron)) throw new Error(electron.reason);
    // The sandboxed preload as one CommonJS file, built the way `npm start` builds it; main.js loads the
    // renderer bundle from dist/renderer-app, which the suite has just built.
    await run([path.join(ROOT, 'scripts', 'start.mjs'), '--build-only']);
    const app = await _electron.launch({
      executablePath: electron.path,
      args: [path.join(ROOT, 'dist', 'main', 'electron', 'main.js'), `--workspace=${workspace}`],
      cwd: ROOT,
      // Remembered boards and recent files go to the test's own folder, not the user's.
      env: { ...(process.env as Record<string, string>), XDG_CONFIG_HOME: path.join(workspace, '.config') },
    });
    // The window main.ts opens (1400×900); on a machine without a display, run the suite under xvfb-run.
    const page = await app.firstWindow();
    await connected(page, this.shellLabel);
    return {
      page,
      async close() {
        await app.close();
      },
    };
  },
};
