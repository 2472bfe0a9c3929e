import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../protocol/file-digest.js';

/** Packages kept; the oldest pushed go first. A delta needs only the one a board runs. */
export const KEEP_PUSHED = 16;

/** `$XDG_CACHE_HOME/reframe/pushed`, else `~/.cache/reframe/pushed`. */
export function pushedDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  // The XDG spec ignores a relative value.
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.cache');
  return path.join(base, 'reframe', 'pushed');
}

/**
 * The packages this studio has pushed, by file SHA-256: when a board reports that it runs one of them,
 * the next push can be a delta from it without the user naming the base. A cache: losing it costs a
 * full push, never correctness (the board checks every delta against what it runs).
 */
export class PushedPackages {
  constructor(readonly dir: string = pushedDir()) {}

  async remember(bytes: Uint8Array): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomically(path.join(this.dir, `${toHex(fileDigest(bytes))}.rfpk`), bytes);
    const files = await this.files();
    for (const old of files.slice(0, Math.max(0, files.length - KEEP_PUSHED))) await rm(old.file, { force: true });
  }

  /** The package with this file SHA-256, if it is here and intact. */
  async find(digest: Uint8Array): Promise<Uint8Array | undefined> {
    const bytes = await readFile(path.join(this.dir, `${toHex(digest)}.rfpk`)).catch(() => undefined);
    if (bytes === undefined) return undefined;
    const held = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    return toHex(fileDigest(held)) === toHex(digest) ? held : undefined;
  }

  /** Oldest first. */
  private async files(): Promise<{ file: string; mtime: number }[]> {
    const names = (await readdir(this.dir).catch(() => [] as string[])).filter((n) => /^[0-9a-f]{64}\.rfpk$/.test(n));
    const entries = await Promise.all(names.map(async (n) => ({ file: path.join(this.dir, n), mtime: (await stat(path.join(this.dir, n))).mtimeMs })));
    return entries.sort((a, b) => a.mtime - b.mtime);
  }
}
