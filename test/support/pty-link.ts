import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import { join } from 'node:path';

/** Two serial paths joined like a cable, by Debian's socat (DESIGN.md §7). */
export interface PtyLink {
  readonly a: string;
  readonly b: string;
  /** Kills socat: both ends vanish, as when a USB cable is pulled. */
  unplug(): Promise<void>;
  /** A new socat on the same paths, as when the cable goes back in. */
  replug(): Promise<void>;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

async function startSocat(a: string, b: string): Promise<ChildProcess> {
  const proc = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const deadline = Date.now() + 5000;
  // socat logs this once both ptys exist and it is copying between them.
  while (!(stderr.includes('starting data transfer loop') && (await exists(a)) && (await exists(b)))) {
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`socat exited early: ${stderr}`);
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`socat did not link ${a} and ${b} within 5 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return proc;
}

/** Starts socat with links `<dir>/<name>-a` and `<dir>/<name>-b`. */
export async function ptyLink(dir: string, name = 'tty'): Promise<PtyLink> {
  const a = join(dir, `${name}-a`);
  const b = join(dir, `${name}-b`);
  let proc: ChildProcess | undefined = await startSocat(a, b);
  const stop = async (): Promise<void> => {
    const p = proc;
    proc = undefined;
    if (p === undefined || p.exitCode !== null || p.signalCode !== null) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  };
  return {
    a,
    b,
    unplug: stop,
    replug: async () => {
      await stop();
      proc = await startSocat(a, b);
    },
  };
}
