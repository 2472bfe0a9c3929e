import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCloudService } from '../cloud/server/cloud-service.js';
import { decodePackage } from '../core/package/decode-package.js';
import { RENDERER_OUT_DIR } from '../main/shell/renderer-app.js';
import { startAgent } from './support/agent-process.js';
import { ptyLink } from './support/pty-link.js';
import { writeSmallDemo } from './support/small-dataset.js';
import { browserShellTarget, electronTarget, type OpenStudio, type StudioTarget } from './support/studio-targets.js';

// The studio end to end in its real windows: the renderer bundle built from the sources now, StudioApi
// over the browser shell's WebSocket (per-launch token) in Debian's Chromium, or over the preload's IPC
// in Electron, and the real services behind both. The same scenarios run against each window; Electron
// only where its binary is installed (the one allowed skip, with its reason printed).

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const APP = path.join(ROOT, RENDERER_OUT_DIR);
const ARTIFACTS = path.join(ROOT, 'test-artifacts');
const BAD_SPEC = path.join(ROOT, 'test/spec-corpus/bad/groups-in-channels.json');

for (const t of [browserShellTarget, electronTarget]) {
  if (t.skipReason !== undefined) console.warn(`studio e2e: ${t.skipReason}: skipping the studio e2e suite's run in ${t.title} (${t.skipDetail ?? 'no detail'})`);
}

beforeAll(async () => {
  // The bundle under test is the one built from the sources now, not whatever dist/ holds, and the one
  // `npm start` serves next: production Svelte, although the test runner's NODE_ENV says `test`.
  const nodeEnv = process.env['NODE_ENV'];
  process.env['NODE_ENV'] = 'production';
  try {
    await build({ configFile: path.join(ROOT, 'renderer/vite.config.ts'), mode: 'production', logLevel: 'error' });
  } finally {
    if (nodeEnv === undefined) delete process.env['NODE_ENV'];
    else process.env['NODE_ENV'] = nodeEnv;
  }
  await mkdir(ARTIFACTS, { recursive: true });
}, 60_000);

for (const target of [browserShellTarget, electronTarget]) {
  describe.skipIf(target.skipReason !== undefined)(`the studio in ${target.title}${target.skipReason === undefined ? '' : ` (skipped: ${target.skipReason})`}`, () => {
    studioScenarios(target);
  });
}

/** Seconds on a quiet machine; room for a two-core one that is also training or testing something else. */
const QUICK = { timeout: 30_000 };

function studioScenarios(target: StudioTarget): void {
  let workspace: string;
  let studio: OpenStudio;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    workspace = await mkdtemp(path.join(tmpdir(), 'studio-e2e-'));
    studio = await target.open(workspace, APP);
    page = studio.page;
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  }, 60_000);

  afterAll(async () => {
    await studio?.close();
    if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
  });

  const view = (name: string) => page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name, exact: true });
  const cell = (metric: string) => page.locator(`tr[data-metric="${metric}"] td.value`);
  const chartImage = (label: string) => page.locator(`canvas[aria-label="${label}"]`).evaluate((c: HTMLCanvasElement) => c.toDataURL());
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${target.shotPrefix}-${name}.png`), fullPage: true });

  it('recomputes the budget numbers and both charts when a layer changes mode, and Ctrl-Z undoes it', QUICK, async () => {
    await view('Budget').click();
    await expect.poll(() => cell('learnableParams').textContent()).toBe('1.11 M');
    expect(await cell('seededParams').textContent()).toBe('30.5 K');
    expect(await cell('macs').textContent()).toBe('57.84 M');
    const paramsBefore = await chartImage('parameters per layer by mode');
    const macsBefore = await chartImage('MACs per layer');
    await shot('budget');

    await view('Designer').click();
    const designerBudget = page.getByTestId('designer-budget');
    expect(await designerBudget.textContent()).toMatch(/^1\.11 M learnable · 30\.5 K seeded · 57\.84 M MACs · package /);
    // The last NL module of ResNet-18 back to a plain learnable 3x3 conv (512 → 512 at 4x4).
    await page.getByLabel('mode of layer4.1.nl2', { exact: true }).selectOption('learnable');
    await page.locator('[data-layer="layer4.1.conv2"]').waitFor();
    // The designer's own budget line follows the toggle at once.
    expect(await designerBudget.textContent()).toMatch(/^3\.27 M learnable · 25\.9 K seeded · 92\.37 M MACs · package /);
    await shot('designer');

    await view('Budget').click();
    // + 3x3x512x512 conv weights − the module's pointwise conv (512x384 + 512 bias) and its seeds.
    await expect.poll(() => cell('learnableParams').textContent()).toBe('3.27 M');
    expect(await cell('seededParams').textContent()).toBe('25.9 K');
    expect(await cell('macs').textContent()).toBe('92.37 M');
    expect(await page.locator('tr[data-metric="macs"] td.change').textContent()).toBe('−83.4%');
    expect(await chartImage('parameters per layer by mode')).not.toBe(paramsBefore);
    expect(await chartImage('MACs per layer')).not.toBe(macsBefore);

    await page.keyboard.press('Control+z');
    await expect.poll(() => cell('learnableParams').textContent()).toBe('1.11 M');
    expect(await chartImage('MACs per layer')).toBe(macsBefore);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => cell('macs').textContent()).toBe('92.37 M');
  });

  it('opens a malformed spec file and shows its path-precise error beside the layer it names', QUICK, async () => {
    await view('Designer').click();
    await page.getByLabel('spec file to open').fill(BAD_SPEC);
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    const issue = page.locator('[data-layer="1:conv"] [data-issue-path="nodes[1].groups"]');
    await issue.waitFor();
    expect(await issue.textContent()).toBe('nodes[1].groups: 3 does not divide in_channels 64 (line 8, column 98)');
    expect(await page.getByTestId('design-status').textContent()).toContain('1 problem');
    await shot('designer-bad-spec');

    await view('Budget').click();
    await page.getByText('has a problem; fix it in the Designer').waitFor();
  });

  it('reaches the studio from every other view', QUICK, async () => {
    await view('Training').click();
    await expect.poll(() => page.getByTestId('training-engine').textContent({ timeout: 5000 })).toContain('tfjs-wasm');
    await view('Boards').click();
    await page.getByRole('heading', { name: 'Remembered' }).waitFor();
    await view('Packages').click();
    await page.getByText('No packages yet').waitFor();
    expect(pageErrors).toEqual([]);
  });

  it('trains the tiny preset on demo data with a live curve and ends with a package', { timeout: 180_000 }, async () => {
    await view('Training').click();
    await page.getByLabel('model to train').selectOption('tiny');
    await page.getByLabel('epochs').fill('1');
    await page.getByLabel('batch size').fill('50');
    await page.getByRole('button', { name: 'Start training' }).click();
    // Live: the loss chart's pixels change between two frames while the run is still going.
    await page.waitForFunction(
      () => {
        const running = document.querySelector('[data-testid="training-status"]')?.getAttribute('data-status') === 'running';
        const canvas = document.querySelector<HTMLCanvasElement>('canvas[aria-label="training loss"]');
        if (!running || canvas === null) return false;
        const seen = window as unknown as { firstLossImage?: string };
        seen.firstLossImage ??= canvas.toDataURL();
        return canvas.toDataURL() !== seen.firstLossImage;
      },
      undefined,
      { polling: 'raf', timeout: 120_000 },
    );
    await page.locator('[data-testid="training-status"][data-status="done"]').waitFor({ timeout: 150_000 });
    expect(await page.getByTestId('training-engine-used').textContent()).toMatch(/^tfjs-(node|wasm)$/);
    expect(await page.getByRole('table', { name: 'epochs' }).locator('tbody tr').count()).toBe(1);
    expect(await page.getByRole('table', { name: 'confusion matrix' }).locator('tbody tr').count()).toBe(10);
    expect(await page.getByTestId('trained-package').getAttribute('data-path')).toMatch(/tiny-run-[\w-]+\.rfpk$/);
    await shot('training');

    await page.getByRole('button', { name: 'Show in Packages' }).click();
    const row = page.locator('tr.chosen[data-package^="tiny-run-"]');
    await row.waitFor();
    await row.getByRole('button', { name: /^inspect / }).click();
    // The tiny preset seeds its convolutions: the table shows each one's seed, and stores no bytes for it.
    const seeded = page.getByRole('table', { name: 'tensors' }).locator('tr[data-mode="seeded"]').first();
    await seeded.waitFor();
    expect(await seeded.getByTestId('tensor-seed').textContent()).toMatch(/^0x[0-9a-f]{16}$/);
    expect(await seeded.locator('td').nth(4).textContent()).toBe('0 B');
    const current = page.getByRole('table', { name: 'size per dtype' }).locator('tr.current');
    expect(await current.locator('th').textContent()).toBe('fp32 (this file)');
    // Planned from the spec the package carries, the size at its own dtype is the file's.
    expect(await current.locator('td').textContent()).toBe(await page.getByTestId('package-total').textContent());
    await shot('packages');
  });

  it('pushes the trained package to a board agent on a pty: 100%, and the board reports it active', { timeout: 90_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-e2e-board-'));
    const link = await ptyLink(dir);
    const agent = await startAgent(['--serial', link.b, '--store', path.join(dir, 'store'), '--name', 'e2e-board']);
    try {
      // From the run's result, which the Training view still shows: the package comes along.
      await view('Training').click();
      const pkg = (await page.getByTestId('trained-package').getAttribute('data-path'))!;
      const sha256 = createHash('sha256').update(await readFile(pkg)).digest('hex');
      await page.getByRole('button', { name: 'Push to a board…' }).click();
      await page.getByLabel('serial port path').fill(link.a);
      await page.getByRole('button', { name: 'Connect', exact: true }).click();
      await page.getByRole('table', { name: 'board info' }).getByText('reframe-agent').waitFor();
      expect(await page.getByLabel('package to push').inputValue()).toBe(pkg);

      await page.getByRole('button', { name: 'Push', exact: true }).click();
      await page.locator('[data-testid="push-status"][data-status="done"]').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('push-percent').textContent()).toBe('100.0%');
      await page.getByTestId('push-verified').waitFor();
      expect(await page.getByTestId('board-active').getAttribute('data-digest')).toBe(sha256);

      await page.getByLabel('test images').fill('3');
      await page.getByRole('button', { name: 'Run', exact: true }).click();
      await page.getByTestId('agreement').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('agreement').textContent()).toContain('top-1 agreement 100.0%');
      await page.getByRole('button', { name: 'Benchmark the active model' }).click();
      await page.getByRole('table', { name: 'per-layer latency' }).getByRole('columnheader', { name: 'predicted FLOPs' }).waitFor({ timeout: 30_000 });
      await shot('boards');
      expect(pageErrors).toEqual([]);
    } finally {
      await agent.stop();
      await link.unplug();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('adds a cloud training service, trains the tiny preset there on an uploaded folder, and lands its package', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'studio-e2e-cloud-'));
    // The service `reframe cloud serve` runs, here in the test's process, with a token from its store.
    const cloud = await startCloudService({ dataDir: path.join(dir, 'service'), port: 0 });
    try {
      const { token } = cloud.tokens.create('e2e');
      const data = path.join(dir, 'fashion-small');
      await writeSmallDemo(data, 300, 100);
      await view('Training').click();
      await page.getByLabel('where to train').selectOption({ label: 'add a cloud…' });
      await page.getByLabel('cloud URL').fill(cloud.url);
      await page.getByLabel('cloud token').fill('rf_wrong-token');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('alert').filter({ hasText: `the cloud service at ${cloud.url} refused the token` }).waitFor();
      await page.getByLabel('cloud token').fill(token);
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByTestId('cloud-target').waitFor();
      expect(await page.getByLabel('where to train').inputValue()).toBe(cloud.url);

      await page.getByLabel('model to train').selectOption('tiny');
      // The last run's table of epochs is named "epochs" too.
      await page.getByRole('spinbutton', { name: 'epochs' }).fill('1');
      await page.getByLabel('batch size').fill('50');
      await page.getByLabel('a folder (uploaded)').check();
      await page.getByLabel('data path').fill(data);
      await page.getByRole('button', { name: 'Start training' }).click();
      await page.locator('[data-testid="training-status"][data-status="done"]').waitFor({ timeout: 100_000 });
      expect(await page.getByTestId('training-cloud').textContent()).toBe(cloud.url);
      expect(await page.getByTestId('training-engine-used').textContent()).toMatch(/^tfjs-(node|wasm)$/);
      const pkg = (await page.getByTestId('trained-package').getAttribute('data-path'))!;
      expect(decodePackage(new Uint8Array(await readFile(pkg))).graph.name).toBe('tiny');
      expect(await page.getByRole('table', { name: 'runs' }).getByRole('cell', { name: cloud.url, exact: true }).count()).toBe(1);
      await shot('training-cloud');
      expect(pageErrors).toEqual([]);
    } finally {
      await cloud.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
}
