import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The C runtime's Cortex-M builds (devices/firmware/arm.mk) and QEMU's emulated boards: build a board's
// programs, run the bring-up and benchmark program to its end, or start the protocol's board side on a
// pty. Used by the firmware-qemu bench suite and, through test/support/qemu-board.ts, by the tests.

export type ArmBoard = 'mps2-an386' | 'netduinoplus2';
export const ARM_BOARDS: readonly ArmBoard[] = ['mps2-an386', 'netduinoplus2'];
export type ArmProgram = 'reframe-fw-bench' | 'reframe-fw-board';

/** devices/firmware/, found upwards from this file (it runs from the sources under vitest and from dist/ in the bench). */
function findFirmware(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'devices', 'firmware');
    if (existsSync(join(candidate, 'arm.mk'))) return candidate;
    const up = dirname(dir);
    if (up === dir) throw new Error('devices/firmware/arm.mk not found above bench/support');
    dir = up;
  }
}

export const FIRMWARE = findFirmware();

export function armProgram(board: ArmBoard, program: ArmProgram): string {
  return join(FIRMWARE, 'build', board, `${program}.elf`);
}

function run(command: string, args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}

/** `make -f arm.mk BOARD=<board> <target>` (incremental); resolves with its output, throws with the compiler's when it fails. */
export async function buildArm(board: ArmBoard, target = 'all'): Promise<string> {
  const r = await run('make', ['-C', FIRMWARE, '-f', 'arm.mk', `BOARD=${board}`, '-j2', target], FIRMWARE);
  if (r.code !== 0) throw new Error(`make -f arm.mk BOARD=${board} ${target} failed (exit ${r.code}):\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
  return r.stdout;
}

/** QEMU's options for a board with semihosting on: the program's output, exit code and files go through the host. */
export function qemuArgs(board: ArmBoard, elf: string, o: { readonly serial: 'pty' | 'null'; readonly icount?: boolean; readonly append?: string }): string[] {
  return [
    '-M', board, '-nographic', '-monitor', 'none', '-serial', o.serial,
    '-semihosting-config', 'enable=on,target=native',
    ...(o.icount === true ? ['-icount', 'shift=0'] : []),
    '-kernel', elf,
    ...(o.append === undefined || o.append === '' ? [] : ['-append', o.append]),
  ];
}

export interface BenchProgramRun {
  readonly code: number | null;
  /** Every JSON line the program printed, in order. */
  readonly records: readonly Record<string, unknown>[];
  readonly stdout: string;
  readonly stderr: string;
}

export interface BenchProgramOptions {
  /** Count instructions (`-icount shift=0`); default true. */
  readonly icount?: boolean;
  /** QEMU's working directory: semihosting resolves relative paths there. */
  readonly cwd?: string;
  readonly timeoutMs?: number;
}

/**
 * Runs reframe-fw-bench on `board` to its semihosting exit. Its options travel in QEMU's -append, which
 * the program splits at spaces: paths with spaces are refused here rather than misread there.
 */
export function runArmBench(board: ArmBoard, args: readonly string[], o: BenchProgramOptions = {}): Promise<BenchProgramRun> {
  const spaced = args.find((a) => /\s/.test(a));
  if (spaced !== undefined) return Promise.reject(new Error(`reframe-fw-bench arguments cannot hold spaces: ${spaced}`));
  const timeoutMs = o.timeoutMs ?? 120_000;
  return new Promise((resolve, reject) => {
    const qemu = spawn('qemu-system-arm', qemuArgs(board, armProgram(board, 'reframe-fw-bench'), { serial: 'null', icount: o.icount ?? true, append: args.join(' ') }), {
      cwd: o.cwd ?? FIRMWARE,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    qemu.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    qemu.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      qemu.kill('SIGKILL');
      reject(new Error(`reframe-fw-bench on ${board} did not finish within ${timeoutMs} ms:\n${stdout}${stderr}`));
    }, timeoutMs);
    qemu.once('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`qemu-system-arm could not be started (${error.message}): install Debian's qemu-system-arm`));
    });
    qemu.once('close', (code) => {
      clearTimeout(timer);
      const records = stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>);
      resolve({ code, records, stdout, stderr });
    });
  });
}
