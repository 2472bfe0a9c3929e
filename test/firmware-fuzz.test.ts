// A bounded libFuzzer run of the C runtime's package decoder (devices/firmware/fuzz/fuzz-package.c),
// built with Debian's clang, coverage-guided, with AddressSanitizer and UBSan. Each input is tried as
// it is and resealed (CRCs and digest recomputed) so mutations reach the checks behind the container.
// The seeds are real packages: the golden ones, tiny in every dtype, a signed
// one and the variety models that use every distribution. Bounded by a run count and a fixed seed, so
// CI does the same work every time: FIRMWARE_LIBFUZZER_RUNS raises it (-runs), FIRMWARE_LIBFUZZER_SEED
// changes it. A finding leaves its input in the crash directory, named in the failure. A second target
// runs the board side of the push protocol (fuzz-board.c) on an in-memory port, over scripted studio
// sessions (FIRMWARE_LIBFUZZER_BOARD_RUNS).
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodePackage } from '../core/package/encode-package.js';
import { initialValues } from '../core/package/initial-values.js';
import { packPreset, testKeys } from '../core/package/package-test-support.fixture.js';
import { checkSpecValue } from '../core/spec/load-spec.js';
import type { SpecDocument } from '../core/spec/spec-document.js';
import { FIRMWARE, makeFirmware, run } from './support/firmware-host.js';
import { denseVariety, tinyVariety } from './support/firmware-variants.js';

const RUNS = Number(process.env['FIRMWARE_LIBFUZZER_RUNS'] ?? 20_000);
const SEED = Number(process.env['FIRMWARE_LIBFUZZER_SEED'] ?? 1);
const GOLDEN = join(FIRMWARE, '..', '..', 'test', 'golden');
const FUZZER = join(FIRMWARE, 'build', 'fuzz', 'reframe-fw-fuzz');
const BOARD_FUZZER = join(FIRMWARE, 'build', 'fuzz', 'reframe-fw-fuzz-board');
const BOARD_RUNS = Number(process.env['FIRMWARE_LIBFUZZER_BOARD_RUNS'] ?? 10_000);

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-fw-fuzz-'));
  const r = await makeFirmware('-j2', 'fuzz');
  if (r.code !== 0) throw new Error(`make fuzz failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}, 240_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

function packSpec(doc: SpecDocument, dtype: 'fp32' | 'fp16' | 'int8'): Uint8Array {
  const checked = checkSpecValue(doc);
  if (!checked.ok) throw new Error('the variety spec is invalid');
  return encodePackage(checked.graph, initialValues(checked.graph), { dtype });
}

async function seedCorpus(corpus: string): Promise<number> {
  const seeds: [string, Uint8Array][] = [
    ['tiny-fp32', packPreset('tiny', 'fp32')],
    ['tiny-fp16', packPreset('tiny', 'fp16')],
    ['tiny-int8', packPreset('tiny', 'int8')],
    ['tiny-signed', packPreset('tiny', 'int8', testKeys().signer)],
    ['tiny-variety', packSpec(tinyVariety(), 'fp16')],
    ['dense-variety', packSpec(denseVariety(), 'int8')],
  ];
  for (const [name, bytes] of seeds) await writeFile(join(corpus, `${name}.rfpk`), bytes);
  return seeds.length;
}

/**
 * A studio session as the board fuzzer's script (devices/firmware/fuzz/fuzz-board.c): byte 0 picks the
 * port's mode, then each message is 0x00, its length and its bytes (the harness adds CRC and COBS).
 */
class Script {
  private readonly parts: Uint8Array[] = [];
  private id = 0;

  constructor(mode: number) {
    this.parts.push(Uint8Array.of(mode));
  }

  message(type: number, payload: Uint8Array, sameId = false): this {
    if (!sameId) this.id++;
    const head = new Uint8Array(7);
    const v = new DataView(head.buffer);
    v.setUint16(1, 4 + payload.length, true);
    head[3] = type;
    v.setUint16(5, this.id, true);
    this.parts.push(head, payload);
    return this;
  }

  raw(bytes: Uint8Array): this {
    this.parts.push(Uint8Array.of(1, bytes.length), bytes);
    return this;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

const le = (...fields: [number, 1 | 2 | 4][]): Uint8Array => {
  const out = new Uint8Array(fields.reduce((n, [, w]) => n + w, 0));
  const v = new DataView(out.buffer);
  let at = 0;
  for (const [x, w] of fields) {
    if (w === 1) v.setUint8(at, x);
    else if (w === 2) v.setUint16(at, x, true);
    else v.setUint32(at, x >>> 0, true);
    at += w;
  }
  return out;
};

/** Sessions that reach every handler: a whole push with COMMIT, INFER in parts, BENCH, ROLLBACK, ACTIVATE, resends, a partial upload left to resume, garbage. */
function boardSessions(): [string, Uint8Array][] {
  const pkg = packPreset('tiny', 'fp32');
  const digest = new Uint8Array(createHash('sha256').update(pkg).digest());
  const input = new Uint8Array(new Float32Array(28 * 28).map((_, i) => Math.sin(i) * 0.5).buffer);
  const session = (mode: number, chunk: number, upTo = pkg.length): Script => {
    const s = new Script(mode).raw(Uint8Array.of(0)).message(0x01, le([1, 2], [65536, 4])).message(0x03, Buffer.concat([digest, le([pkg.length, 4], [0, 1])]));
    for (let at = 0; at < upTo; at += chunk) s.message(0x04, Buffer.concat([le([at, 4]), pkg.subarray(at, Math.min(at + chunk, upTo))]));
    return s;
  };
  const infer = (s: Script): Script => {
    for (let at = 0; at < input.length; at += 900) s.message(0x0a, Buffer.concat([le([at, 4], [input.length, 4]), input.subarray(at, at + 900)]));
    return s;
  };
  const full = (mode: number, chunk: number): Script => {
    const s = session(mode, chunk).message(0x06, digest).message(0x06, digest, true);
    infer(s).message(0x0c, le([2, 2])).message(0x09, new Uint8Array(0)).message(0x08, digest).message(0x10, new Uint8Array(0));
    return s;
  };
  return [
    ['board-push-mapped', full(1, 4000).bytes()],
    ['board-push-unmapped-small', full(2, 1000).bytes()],
    ['board-partial-upload', session(1, 4000, 6000).raw(new Uint8Array(40).fill(0x55)).bytes()],
    ['board-wrong-digest-commit', session(3, 1000).message(0x06, new Uint8Array(32)).message(0x0a, le([0, 4], [4, 4])).bytes()],
  ];
}

describe('firmware package decoder under libFuzzer (clang, ASan + UBSan)', () => {
  it(`survives ${RUNS} coverage-guided inputs grown from real packages`, { timeout: 300_000 }, async () => {
    const corpus = join(dir, 'corpus');
    const crashes = join(dir, 'crashes');
    await run('mkdir', ['-p', corpus, crashes]);
    await seedCorpus(corpus);
    const r = await run(FUZZER, [`-seed=${SEED}`, `-runs=${RUNS}`, '-max_len=65536', '-timeout=10', `-artifact_prefix=${crashes}/`, '-print_final_stats=1', corpus, GOLDEN]);
    const found = await readdir(crashes);
    expect(found, `libFuzzer found ${found.join(', ')} in ${crashes}:\n${r.stderr.slice(-4000)}`).toEqual([]);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Done ${RUNS} runs`));
    // Coverage grew past the seeds: the fuzzer reached code the seeds alone do not.
    const cov = /stat::new_units_added:\s+(\d+)/.exec(r.stderr);
    expect(Number(cov?.[1] ?? 0)).toBeGreaterThan(0);
  });

  it(`runs the board's protocol side over ${BOARD_RUNS} coverage-guided studio sessions`, { timeout: 300_000 }, async () => {
    const corpus = join(dir, 'board-corpus');
    const crashes = join(dir, 'board-crashes');
    await run('mkdir', ['-p', corpus, crashes]);
    for (const [name, bytes] of boardSessions()) await writeFile(join(corpus, name), bytes);
    const r = await run(BOARD_FUZZER, [`-seed=${SEED}`, `-runs=${BOARD_RUNS}`, '-max_len=65536', '-timeout=20', `-artifact_prefix=${crashes}/`, '-print_final_stats=1', corpus]);
    const found = await readdir(crashes);
    expect(found, `libFuzzer found ${found.join(', ')} in ${crashes}:\n${r.stderr.slice(-4000)}`).toEqual([]);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`Done ${BOARD_RUNS} runs`));
    expect(Number(/stat::new_units_added:\s+(\d+)/.exec(r.stderr)?.[1] ?? 0)).toBeGreaterThan(0);
  });
});
