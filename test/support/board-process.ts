import { join } from 'node:path';
import { startReadyProcess } from '../../bench/support/ready-process.js';
import { SANITIZED, SANITIZER_ENV } from './firmware-host.js';

// The C runtime's board program (devices/firmware/ports/host/board-main.c, sanitized build) in its own
// process, so a test can talk to it over its pty as the studio does and kill it like a power cut.

export const BOARD_PROGRAM = join(SANITIZED, 'reframe-fw-board');

export interface BoardProcess {
  /** The pty the studio opens (`/dev/pts/N`). */
  readonly path: string;
  /** The ready line, as printed. */
  readonly ready: string;
  /** Everything the board wrote to stderr so far. */
  log(): string;
  /** SIGKILL: nothing runs after it, as when the power goes. */
  kill(): Promise<void>;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
  /** Stops the process until resume() (a board that is busy booting). */
  pause(): void;
  resume(): void;
  readonly exited: Promise<number | null>;
}

/** Starts reframe-fw-board with these arguments and resolves once it prints `board ready on <pty> (store <dir>)`. */
export async function startBoard(args: readonly string[], timeoutMs = 20_000): Promise<BoardProcess> {
  const proc = await startReadyProcess(BOARD_PROGRAM, args, {
    what: 'reframe-fw-board',
    readyLine: /^board ready on (\S+) \(store .*\)\n/,
    env: { ...process.env, ...SANITIZER_ENV },
    timeoutMs,
  });
  return {
    path: proc.ready[1] as string,
    ready: proc.stdout(),
    log: proc.stderr,
    exited: proc.exited,
    kill: proc.kill,
    stop: proc.stop,
    pause: () => process.kill(proc.pid, 'SIGSTOP'),
    resume: () => process.kill(proc.pid, 'SIGCONT'),
  };
}
