import { join } from 'node:path';
import { startReadyProcess } from '../../bench/support/ready-process.js';
import { ROOT } from './reframe-cli.js';

/** `reframe agent` in its own process, so a test can kill it like a power cut. */
export interface AgentProcess {
  readonly pid: number;
  /** What the agent printed on stdout up to and including its ready line. */
  readonly ready: string;
  /** Everything the agent wrote to stderr so far. */
  log(): string;
  /** SIGKILL: no clean-up runs, as when power is lost (the OS still flushes what was written). */
  kill(): Promise<void>;
  /** SIGTERM and wait for a clean exit. */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

/** Starts the agent with these arguments and resolves once it prints its ready line. */
export async function startAgent(args: readonly string[], timeoutMs = 20_000): Promise<AgentProcess> {
  const proc = await startReadyProcess(process.execPath, [join(ROOT, 'bin', 'reframe.mjs'), 'agent', ...args], { what: 'the agent', readyLine: /agent ready.*\n/, cwd: ROOT, timeoutMs });
  return { pid: proc.pid, ready: proc.stdout(), log: proc.stderr, kill: proc.kill, stop: proc.stop, exited: proc.exited };
}
