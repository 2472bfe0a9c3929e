import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startReadyProcess, type ReadyProcess } from '../../bench/support/ready-process.js';
import { armProgram, qemuArgs, type ArmBoard } from '../../bench/support/qemu-arm.js';

export { ARM_BOARDS, buildArm, runArmBench, type ArmBoard, type BenchProgramRun } from '../../bench/support/qemu-arm.js';

// The protocol's board side (reframe-fw-board) on an emulated Cortex-M board: QEMU with its first UART
// on a pty, which the studio's serial code opens like any port. QEMU announces the pty on its output
// ("char device redirected to /dev/pts/N (label serial0)"); semihosting, which the board's log lines
// and the netduinoplus2's storage files go through, resolves paths in QEMU's working directory, so
// each board gets a directory of its own.

export interface QemuBoard {
  readonly board: ArmBoard;
  /** The pty QEMU put the board's UART on. */
  readonly pty: string;
  /** QEMU's working directory: the netduinoplus2's storage files live here. */
  readonly storageDir: string;
  /** Everything QEMU and the board (semihosting log lines) printed so far. */
  output(): string;
  /** Stops QEMU (SIGTERM) and waits for it; the storage directory stays for a restart. */
  stop(): Promise<void>;
  /** Stops QEMU and removes the storage directory when startQemuBoard made it. */
  dispose(): Promise<void>;
}

export interface QemuBoardOptions {
  /** An existing directory (a restart keeps the netduinoplus2's storage); default a new temporary one. */
  readonly storageDir?: string;
  readonly timeoutMs?: number;
}

/** Starts reframe-fw-board (built beforehand with buildArm) and resolves once QEMU has named its pty. */
export async function startQemuBoard(board: ArmBoard, o: QemuBoardOptions = {}): Promise<QemuBoard> {
  const storageDir = o.storageDir ?? (await mkdtemp(join(tmpdir(), `reframe-${board}-`)));
  let proc: ReadyProcess;
  try {
    proc = await startReadyProcess('qemu-system-arm', qemuArgs(board, armProgram(board, 'reframe-fw-board'), { serial: 'pty' }), {
      what: `qemu-system-arm -M ${board}`,
      readyLine: /char device redirected to (\/dev\/pts\/\d+) \(label serial0\)/,
      readyOn: 'both',
      cwd: storageDir,
      timeoutMs: o.timeoutMs ?? 20_000,
    });
  } catch (error) {
    if (o.storageDir === undefined) await rm(storageDir, { recursive: true, force: true });
    throw error;
  }
  const stop = async (): Promise<void> => {
    await proc.stop();
  };
  return {
    board,
    pty: proc.ready[1] as string,
    storageDir,
    output: () => `${proc.stdout()}${proc.stderr()}`,
    stop,
    dispose: async () => {
      await stop();
      if (o.storageDir === undefined) await rm(storageDir, { recursive: true, force: true });
    },
  };
}
