import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
/** The first row of every preset's designer: the stem conv's mode switch. */
export const FIRST_SWITCH = 'select[aria-label="mode of conv1"]';

/**
 * The renderer bundle as `npm start` builds it, from the sources now: production Svelte. (A bundle left
 * by the test runner, whose NODE_ENV is `test`, has Svelte's dev runtime, several times slower.)
 */
export async function buildRendererBundle(): Promise<void> {
  const before = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'renderer', 'vite.config.ts'), mode: 'production', logLevel: 'error' });
  } finally {
    if (before === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = before;
  }
}

/** The studio as `npm start -- --no-open` runs it: scripts/start.mjs in its own process, printing its address. */
export interface ShellProcess {
  readonly url: string;
  /** Milliseconds from the spawn to the address on stdout (services up, server listening). */
  readonly readyMs: number;
  stop(): Promise<void>;
}

export async function spawnShell(workspace: string, t0 = performance.now(), timeoutMs = 60_000): Promise<ShellProcess> {
  const proc = spawn(process.execPath, [path.join(ROOT, 'scripts', 'start.mjs'), '--no-open', '--workspace', workspace], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  let stdout = '';
  let stderr = '';
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const stop = async (): Promise<void> => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const killed = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(killed);
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the studio printed no address within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      proc.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        const line = /^(http:\/\/127\.0\.0\.1:\d+\/\S*)$/m.exec(stdout)?.[1];
        if (line !== undefined) {
          clearTimeout(timer);
          resolve(line);
        }
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`the studio exited (${code}) before printing its address:\n${stderr}`));
      });
    });
    return { url, readyMs: performance.now() - t0, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export function launchChromium(): Promise<Browser> {
  // Chromium refuses to run as root with its sandbox on (containers, CI).
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: root ? ['--no-sandbox'] : [] });
}

/** The designer is interactive: the first layer's mode switch is shown and enabled (the bundle ran and rendered the model). */
export async function waitInteractive(page: Page): Promise<void> {
  await page.waitForFunction(
    (selector) => {
      const s = document.querySelector<HTMLSelectElement>(selector);
      return s !== null && !s.disabled && s.offsetParent !== null;
    },
    FIRST_SWITCH,
    { polling: 'raf', timeout: 30_000 },
  );
}

/** The studio answered over its WebSocket: the header names the shell (appInfo, which waits for the training-engine probe). */
export async function waitConnected(page: Page): Promise<void> {
  await page.getByTestId('connection').filter({ hasText: 'browser shell' }).waitFor({ timeout: 60_000 });
}

export interface ColdStart {
  readonly shellReadyMs: number;
  readonly interactiveMs: number;
  readonly connectedMs: number;
  readonly chromium: string;
}

/**
 * One cold start: spawn the studio, launch a fresh headless Chromium (a new profile) on its address,
 * and wait for an interactive designer, then for the studio's first answer. Then `use` gets the page,
 * before everything is stopped.
 */
export async function coldStart<T>(use?: (page: Page) => Promise<T>): Promise<ColdStart & { readonly used?: T }> {
  const workspace = await mkdtemp(path.join(tmpdir(), 'studio-bench-'));
  let shell: ShellProcess | undefined;
  let browser: Browser | undefined;
  try {
    const t0 = performance.now();
    shell = await spawnShell(workspace, t0);
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(shell.url);
    await waitInteractive(page);
    const interactiveMs = performance.now() - t0;
    await waitConnected(page);
    const connectedMs = performance.now() - t0;
    const used = use === undefined ? undefined : await use(page);
    return { shellReadyMs: shell.readyMs, interactiveMs, connectedMs, chromium: `chromium ${browser.version()}`, ...(used === undefined ? {} : { used }) };
  } finally {
    await browser?.close();
    await shell?.stop();
    await rm(workspace, { recursive: true, force: true });
  }
}

export interface PageToggles {
  /** Milliseconds per toggle, wall clock in the page. */
  readonly samples: readonly number[];
  /** CPU time of the page's main thread per toggle (Chromium's ThreadTime metric): what contention for the cores does not inflate. */
  readonly threadMsPerToggle: number;
}

/** `count` toggles of the row's mode switch between the two modes; each one's milliseconds. */
function togglesInPage(page: Page, key: string, modes: readonly [string, string], count: number): Promise<number[]> {
  return page.evaluate(
    async ({ key, modes, count }) => {
      const select = document.querySelector<HTMLSelectElement>(`select[aria-label="mode of ${key}"]`);
      const line = document.querySelector('[data-testid="designer-budget"]');
      if (select === null || line === null) throw new Error(`no mode switch for ${key} or no budget line in the designer`);
      const changed = (before: string | null) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`the budget line did not change within 5 s of toggling ${key}`)), 5000);
          const observer = new MutationObserver(() => {
            if (line.textContent === before) return;
            observer.disconnect();
            clearTimeout(timer);
            resolve();
          });
          observer.observe(line, { childList: true, characterData: true, subtree: true });
        });
      const samples: number[] = [];
      for (let i = 0; i < count; i++) {
        const done = changed(line.textContent);
        const t0 = performance.now();
        select.value = select.value === modes[0] ? modes[1] : modes[0];
        select.dispatchEvent(new Event('change', { bubbles: true }));
        await done;
        // Style and layout of what changed, as the next frame would need them.
        void document.body.offsetHeight;
        samples.push(performance.now() - t0);
      }
      return samples;
    },
    { key, modes, count },
  );
}

/**
 * Toggles of a layer's mode switch as a user makes them (a `change` event), each timed until the
 * designer's budget line shows the new figures and the page's layout is up to date; `warmup` untimed first.
 */
export async function timeTogglesInPage(page: Page, preset: string, key: string, modes: readonly [string, string], count: number, warmup: number): Promise<PageToggles> {
  await page.getByLabel('preset', { exact: true }).selectOption(preset);
  await page.locator(`select[aria-label="mode of ${key}"]`).waitFor();
  await page.getByTestId('designer-budget').waitFor();
  await togglesInPage(page, key, modes, warmup);
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const threadTime = async () => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'ThreadTime')?.value ?? Number.NaN;
  const before = await threadTime();
  const samples = await togglesInPage(page, key, modes, count);
  const after = await threadTime();
  await cdp.detach();
  return { samples, threadMsPerToggle: ((after - before) * 1000) / count };
}
