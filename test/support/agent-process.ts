import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
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
  const proc: ChildProcess = spawn(process.execPath, [join(ROOT, 'bin', 'reframe.mjs'), 'agent', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  while (!/agent ready.*\n/.test(stdout)) {
    if (proc.exitCode !== null) throw new Error(`the agent exited with ${proc.exitCode} before it was ready:\n${stdout}${stderr}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`the agent was not ready within ${timeoutMs} ms:\n${stdout}${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    pid: proc.pid ?? -1,
    ready: stdout,
    log: () => stderr,
    exited,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      return exited;
    },
  };
}
