import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './reframe-cli.js';

/** `reframe cloud serve` in its own process, so a test can kill it like a crash. */
export interface CloudProcess {
  readonly url: string;
  log(): string;
  /** SIGKILL: no clean-up runs. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the clean exit. */
  stop(): Promise<number | null>;
}

export async function startCloudProcess(args: readonly string[], timeoutMs = 30_000): Promise<CloudProcess> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'reframe.mjs'), 'cloud', 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  let url: string | undefined;
  while ((url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1]) === undefined) {
    if (proc.exitCode !== null) throw new Error(`reframe cloud serve exited with ${proc.exitCode} before listening:\n${stdout}${stderr}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`reframe cloud serve did not listen within ${timeoutMs} ms:\n${stdout}${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    url,
    log: () => `${stdout}${stderr}`,
    kill: async () => {
      if (alive()) proc.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      if (alive()) proc.kill('SIGTERM');
      return exited;
    },
  };
}
