import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import type { BenchFigure } from './bench-result.js';
import { describeMachine, type MachineInfo } from './machine.js';
import { markdownReport } from './report.js';
import { budgetBench } from './suites/budget-bench.js';
import { cloudBench } from './suites/cloud-bench.js';
import { packageBench } from './suites/package-bench.js';
import { pushBench } from './suites/push-bench.js';
import { seedBench } from './suites/seed-bench.js';
import { studioBench } from './suites/studio-bench.js';
import { trainingBench } from './suites/training-bench.js';
import { fashionAccuracyBench } from './suites/fashion-accuracy-bench.js';
import { firmwareBench } from './suites/firmware-bench.js';
import { firmwareQemuBench } from './suites/firmware-qemu-bench.js';

/** Every suite by the name its figures carry, in the order they are printed. New issues add theirs here. */
const SUITES: readonly { readonly name: string; readonly run: () => Promise<BenchFigure[]> }[] = [
  { name: 'budget', run: budgetBench },
  { name: 'seed', run: seedBench },
  { name: 'firmware', run: firmwareBench },
  { name: 'firmware-qemu', run: firmwareQemuBench },
  { name: 'package', run: packageBench },
  { name: 'training', run: trainingBench },
  { name: 'fashion', run: fashionAccuracyBench },
  { name: 'push', run: pushBench },
  { name: 'cloud', run: cloudBench },
  { name: 'studio', run: studioBench },
];

interface Results {
  readonly when: string;
  readonly machine: MachineInfo;
  /** When each suite's figures were measured: a run of some suites keeps the others' figures. */
  readonly measured?: Readonly<Record<string, string>>;
  readonly figures: readonly BenchFigure[];
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await writeFile(`${file}.tmp`, text);
  await rename(`${file}.tmp`, file);
}

/** BENCH_SUITES=push,seed runs only those suites; unset or empty, all of them. */
function chosenSuites(): typeof SUITES {
  const wanted = (process.env['BENCH_SUITES'] ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (wanted.length === 0) return SUITES;
  const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
  if (unknown.length > 0) throw new Error(`BENCH_SUITES names unknown suites: ${unknown.join(', ')}; the suites are ${SUITES.map((s) => s.name).join(', ')}`);
  return SUITES.filter((s) => wanted.includes(s.name));
}

async function previousResults(file: string): Promise<Results | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Results;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  // Compiled to dist/bench/run.js; results go to the source bench/ folder.
  const outDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench');
  await mkdir(outDir, { recursive: true });
  const jsonFile = path.join(outDir, 'results.json');
  const chosen = chosenSuites();
  const fresh = new Map<string, BenchFigure[]>();
  for (const suite of chosen) fresh.set(suite.name, await suite.run());
  const machine = describeMachine();
  const when = new Date().toISOString();

  // A partial run keeps the other suites' figures when they were measured on this same machine.
  const before = chosen.length < SUITES.length ? await previousResults(jsonFile) : undefined;
  const keep = before !== undefined && isDeepStrictEqual(before.machine, machine) ? before : undefined;
  const figures: BenchFigure[] = [];
  const measured: Record<string, string> = {};
  for (const { name } of SUITES) {
    const mine = fresh.get(name);
    const got = mine ?? keep?.figures.filter((f) => f.suite === name) ?? [];
    if (got.length === 0) continue;
    figures.push(...got);
    measured[name] = mine !== undefined ? when : (keep?.measured?.[name] ?? keep?.when ?? when);
  }
  await writeAtomically(jsonFile, `${JSON.stringify({ when, machine, measured, figures } satisfies Results, null, 2)}\n`);
  const kept = new Map<string, string[]>();
  for (const [name, w] of Object.entries(measured)) if (w !== when) kept.set(w, [...(kept.get(w) ?? []), name]);
  const earlier = [...kept].map(([w, names]) => `${names.join(', ')} as measured ${w}`);
  const stamp = earlier.length === 0 ? when : `${when} (${[...fresh.keys()].join(', ')}; ${earlier.join('; ')})`;
  const table = markdownReport(figures, machine, stamp);
  await writeAtomically(path.join(outDir, 'results.md'), table);
  process.stdout.write(table);
}

await main();
