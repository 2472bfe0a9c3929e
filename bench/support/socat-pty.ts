import { spawn, type ChildProcess } from 'node:child_process';
import { access } from 'node:fs/promises';
import path from 'node:path';

/** A serial cable made of two ptys joined by Debian's socat (DESIGN.md §7). */
export interface SocatPty {
  /** The studio's end. */
  readonly a: string;
  /** The board's end. */
  readonly b: string;
  /** Kills socat: both ends vanish at once, as when the USB cable is pulled. */
  unplug(): Promise<void>;
  /** Starts socat again on the same paths, as when the cable goes back in. */
  replug(): Promise<void>;
}

const present = (file: string): Promise<boolean> => access(file).then(
  () => true,
  () => false,
);

async function link(a: string, b: string): Promise<ChildProcess> {
  const socat = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let said = '';
  socat.stderr?.on('data', (d: Buffer) => (said += d.toString()));
  const spawned = new Promise<Error | undefined>((resolve) => {
    socat.once('spawn', () => resolve(undefined));
    socat.once('error', (e) => resolve(new Error(`cannot start socat (${e.message}): install Debian's socat (npm run bench installs it when run as root)`)));
  });
  const failed = await spawned;
  if (failed !== undefined) throw failed;
  const deadline = performance.now() + 5000;
  // With -d -d socat says this once both ptys exist and it copies between them.
  while (!(said.includes('starting data transfer loop') && (await present(a)) && (await present(b)))) {
    if (socat.exitCode !== null || socat.signalCode !== null) throw new Error(`socat exited before linking ${a} and ${b}: ${said.trim()}`);
    if (performance.now() > deadline) {
      socat.kill('SIGKILL');
      throw new Error(`socat did not link ${a} and ${b} within 5 s: ${said.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  return socat;
}

/** Links `<dir>/studio` and `<dir>/board`. */
export async function socatPty(dir: string): Promise<SocatPty> {
  const a = path.join(dir, 'studio');
  const b = path.join(dir, 'board');
  let socat: ChildProcess | undefined = await link(a, b);
  const unplug = async (): Promise<void> => {
    const s = socat;
    socat = undefined;
    if (s === undefined || s.exitCode !== null || s.signalCode !== null) return;
    const exited = new Promise((r) => s.once('exit', r));
    s.kill('SIGKILL');
    await exited;
  };
  return {
    a,
    b,
    unplug,
    async replug() {
      await unplug();
      socat = await link(a, b);
    },
  };
}
