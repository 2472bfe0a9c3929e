import { access, mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import type { ArtifactStore } from './artifact-store.js';

/**
 * Artifacts as files under one directory (local disk, or a mount every worker shares). Writes go
 * through a temporary file and a rename, so a reader sees a whole object or none.
 */
export class DirectoryArtifactStore implements ArtifactStore {
  constructor(private readonly root: string) {}

  private file(key: string): string {
    const resolved = path.resolve(this.root, key);
    if (!resolved.startsWith(path.resolve(this.root) + path.sep)) throw new Error(`artifact key "${key}" leaves the store`);
    return resolved;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const file = this.file(key);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomically(file, bytes);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    return readFile(this.file(key)).then(
      (b) => new Uint8Array(b.buffer, b.byteOffset, b.length),
      (e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return undefined;
        throw e;
      },
    );
  }

  async has(key: string): Promise<boolean> {
    return access(this.file(key)).then(() => true, () => false);
  }

  async localPath(key: string): Promise<string | undefined> {
    const file = this.file(key);
    return access(file).then(() => file, () => undefined);
  }

  async delete(key: string): Promise<void> {
    await rm(this.file(key), { force: true });
  }
}
