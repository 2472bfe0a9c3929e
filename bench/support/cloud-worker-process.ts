import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project folder: above this file in the sources (tests) and in dist/ (the bench). */
function projectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'bin', 'reframe.mjs'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('bin/reframe.mjs not found above the bench support folder');
    dir = parent;
  }
  return dir;
}

/** `reframe cloud worker` in its own process, so a test can kill it as a crashed machine. */
export interface CloudWorkerProcess {
  readonly pid: number;
  /** What it calls itself in job logs (host:pid). */
  readonly name: string;
  /** Everything it wrote to stderr so far (one line per job event). */
  log(): string;
  /** SIGKILL: no clean-up runs, its jobs keep their lock until it expires. */
  kill(): Promise<void>;
  /** SIGTERM: running jobs go back to the queue; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `reframe cloud worker` with these arguments and resolves once it says it is ready. */
export async function startCloudWorker(args: readonly string[], timeoutMs = 120_000): Promise<CloudWorkerProcess> {
  const root = projectRoot();
  const proc: ChildProcess = spawn(process.execPath, [join(root, 'bin', 'reframe.mjs'), 'cloud', 'worker', ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const deadline = Date.now() + timeoutMs;
  let ready: RegExpExecArray | null;
  while ((ready = /^worker (\S+) ready: .*\n/m.exec(stdout)) === null) {
    if (proc.exitCode !== null) throw new Error(`the worker exited with ${proc.exitCode} before it was ready:\n${stdout}${stderr}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`the worker was not ready within ${timeoutMs} ms:\n${stdout}${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  return {
    pid: proc.pid ?? -1,
    name: ready[1] as string,
    log: () => stderr,
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
