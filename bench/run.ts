import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFigure } from './bench-result.js';
import { describeMachine } from './machine.js';
import { markdownReport } from './report.js';
import { budgetBench } from './suites/budget-bench.js';
import { packageBench } from './suites/package-bench.js';
import { seedBench } from './suites/seed-bench.js';
import { trainingBench } from './suites/training-bench.js';
import { fashionAccuracyBench } from './suites/fashion-accuracy-bench.js';

/** Every suite, in the order its figures are printed. New issues add theirs here. */
const SUITES: readonly (() => Promise<BenchFigure[]>)[] = [budgetBench, seedBench, packageBench, trainingBench, fashionAccuracyBench];

async function writeAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

async function main(): Promise<void> {
  // Compiled to dist/bench/run.js; results go to the source bench/ folder.
  const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');
  await mkdir(outDir, { recursive: true });
  const figures: BenchFigure[] = [];
  for (const suite of SUITES) figures.push(...(await suite()));
  const machine = describeMachine();
  const when = new Date().toISOString();
  await writeAtomically(path.join(outDir, 'results.json'), `${JSON.stringify({ when, machine, figures }, null, 2)}\n`);
  const table = markdownReport(figures, machine, when);
  await writeAtomically(path.join(outDir, 'results.md'), table);
  process.stdout.write(table);
}

await main();
