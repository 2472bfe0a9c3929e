import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchFigure } from '../bench-result.js';

// Compiled to dist/bench/suites/; the firmware sources stay in the source tree.
const FIRMWARE = fileURLToPath(new URL('../../../devices/firmware/', import.meta.url));

function run(command: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: FIRMWARE, encoding: 'utf8' }, (error, stdout, stderr) => {
      if (error !== null) reject(new Error(`${command} ${args.join(' ')} failed: ${stderr || error.message}`));
      else resolve(stdout);
    });
  });
}

interface RegenBench {
  readonly dist: string;
  readonly elements: number;
  readonly runs: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly weightsPerSecond: number;
  readonly cpuWeightsPerSecond: number;
}

/**
 * The C runtime's regeneration speed on the host build (devices/firmware, gcc -O2): the same 1 M-element
 * tensor per distribution as the seed suite's TypeScript figures, so the two compare directly. The
 * value is wall-clock weights/s; the CPU-time rate is in the detail, for machines shared with other work.
 */
export async function firmwareBench(): Promise<BenchFigure[]> {
  await run('make', ['-C', FIRMWARE, '-j2', 'all']);
  const compiler = (await run(process.env['CC'] ?? 'cc', ['--version'])).split('\n')[0] ?? 'cc';
  const out = await run(join(FIRMWARE, 'build', 'host', 'reframe-fw-regen'), ['--bench', '--seconds', '2']);
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as RegenBench)
    .map((r) => ({
      suite: 'firmware',
      name: `C host build: regenerate ${r.dist}, 1 M-element tensor`,
      value: r.weightsPerSecond,
      unit: 'weights/s',
      engine: `${compiler} -O2 -ffp-contract=off`,
      detail: { elements: r.elements, runs: r.runs, seconds: r.seconds, cpuSeconds: r.cpuSeconds, cpuWeightsPerSecond: Math.round(r.cpuWeightsPerSecond) },
    }));
}
