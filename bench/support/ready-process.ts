import { spawn, type ChildProcess } from 'node:child_process';

/** A child process that said it was ready: tests and benchmarks kill it like a crash or stop it cleanly. */
export interface ReadyProcess {
  readonly pid: number;
  /** The ready line's match (its groups carry what the line announced: a URL, a path, a name). */
  readonly ready: RegExpExecArray;
  /** Everything written to stdout so far. */
  stdout(): string;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** SIGKILL: no clean-up runs, as when power is lost (the OS still flushes what was written). */
  kill(): Promise<void>;
  /** SIGTERM and wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  readonly exited: Promise<number | null>;
}

export interface ReadyProcessOptions {
  /** What the error messages call the process ("the agent", "reframe cloud serve"). */
  readonly what: string;
  /** Matched against stdout, or against stdout and stderr with `readyOn: 'both'`. */
  readonly readyLine: RegExp;
  readonly readyOn?: 'stdout' | 'both';
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly timeoutMs?: number;
}

/**
 * Starts `command args` and resolves once it prints its ready line; rejects with all it printed when it
 * exits first or stays silent past the timeout (and then kills it, so no test leaves it behind).
 */
export async function startReadyProcess(command: string, args: readonly string[], o: ReadyProcessOptions): Promise<ReadyProcess> {
  const timeoutMs = o.timeoutMs ?? 20_000;
  const proc: ChildProcess = spawn(command, args, { cwd: o.cwd, env: o.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  const spawnFailed = new Promise<Error>((resolve) => proc.once('error', resolve));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const deadline = Date.now() + timeoutMs;
  let ready: RegExpExecArray | null;
  while ((ready = o.readyLine.exec(o.readyOn === 'both' ? `${out}\n${err}` : out)) === null) {
    const failure = await Promise.race([spawnFailed, new Promise<undefined>((r) => setTimeout(r, 20))]);
    if (failure !== undefined) throw new Error(`${o.what} could not be started: ${failure.message}`);
    if (!alive()) throw new Error(`${o.what} exited with ${proc.exitCode ?? proc.signalCode} before it was ready:\n${out}${err}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`${o.what} was not ready within ${timeoutMs} ms:\n${out}${err}`);
    }
  }
  return {
    pid: proc.pid ?? -1,
    ready,
    stdout: () => out,
    stderr: () => err,
    exited,
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
