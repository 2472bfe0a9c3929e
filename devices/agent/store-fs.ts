import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * The file operations the agent's stores make, one call per step. Stores take it as a parameter so
 * tests can stop them after any step, or drop whatever was not yet durable (a power cut), and check
 * what a restart finds.
 */
export interface StoreFs {
  /** A file's bytes, or undefined when it does not exist. */
  read(file: string): Promise<Uint8Array | undefined>;
  /** Its size in bytes, or undefined when it does not exist. */
  size(file: string): Promise<number | undefined>;
  /** Creates or truncates the file and writes `data`; durable only after sync(). */
  write(file: string, data: Uint8Array): Promise<void>;
  /** Writes `data` at `offset`, creating the file if needed; durable only after sync(). */
  writeAt(file: string, offset: number, data: Uint8Array): Promise<void>;
  /** fsync: the file's bytes reach the disk. */
  sync(file: string): Promise<void>;
  /** fsync of a directory: renames and removals in it reach the disk. */
  syncDir(dir: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; nothing happens when it does not exist. */
  remove(file: string): Promise<void>;
  list(dir: string): Promise<string[]>;
  mkdir(dir: string): Promise<void>;
}

function missing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException).code === 'ENOENT';
}

/** The real file system. */
export const nodeStoreFs: StoreFs = {
  async read(file) {
    try {
      return new Uint8Array(await readFile(file));
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  },
  async size(file) {
    try {
      return (await stat(file)).size;
    } catch (error) {
      if (missing(error)) return undefined;
      throw error;
    }
  },
  async write(file, data) {
    const handle = await open(file, 'w');
    try {
      await handle.writeFile(data);
    } finally {
      await handle.close();
    }
  },
  async writeAt(file, offset, data) {
    // 'r+' keeps what is there; it cannot create, so a missing file is made first.
    const handle = await open(file, 'r+').catch(async (error: unknown) => {
      if (!missing(error)) throw error;
      return open(file, 'w+');
    });
    try {
      let done = 0;
      while (done < data.length) done += (await handle.write(data, done, data.length - done, offset + done)).bytesWritten;
    } finally {
      await handle.close();
    }
  },
  async sync(file) {
    const handle = await open(file, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async syncDir(dir) {
    // A rename is durable only once its directory is: without this a power cut can undo it.
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  rename: (from, to) => rename(from, to),
  remove: (file) => rm(file, { force: true }),
  list: (dir) => readdir(dir),
  async mkdir(dir) {
    await mkdir(dir, { recursive: true });
  },
};

/**
 * Replaces `dir/name` so that after a crash or power cut it holds the old content or the new, whole:
 * a temporary file, fsync, rename over the target, fsync of the directory.
 */
export async function replaceDurably(fs: StoreFs, dir: string, name: string, data: Uint8Array): Promise<void> {
  const temp = path.join(dir, tempName(name));
  await fs.write(temp, data);
  await fs.sync(temp);
  await fs.rename(temp, path.join(dir, name));
  await fs.syncDir(dir);
}

/** Where replaceDurably() writes before the rename; a crash can leave it behind. */
export function tempName(name: string): string {
  return `.${name}.tmp`;
}
