import path from 'node:path';
import type { StoreFs } from './store-fs.js';

interface Inode {
  /** What a running process reads. */
  data: Uint8Array;
  /** What survives a power cut: the content at the last fsync (empty if never synced). */
  durable: Uint8Array;
}

/**
 * An in-memory file system with a disk's worst-case memory: file bytes survive a power cut only
 * once fsynced, and a directory's names (creations, renames, removals) only once the directory is
 * fsynced. powerCut() returns what a restart would find.
 */
export class PowerLossFs implements StoreFs {
  private nextInode = 1;
  private readonly inodes = new Map<number, Inode>();
  /** Path → inode, as processes see it. */
  private readonly names = new Map<string, number>();
  /** Path → inode, as the disk has it. */
  private readonly durableNames = new Map<string, number>();

  read(file: string): Promise<Uint8Array | undefined> {
    const n = this.names.get(file);
    return Promise.resolve(n === undefined ? undefined : (this.inodes.get(n) as Inode).data.slice());
  }

  size(file: string): Promise<number | undefined> {
    const n = this.names.get(file);
    return Promise.resolve(n === undefined ? undefined : (this.inodes.get(n) as Inode).data.length);
  }

  write(file: string, data: Uint8Array): Promise<void> {
    this.inode(file, true).data = data.slice();
    return Promise.resolve();
  }

  writeAt(file: string, offset: number, data: Uint8Array): Promise<void> {
    const node = this.inode(file, true);
    const out = new Uint8Array(Math.max(node.data.length, offset + data.length));
    out.set(node.data);
    out.set(data, offset);
    node.data = out;
    return Promise.resolve();
  }

  sync(file: string): Promise<void> {
    const node = this.inode(file, false);
    node.durable = node.data.slice();
    return Promise.resolve();
  }

  syncDir(dir: string): Promise<void> {
    for (const p of [...this.durableNames.keys()]) if (path.dirname(p) === dir) this.durableNames.delete(p);
    for (const [p, n] of this.names) if (path.dirname(p) === dir) this.durableNames.set(p, n);
    return Promise.resolve();
  }

  rename(from: string, to: string): Promise<void> {
    const n = this.names.get(from);
    if (n === undefined) return Promise.reject(enoent(from));
    this.names.delete(from);
    this.names.set(to, n);
    return Promise.resolve();
  }

  remove(file: string): Promise<void> {
    this.names.delete(file);
    return Promise.resolve();
  }

  list(dir: string): Promise<string[]> {
    return Promise.resolve([...this.names.keys()].filter((p) => path.dirname(p) === dir).map((p) => path.basename(p)));
  }

  mkdir(): Promise<void> {
    return Promise.resolve();
  }

  /** The disk after the power comes back: durable names pointing at durable bytes. */
  powerCut(): PowerLossFs {
    const after = new PowerLossFs();
    for (const [p, n] of this.durableNames) {
      const node = this.inodes.get(n) as Inode;
      const id = after.nextInode++;
      after.inodes.set(id, { data: node.durable.slice(), durable: node.durable.slice() });
      after.names.set(p, id);
      after.durableNames.set(p, id);
    }
    return after;
  }

  private inode(file: string, create: boolean): Inode {
    const n = this.names.get(file);
    if (n !== undefined) return this.inodes.get(n) as Inode;
    if (!create) throw enoent(file);
    const id = this.nextInode++;
    const node = { data: new Uint8Array(0), durable: new Uint8Array(0) };
    this.inodes.set(id, node);
    this.names.set(file, id);
    return node;
  }
}

function enoent(file: string): Error {
  return Object.assign(new Error(`ENOENT: no such file, ${file}`), { code: 'ENOENT' });
}

const MUTATING = new Set<keyof StoreFs>(['write', 'writeAt', 'sync', 'syncDir', 'rename', 'remove', 'mkdir']);

export class SimulatedCrash extends Error {
  constructor(step: number) {
    super(`simulated crash at step ${step}`);
    this.name = 'SimulatedCrash';
  }
}

/**
 * Wraps a StoreFs so that the process "dies" at its `crashAt`-th changing call (1-based): that call
 * and every later one throw without touching the disk, as nothing runs after a crash. `steps` counts
 * the changing calls made, so a test can run a whole operation once to learn how many there are.
 */
export function crashingFs(inner: StoreFs, crashAt = Infinity): StoreFs & { readonly steps: number; readonly crashed: boolean } {
  let steps = 0;
  let crashed = false;
  const wrapped = {} as Record<keyof StoreFs, (...args: never[]) => Promise<unknown>>;
  for (const key of ['read', 'size', 'write', 'writeAt', 'sync', 'syncDir', 'rename', 'remove', 'list', 'mkdir'] as const) wrapped[key] = wrap(key);
  function wrap(key: keyof StoreFs) {
    return (...args: never[]): Promise<unknown> => {
      if (crashed) return Promise.reject(new SimulatedCrash(steps));
      if (MUTATING.has(key)) {
        steps++;
        if (steps >= crashAt) {
          crashed = true;
          return Promise.reject(new SimulatedCrash(steps));
        }
      }
      return (inner[key] as (...a: never[]) => Promise<unknown>).apply(inner, args);
    };
  }
  // Getters, not Object.assign: the counts must be read live.
  return Object.defineProperties(wrapped as unknown as StoreFs & { readonly steps: number; readonly crashed: boolean }, {
    steps: { get: () => steps },
    crashed: { get: () => crashed },
  });
}
