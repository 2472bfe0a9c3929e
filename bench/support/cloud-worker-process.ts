import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startReadyProcess } from './ready-process.js';

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
  const proc = await startReadyProcess(process.execPath, [join(root, 'bin', 'reframe.mjs'), 'cloud', 'worker', ...args], {
    what: 'the worker',
    readyLine: /^worker (\S+) ready: .*\n/m,
    cwd: root,
    timeoutMs,
  });
  return { pid: proc.pid, name: proc.ready[1] as string, log: proc.stderr, kill: proc.kill, stop: proc.stop };
}
