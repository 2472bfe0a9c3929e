#!/usr/bin/env node
// Long runs of the seed-package fuzzer (test/support/fuzz/run-fuzz.ts). The engine is TypeScript test
// code, which dist/ does not hold, so this runs it the way CI does, through vitest:
//
//   FUZZ_COUNT=<n> FUZZ_SEED=<seed> npx vitest run test/package-fuzz.test.ts
//
// Usage: node scripts/fuzz-packages.mjs [--count 1000000] [--seed 0x1234abcd] [--index 873211]
//   --count  mutants to run (default 1,000,000; about 0.5 ms each on one core)
//   --seed   32-bit seed, decimal or 0x hex (default: a fresh random one, printed first)
//   --index  replay the one mutant with this index (with the --seed of the failing run)
// The exit code is vitest's: 0 when every mutant was refused with the right check. A failure prints
// the seed and the mutant index it needs to replay.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function fail(message) {
  process.stderr.write(`fuzz-packages: ${message}\n`);
  process.exit(2);
}

function parseArgs(argv) {
  const options = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    if (flag === '--help' || flag === '-h') {
      process.stdout.write('usage: node scripts/fuzz-packages.mjs [--count N] [--seed S] [--index I]\n');
      process.exit(0);
    }
    const name = { '--count': 'count', '--seed': 'seed', '--index': 'index' }[flag];
    if (name === undefined) fail(`unknown argument ${flag}`);
    const value = argv[++i];
    const n = Number(value);
    if (value === undefined || !Number.isSafeInteger(n) || n < 0 || (name === 'seed' && n > 0xffffffff)) fail(`${flag} needs a non-negative integer${name === 'seed' ? ' below 2^32' : ''}`);
    options[name] = n;
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
const count = options.count ?? 1_000_000;
const seed = options.seed ?? randomBytes(4).readUInt32LE(0);
const seedHex = `0x${seed.toString(16).padStart(8, '0')}`;
process.stdout.write(`fuzz-packages: ${options.index === undefined ? `${count.toLocaleString('en-US')} mutants` : `mutant #${options.index}`}, seed ${seedHex}\n`);

const env = { ...process.env, FUZZ_COUNT: String(count), FUZZ_SEED: seedHex };
if (options.index !== undefined) env.FUZZ_INDEX = String(options.index);
const vitest = path.join(root, 'node_modules', 'vitest', 'vitest.mjs');
const result = spawnSync(process.execPath, [vitest, 'run', 'test/package-fuzz.test.ts'], { cwd: root, env, stdio: 'inherit' });
if (result.error !== undefined) fail(`cannot start vitest: ${result.error.message}`);
if (result.status !== 0) process.stderr.write(`fuzz-packages: failed with seed ${seedHex}; rerun with --seed ${seedHex} --count ${count}\n`);
process.exit(result.status ?? 1);
