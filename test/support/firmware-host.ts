import { execFile } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The C runtime's host build (devices/firmware), built with AddressSanitizer and UBSan, and its
// programs in child processes. A sanitizer report ends the program with exit code 86, which no program
// uses otherwise, so a test can tell a memory error from a refused package (exit code 1).

export const FIRMWARE = fileURLToPath(new URL('../../devices/firmware/', import.meta.url));
export const SANITIZED = join(FIRMWARE, 'build', 'host-san');
export const SANITIZER_EXIT = 86;

export const SANITIZER_ENV = {
  ASAN_OPTIONS: `halt_on_error=1:exitcode=${SANITIZER_EXIT}:detect_leaks=1:abort_on_error=0`,
  UBSAN_OPTIONS: `halt_on_error=1:exitcode=${SANITIZER_EXIT}:print_stacktrace=1`,
};

export interface FirmwareRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command; resolves with its exit code (rejects only when it could not run at all). */
export function run(command: string, args: readonly string[], cwd = FIRMWARE): Promise<FirmwareRun> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: { ...process.env, ...SANITIZER_ENV } }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

/**
 * `make` of the host build under an exclusive lock: test files run in parallel workers, and two makes of
 * the same build directory would write the same archive at once (on a fresh clone, where everything
 * builds, one of them links a half-written library).
 */
export async function makeFirmware(...args: string[]): Promise<FirmwareRun> {
  await mkdir(join(FIRMWARE, 'build'), { recursive: true });
  return run('flock', [join(FIRMWARE, 'build', '.make.lock'), 'make', '-C', FIRMWARE, ...args]);
}

/** `make SAN=1` of the host build (incremental: a few seconds when nothing changed). */
export async function buildSanitized(): Promise<void> {
  const r = await makeFirmware('SAN=1', '-j2', 'all');
  if (r.code !== 0) throw new Error(`make SAN=1 failed (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
}

/** One of the sanitized programs: reframe-fw-check, reframe-fw-regen or unit-tests. */
export function firmware(program: 'reframe-fw-check' | 'reframe-fw-regen' | 'unit-tests', ...args: string[]): Promise<FirmwareRun> {
  return run(join(SANITIZED, program), args);
}

/** A package for reframe-fw-check --batch: a base package cut or zero-extended to `bytes`' length, with the differing bytes written over it. */
export interface BatchRecord {
  readonly base: number;
  readonly bytes: Uint8Array;
}

/**
 * The batch file of reframe-fw-check: "RFWB", version 1, the bases, then each record as its base, its
 * length and the runs of bytes that differ from the base (a mutant usually differs in a few bytes, so
 * a hundred thousand of them fit in a few megabytes).
 */
export function batchFile(bases: readonly Uint8Array[], records: readonly BatchRecord[]): Uint8Array {
  const parts: Uint8Array[] = [];
  const u32 = (...values: number[]) => {
    const b = new Uint8Array(4 * values.length);
    const v = new DataView(b.buffer);
    values.forEach((x, i) => v.setUint32(4 * i, x >>> 0, true));
    parts.push(b);
  };
  parts.push(new TextEncoder().encode('RFWB'));
  u32(1, bases.length);
  for (const b of bases) {
    u32(b.length);
    parts.push(b);
  }
  for (const r of records) {
    const base = bases[r.base]!;
    const runs: [number, number][] = [];
    for (let i = 0; i < r.bytes.length; ) {
      if (i < base.length && r.bytes[i] === base[i]) {
        i++;
        continue;
      }
      // Extend the run over short stretches of equal bytes: fewer, longer runs.
      let end = i + 1;
      for (let gap = 0; end < r.bytes.length && gap < 8; end++) gap = end < base.length && r.bytes[end] === base[end] ? gap + 1 : 0;
      runs.push([i, end - i]);
      i = end;
    }
    u32(r.base, r.bytes.length, runs.length);
    for (const [at, n] of runs) {
      u32(at, n);
      parts.push(r.bytes.subarray(at, at + n));
    }
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** reframe-fw-check --batch output: the verdict per record index ("ok", a check name or "tensor-digest"). */
export function batchVerdicts(stdout: string): Map<number, string> {
  const out = new Map<number, string>();
  for (const line of stdout.split('\n')) {
    const m = /^(\d+) (\S+)/.exec(line);
    if (m !== null) out.set(Number(m[1]), m[2]!);
  }
  return out;
}
