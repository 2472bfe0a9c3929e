// The seed-package fuzzer: mutates valid packages (full and delta, unsigned and signed) and checks that
// every mutant is refused by decodePackage / applyDelta with a PackageError naming the right check.
// test/package-fuzz.test.ts runs it in CI; scripts/fuzz-packages.mjs runs it for long (through vitest).
// Everything random comes from FuzzRandom, seeded per mutant from (seed, index), so a failure printed
// with its seed and index replays exactly.
// The parts live beside this runner: fuzz-random.ts, fuzz-keys.ts, fuzz-targets.ts, reseal.ts and
// mutations.ts.
import { applyDelta, inspectDelta } from '../../../core/package/delta-package.js';
import { decodePackage } from '../../../core/package/decode-package.js';
import { DIRECTORY_ENTRY_BYTES, HEADER_BYTES } from '../../../core/package/package-constants.js';
import { PackageError, type PackageCheck } from '../../../core/package/package-error.js';
import { checkTensorDigests } from '../../../core/package/read-tensor.js';
import { bytesEqual } from '../../../core/package/tensor-digest.js';
import { FuzzRandom } from './fuzz-random.js';
import { buildFuzzFixtures, type FuzzFixtures, type FuzzTarget } from './fuzz-targets.js';
import { CONTAINER, KINDS, MUTATION_KINDS, regionOf, type Mutant, type MutationKind } from './mutations.js';

/** How a mutant ended: the check that refused it, or 'tensor digest' for rewritten values that decode but fail their digests. */
export type FuzzOutcome = PackageCheck | 'tensor digest' | 'accepted' | 'crash' | 'wrong check';

export interface FuzzFailure {
  readonly index: number;
  readonly target: string;
  readonly kind: string;
  readonly note: string;
  readonly problem: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly count: number;
  readonly ms: number;
  readonly accepted: number;
  readonly crashes: number;
  readonly wrongChecks: number;
  /** The first failures, at most 25. */
  readonly failures: readonly FuzzFailure[];
  readonly failureCount: number;
  /** Outcome counts per mutation kind. */
  readonly table: ReadonlyMap<string, ReadonlyMap<FuzzOutcome, number>>;
  readonly byTarget: ReadonlyMap<string, number>;
}

export interface FuzzOptions {
  readonly count: number;
  readonly seed: number;
  /** Run only this mutant index (to replay one failure). */
  readonly only?: number;
  readonly fixtures?: FuzzFixtures;
}

const PREFIX = /^package rejected by the ([a-z]+) check: (.*)$/s;

/** Why a thrown value is not an acceptable rejection, or undefined when it is one with an allowed check. */
function judge(error: unknown, expect: readonly PackageCheck[]): { outcome: FuzzOutcome; problem?: string } {
  if (!(error instanceof PackageError)) {
    const e = error as Error;
    return { outcome: 'crash', problem: `threw ${e?.name ?? typeof error}: ${e?.message ?? String(error)} ${(e?.stack ?? '').split('\n').slice(1, 3).join(' ')}` };
  }
  const m = PREFIX.exec(error.message);
  if (m === null || m[1] !== error.check || (m[2] ?? '').trim() === '') {
    return { outcome: 'crash', problem: `PackageError with a malformed message for check ${error.check}: ${JSON.stringify(error.message)}` };
  }
  if (!expect.includes(error.check)) return { outcome: 'wrong check', problem: `refused by the ${error.check} check, expected ${expect.join(' or ')}: ${error.message}` };
  return { outcome: error.check };
}

function attempt(target: FuzzTarget, m: Mutant): { outcome: FuzzOutcome; problem?: string } {
  if (bytesEqual(m.bytes, target.bytes)) return { outcome: 'crash', problem: 'internal: the mutation changed nothing' };
  if (target.kind === 'full') {
    try {
      const pkg = decodePackage(m.bytes, target.options);
      if (m.valuesChanged === true) {
        if (checkTensorDigests(pkg).length > 0) return { outcome: 'tensor digest' };
        return { outcome: 'accepted', problem: 'rewritten DATA values decode and still match every tensor digest' };
      }
      return { outcome: 'accepted', problem: 'decodePackage returned' };
    } catch (error) {
      return judge(error, m.expect);
    }
  }
  // Deltas: the delta's own reader, a decode (which must refuse a delta), then the apply.
  let inspected: PackageCheck | undefined;
  try {
    inspectDelta(m.bytes, target.options);
  } catch (error) {
    const j = judge(error, CONTAINER.includes((error as PackageError).check) ? CONTAINER : m.expect);
    if (j.problem !== undefined) return { outcome: j.outcome, problem: `inspectDelta: ${j.problem}` };
    inspected = (error as PackageError).check;
  }
  try {
    decodePackage(m.bytes, target.options);
    return { outcome: 'accepted', problem: 'decodePackage returned for a delta' };
  } catch (error) {
    const j = judge(error, [...CONTAINER, 'semantics']);
    if (j.problem !== undefined) return { outcome: j.outcome, problem: `decodePackage: ${j.problem}` };
  }
  try {
    const rebuilt = applyDelta(target.base!, m.bytes, target.options);
    return { outcome: 'accepted', problem: `applyDelta returned ${bytesEqual(rebuilt, target.deltaResult!) ? 'the original target' : 'a different package'}` };
  } catch (error) {
    const j = judge(error, m.expect);
    if (j.problem === undefined && inspected !== undefined && j.outcome !== inspected) {
      return { outcome: 'wrong check', problem: `inspectDelta refused it by the ${inspected} check, applyDelta by ${j.outcome}` };
    }
    return j;
  }
}

/** The mutation kind for a target, drawn as runPackageFuzz draws it (test/firmware-host.test.ts replays the same mutants). */
export function pickKind(rng: FuzzRandom, target: FuzzTarget): MutationKind {
  const kinds = KINDS.filter((k) => k.applies(target));
  let r = rng.int(kinds.reduce((a, k) => a + k.weight, 0));
  for (const k of kinds) {
    if (r < k.weight) return k;
    r -= k.weight;
  }
  return kinds[kinds.length - 1]!;
}

/** Counts outcomes per mutation kind and keeps the first failures. */
class Tally {
  readonly table = new Map<string, Map<FuzzOutcome, number>>();
  readonly byTarget = new Map<string, number>();
  readonly failures: FuzzFailure[] = [];
  failureCount = 0;
  accepted = 0;
  crashes = 0;
  wrongChecks = 0;
  count = 0;

  add(index: number, target: FuzzTarget, kind: string, note: string, result: { outcome: FuzzOutcome; problem?: string }): void {
    this.count++;
    const row = this.table.get(kind) ?? new Map<FuzzOutcome, number>();
    row.set(result.outcome, (row.get(result.outcome) ?? 0) + 1);
    this.table.set(kind, row);
    this.byTarget.set(target.name, (this.byTarget.get(target.name) ?? 0) + 1);
    if (result.problem === undefined) return;
    this.failureCount++;
    if (result.outcome === 'accepted') this.accepted++;
    else if (result.outcome === 'wrong check') this.wrongChecks++;
    else this.crashes++;
    if (this.failures.length < 25) this.failures.push({ index, target: target.name, kind, note, problem: result.problem });
  }

  report(seed: number, started: number): FuzzReport {
    const { count, accepted, crashes, wrongChecks, failures, failureCount, table, byTarget } = this;
    return { seed, count, ms: performance.now() - started, accepted, crashes, wrongChecks, failures, failureCount, table, byTarget };
  }
}

/** Runs `count` mutants (or the one `only` names); mutant i draws everything from FuzzRandom(seed, i). */
export function runPackageFuzz(options: FuzzOptions): FuzzReport {
  const fixtures = options.fixtures ?? buildFuzzFixtures();
  const started = performance.now();
  const tally = new Tally();
  const first = options.only ?? 0;
  const end = options.only === undefined ? options.count : options.only + 1;
  for (let index = first; index < end; index++) {
    const rng = new FuzzRandom(options.seed, index);
    const target = rng.pick(fixtures.targets);
    const kind = pickKind(rng, target);
    let note = '(the mutation itself threw)';
    let result: { outcome: FuzzOutcome; problem?: string };
    try {
      const mutant = kind.make({ rng, target, fixtures });
      note = mutant.note;
      result = attempt(target, mutant);
    } catch (error) {
      result = { outcome: 'crash', problem: `internal: ${(error as Error).stack ?? String(error)}` };
    }
    tally.add(index, target, kind.name, note, result);
  }
  return tally.report(options.seed, started);
}

/**
 * The exhaustive part, without randomness: every target cut at every length (each region: header,
 * directory, every section and its padding, digest, signature), and every single bit of its header
 * and directory flipped.
 */
export function runPackageSweeps(fixtures: FuzzFixtures): FuzzReport {
  const started = performance.now();
  const tally = new Tally();
  for (const target of fixtures.targets) {
    for (let cut = 0; cut < target.bytes.length; cut++) {
      // A view, not a copy: nothing here writes to the mutant.
      const m: Mutant = { bytes: target.bytes.subarray(0, cut), expect: ['size'], note: `cut to ${cut} bytes (inside ${regionOf(target, cut)})` };
      tally.add(cut, target, 'sweep: every truncation', m.note, attempt(target, m));
    }
    const directoryEnd = HEADER_BYTES + target.sections.length * DIRECTORY_ENTRY_BYTES;
    for (let bit = 0; bit < directoryEnd * 8; bit++) {
      const bytes = target.bytes.slice();
      bytes[bit >> 3]! ^= 1 << (bit & 7);
      const m: Mutant = { bytes, expect: CONTAINER, note: `bit ${bit & 7} of byte ${bit >> 3} (${regionOf(target, bit >> 3)}) flipped` };
      tally.add(bit, target, 'sweep: header+directory bits', m.note, attempt(target, m));
    }
  }
  return tally.report(0, started);
}

const COLUMNS: readonly FuzzOutcome[] = ['size', 'header', 'sections', 'digest', 'signature', 'semantics', 'delta', 'tensor digest', 'accepted', 'crash', 'wrong check'];

export function formatSeed(seed: number): string {
  return `0x${(seed >>> 0).toString(16).padStart(8, '0')}`;
}

/** The outcome table: one row per mutation kind, one column per rejecting check. */
export function formatFuzzReport(r: FuzzReport, title = `package fuzz, seed ${formatSeed(r.seed)}`): string {
  const head = ['mutation', ...COLUMNS, 'total'];
  const rows: string[][] = [];
  const totals = new Map<FuzzOutcome, number>();
  const order = (kind: string) => (MUTATION_KINDS.includes(kind) ? MUTATION_KINDS.indexOf(kind) : MUTATION_KINDS.length);
  for (const [kind, outcomes] of [...r.table].sort((a, b) => order(a[0]) - order(b[0]))) {
    let sum = 0;
    const cells = COLUMNS.map((c) => {
      const n = outcomes.get(c) ?? 0;
      sum += n;
      totals.set(c, (totals.get(c) ?? 0) + n);
      return n === 0 ? '·' : String(n);
    });
    rows.push([kind, ...cells, String(sum)]);
  }
  rows.push(['all', ...COLUMNS.map((c) => String(totals.get(c) ?? 0)), String(r.count)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const targets = [...r.byTarget].map(([t, n]) => `${t} ${n}`).join(', ');
  return [
    `${title}: ${r.count} mutants, ${(r.ms / 1000).toFixed(1)} s; accepted ${r.accepted}, crashes ${r.crashes}, wrong checks ${r.wrongChecks}`,
    `targets: ${targets}`,
    line(head),
    ...rows.map(line),
  ].join('\n');
}

export function formatFailure(f: FuzzFailure): string {
  return `#${f.index} [${f.target}] ${f.kind}: ${f.note} → ${f.problem}`;
}
