// Fuzzing the package decoder: mutants of valid seed packages (the tiny preset in fp32, fp16 and
// int8, without its spec, signed, and three deltas) must all be refused with a PackageError that names
// the check docs/package-format.md says catches them — never accepted, never a TypeError or RangeError.
// The engine is test/support/fuzz/ (run-fuzz.ts runs it); the outcome table is printed with every run.
//
// Environment:
//   FUZZ_COUNT  mutants to run (default 10,000: a few seconds, sized for CI on two cores)
//   FUZZ_SEED   32-bit seed, decimal or 0x hex (default fixed, so CI runs the same mutants every time)
//   FUZZ_INDEX  run only this mutant index (with the seed of a failing run, to replay one failure)
// Long runs: `node scripts/fuzz-packages.mjs --count 1000000` (a random seed unless --seed is given),
// which is `FUZZ_COUNT=1000000 FUZZ_SEED=… npx vitest run test/package-fuzz.test.ts`.
import { describe, expect, it } from 'vitest';
import { applyDelta, inspectDelta } from '../core/package/delta-package.js';
import { decodePackage } from '../core/package/decode-package.js';
import { SECTION } from '../core/package/package-constants.js';
import { PackageError } from '../core/package/package-error.js';
import { bytesEqual } from '../core/package/tensor-digest.js';
import { verifierFor } from './support/fuzz/fuzz-keys.js';
import { FuzzRandom } from './support/fuzz/fuzz-random.js';
import { buildFuzzFixtures } from './support/fuzz/fuzz-targets.js';
import { MUTATION_KINDS } from './support/fuzz/mutations.js';
import { assemble, reseal } from './support/fuzz/reseal.js';
import { formatFailure, formatFuzzReport, formatSeed, runPackageFuzz, runPackageSweeps } from './support/fuzz/run-fuzz.js';

function envInt(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw.trim());
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name}=${raw} is not a non-negative integer`);
  return value;
}

const COUNT = envInt('FUZZ_COUNT', 10_000);
const SEED = envInt('FUZZ_SEED', 0x5eedf022) >>> 0;
const ONLY = process.env['FUZZ_INDEX'] === undefined ? undefined : envInt('FUZZ_INDEX', 0);
// ~0.5 ms a mutant on a CI core; long runs get time in proportion.
const TIMEOUT = Math.max(120_000, COUNT * 10);

const fixtures = buildFuzzFixtures();

describe('package fuzz fixtures', () => {
  it('start from packages that pass every check, and deltas that rebuild their targets', () => {
    for (const t of fixtures.targets) {
      if (t.kind === 'full') {
        expect(() => decodePackage(t.bytes, t.options), t.name).not.toThrow();
      } else {
        expect(bytesEqual(applyDelta(t.base!, t.bytes, t.options), t.deltaResult!), t.name).toBe(true);
        expect(inspectDelta(t.bytes, t.options).carried, t.name).toBeGreaterThan(0);
      }
    }
    expect(fixtures.targets.map((t) => t.name)).toEqual(['fp32', 'fp16', 'int8', 'fp32 no-spec', 'fp32 signed', 'int8 signed', 'delta fp32', 'delta fp16', 'delta signed']);
  });

  it('re-seal and re-assemble an untouched package to the same bytes (so a resealed mutant differs only where it was mutated)', () => {
    for (const t of fixtures.targets) {
      const signer = t.signed ? fixtures.trusted.signer : undefined;
      expect(bytesEqual(reseal(t.bytes.slice(), { crcs: true, signer }), t.bytes), t.name).toBe(true);
      const payloads = t.sections.map((s) => [s.type, t.bytes.subarray(s.offset, s.offset + s.length)] as const);
      expect(bytesEqual(assemble(t.bytes, payloads, undefined, signer), t.bytes), t.name).toBe(true);
    }
  });

  it('sign with a fixed key that the verifier trusts, and refuse the stranger', () => {
    const signed = fixtures.targets.find((t) => t.name === 'fp32 signed')!;
    expect(decodePackage(signed.bytes, signed.options).signature?.verified).toBe(true);
    const strangerOnly = { verifier: verifierFor(fixtures.stranger) };
    expect(() => decodePackage(signed.bytes, strangerOnly)).toThrow(PackageError);
    // The delta targets: DATA is last in a full package, DLTA first in a delta.
    expect(fixtures.targets.every((t) => t.sections.at(t.kind === 'full' ? -1 : 0)?.type === (t.kind === 'full' ? SECTION.DATA : SECTION.DLTA))).toBe(true);
  });

  it('draw the same numbers from the same seed and stream, and other numbers from another', () => {
    const draw = (seed: number, stream: number) => Array.from({ length: 8 }, ((r) => () => r.u32())(new FuzzRandom(seed, stream)));
    expect(draw(1, 2)).toEqual(draw(1, 2));
    expect(draw(1, 2)).not.toEqual(draw(1, 3));
    expect(draw(1, 2)).not.toEqual(draw(2, 2));
  });
});

describe('package fuzz', () => {
  it('refuses every truncation of every package by the size check, and every bit flip in its header and directory', { timeout: 120_000 }, () => {
    const report = runPackageSweeps(fixtures);
    console.log(formatFuzzReport(report, 'package sweeps (exhaustive, no seed)'));
    expect(report.failures.map(formatFailure)).toEqual([]);
    expect(report.failureCount).toBe(0);
    expect(report.table.get('sweep: every truncation')?.get('size')).toBe(fixtures.targets.reduce((a, t) => a + t.bytes.length, 0));
  });


  it(`refuses ${ONLY === undefined ? COUNT : 1} mutated package(s) with a PackageError naming the right check (seed ${formatSeed(SEED)})`, { timeout: TIMEOUT }, () => {
    const report = runPackageFuzz({ count: COUNT, seed: SEED, fixtures, ...(ONLY === undefined ? {} : { only: ONLY }) });
    console.log(formatFuzzReport(report));
    const replay = `FUZZ_SEED=${formatSeed(SEED)} FUZZ_COUNT=${COUNT} npx vitest run test/package-fuzz.test.ts (one mutant: add FUZZ_INDEX=<#>)`;
    if (report.failureCount > 0) {
      console.error(`package fuzz: ${report.failureCount} failure(s) with seed ${formatSeed(SEED)}; replay with ${replay}\n${report.failures.map(formatFailure).join('\n')}`);
    }
    expect(report.failures.map(formatFailure), `seed ${formatSeed(SEED)}: replay with ${replay}`).toEqual([]);
    expect(report.accepted).toBe(0);
    expect(report.crashes).toBe(0);
    expect(report.wrongChecks).toBe(0);

    if (ONLY === undefined && COUNT >= 10_000) {
      // Coverage of the run itself: every mutation kind ran, and every check refused something.
      expect([...report.table.keys()].sort()).toEqual([...MUTATION_KINDS].sort());
      for (const [kind, outcomes] of report.table) expect([...outcomes.values()].reduce((a, b) => a + b, 0), kind).toBeGreaterThanOrEqual(100);
      const seen = new Set([...report.table.values()].flatMap((o) => [...o.keys()]));
      for (const check of ['size', 'header', 'sections', 'digest', 'signature', 'semantics', 'delta', 'tensor digest'] as const) expect(seen, check).toContain(check);
      expect(report.byTarget.size).toBe(fixtures.targets.length);
    }
  });
});
