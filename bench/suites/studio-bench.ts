import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Page } from 'playwright-core';
import type { BenchFigure } from '../bench-result.js';
import { SCENARIOS, type ScenarioName } from '../support/designer-toggles.js';
import { buildRendererBundle, coldStart, timeTogglesInPage, type ColdStart, type PageToggles } from '../support/studio-shell.js';

const GOAL_MS = { op: '<=', value: 5 } as const;
const COLD_STARTS = 3;
const NODE_TOGGLES = { count: 400, warmup: 100 };
const PAGE_TOGGLES = { count: 100, warmup: 20 };

function say(text: string): void {
  process.stderr.write(`studio bench: ${text}\n`);
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));
/** Other work on the machine (a training run, other tests) stretches wall-clock figures: each says how busy it was. */
const load = (): number => round(os.loadavg()[0] ?? Number.NaN, 2);
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** The median as the figure (a shared 2-core machine preempts now and then), with mean and tail beside it. */
function stats(samples: readonly number[]): { median: number; detail: Record<string, number> } {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return { median: quantile(sorted, 0.5), detail: { mean: round(mean), p90: round(quantile(sorted, 0.9)), p99: round(quantile(sorted, 0.99)), max: round(sorted.at(-1) ?? Number.NaN), samples: sorted.length } };
}

function toggleWorker(scenario: ScenarioName): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('../support/designer-toggle-worker.js', import.meta.url), { workerData: { scenario, ...NODE_TOGGLES } });
    worker.once('message', (samples: number[]) => resolve(samples));
    worker.once('error', reject);
    worker.once('exit', (code) => (code === 0 ? undefined : reject(new Error(`the toggle worker for ${scenario} exited with ${code}`))));
  });
}

const NODE_NAMES: Readonly<Record<ScenarioName, string>> = {
  resnet18: 'budget recompute per designer toggle (node), resnet18-cifar layer4.1.conv2 learnable ↔ seeded, median',
  reframe: 'budget recompute per designer toggle (node), reframe-resnet18-cifar layer4.1.nl2.pw learnable ↔ seeded, median',
  nlSwap: 'budget recompute per designer toggle (node), resnet18-cifar layer4.1.conv2 ↔ NL module (structure changes: full check), median',
};

/**
 * The studio's renderer: the designer's toggle-to-budget path as plain logic in Node (the same functions
 * and memos DesignState and BudgetState call, zod jitless as in the page), the same toggle in a real
 * Chromium on the browser shell, and the shell's cold start to an interactive designer.
 */
export async function studioBench(): Promise<BenchFigure[]> {
  const figures: BenchFigure[] = [];
  for (const name of Object.keys(SCENARIOS) as ScenarioName[]) {
    const s = stats(await toggleWorker(name));
    say(`${name}: median ${s.median.toFixed(3)} ms per toggle in Node`);
    figures.push({
      suite: 'studio',
      name: NODE_NAMES[name],
      value: round(s.median),
      unit: 'ms',
      ...(name === 'nlSwap' ? {} : { goal: GOAL_MS }),
      engine: `node ${process.version} (renderer state logic: DesignerSession, zod jitless)`,
      detail: { ...s.detail, loadAverage1m: load() },
    });
  }

  const starts: ColdStart[] = [];
  let toggles: { readonly resnet18: PageToggles; readonly reframe: PageToggles } | undefined;
  // In the page the row's switch takes the mode kinds; both scenarios toggle learnable ↔ seeded.
  const inPage = async (page: Page) => {
    const { resnet18, reframe } = SCENARIOS;
    return {
      resnet18: await timeTogglesInPage(page, resnet18.preset, resnet18.a[0], ['seeded', 'learnable'], PAGE_TOGGLES.count, PAGE_TOGGLES.warmup),
      reframe: await timeTogglesInPage(page, reframe.preset, reframe.a[0], ['seeded', 'learnable'], PAGE_TOGGLES.count, PAGE_TOGGLES.warmup),
    };
  };
  say('building the renderer bundle, then one untimed start to warm the file cache');
  await buildRendererBundle();
  await coldStart();
  for (let i = 0; i < COLD_STARTS; i++) {
    const run = await coldStart(i === COLD_STARTS - 1 ? inPage : undefined);
    say(`cold start ${i + 1}: shell ready ${run.shellReadyMs.toFixed(0)} ms, designer interactive ${run.interactiveMs.toFixed(0)} ms, studio connected ${run.connectedMs.toFixed(0)} ms`);
    starts.push(run);
    if (run.used !== undefined) toggles = run.used;
  }
  const chromium = starts[0]?.chromium ?? 'chromium';
  const cold = stats(starts.map((s) => s.interactiveMs));
  const ready = stats(starts.map((s) => s.shellReadyMs));
  const connected = stats(starts.map((s) => s.connectedMs));
  figures.push({
    suite: 'studio',
    name: `cold start of the browser shell to an interactive designer (chromium: spawn to the first layer switch enabled), median of ${COLD_STARTS}`,
    value: round(cold.median, 0),
    unit: 'ms',
    engine: `${chromium} headless, fresh profile; node ${process.version} scripts/start.mjs --no-open`,
    detail: { ...cold.detail, shellReadyMedianMs: round(ready.median, 0), loadAverage1m: load() },
  });
  figures.push({
    suite: 'studio',
    name: `cold start of the browser shell to the studio's first answer (chromium: header shows the shell; waits for the training-engine probe), median of ${COLD_STARTS}`,
    value: round(connected.median, 0),
    unit: 'ms',
    engine: `${chromium} headless, fresh profile; node ${process.version} scripts/start.mjs --no-open`,
    detail: { ...connected.detail, loadAverage1m: load() },
  });
  if (toggles !== undefined) {
    for (const name of ['resnet18', 'reframe'] as const) {
      const t = toggles[name];
      const s = stats(t.samples);
      const { preset, a } = SCENARIOS[name];
      say(`chromium ${name}: median ${s.median.toFixed(2)} ms per toggle, main-thread CPU ${t.threadMsPerToggle.toFixed(2)} ms per toggle`);
      figures.push({
        suite: 'studio',
        name: `budget recompute per designer toggle (chromium), ${preset} ${a[0]} learnable ↔ seeded, change event to updated budget line and layout, median`,
        value: round(s.median),
        unit: 'ms',
        ...(name === 'resnet18' ? { goal: GOAL_MS } : {}),
        engine: `${chromium} headless, renderer bundle over the browser shell`,
        detail: { ...s.detail, mainThreadCpuMsPerToggle: round(t.threadMsPerToggle), loadAverage1m: load() },
      });
    }
  }
  return figures;
}
