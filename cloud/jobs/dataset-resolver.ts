import { createHash } from 'node:crypto';
import { access, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { extract } from 'tar';
import { datasetKey, type ArtifactStore } from '../store/artifact-store.js';
import { isDatasetName } from './dataset-name.js';
import type { DatasetRef } from './job-types.js';

export class DatasetRefError extends Error {
  readonly code = 'dataset-unknown';
  constructor(message: string) {
    super(message);
    this.name = 'DatasetRefError';
  }
}

export interface DatasetResolverOptions {
  /** Folders the service offers by name (`--datasets <dir>`: each subfolder is one dataset). */
  readonly datasetsDir?: string;
  readonly artifacts: ArtifactStore;
  /** Where uploaded archives are unpacked, once per archive content. */
  readonly cacheDir: string;
}

const exists = (p: string) => access(p).then(() => true, () => false);

/** Turns a job's dataset reference into what the trainer opens (`demo` or a local folder). */
export function datasetResolver(o: DatasetResolverOptions): (owner: string, ref: DatasetRef) => Promise<string> {
  return async (owner, ref) => {
    if ('builtin' in ref) return 'demo';
    if ('server' in ref) {
      if (o.datasetsDir === undefined) throw new DatasetRefError(`dataset "${ref.server}": this service offers no named datasets (start it with --datasets <dir>)`);
      if (!isDatasetName(ref.server)) throw new DatasetRefError(`dataset "${ref.server}" is not a valid name`);
      const dir = path.join(o.datasetsDir, ref.server);
      if (!(await exists(dir))) throw new DatasetRefError(`dataset "${ref.server}" is not offered by this service`);
      return dir;
    }
    if (!isDatasetName(ref.uploaded)) throw new DatasetRefError(`dataset "${ref.uploaded}" is not a valid name`);
    const bytes = await o.artifacts.get(datasetKey(owner, ref.uploaded));
    if (bytes === undefined) throw new DatasetRefError(`dataset "${ref.uploaded}" was not uploaded with this token (PUT /datasets/${ref.uploaded})`);
    // Keyed by content, so a re-upload under the same name never mixes with an older unpacking.
    const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 32);
    const dir = path.join(o.cacheDir, digest);
    if (await exists(dir)) return dir;
    const tmp = `${dir}.${process.pid}.${Date.now()}.tmp`;
    await mkdir(tmp, { recursive: true });
    try {
      const archive = path.join(tmp, '..', `${path.basename(tmp)}.tar`);
      await writeFile(archive, bytes);
      try {
        // strict: a corrupt archive is an error, not a partial folder; no absolute paths or '..'.
        await extract({ file: archive, cwd: tmp, strict: true });
      } finally {
        await rm(archive, { force: true });
      }
      await rename(tmp, dir).catch(async (e: unknown) => {
        // Another worker unpacked the same archive first: theirs is identical.
        if (!(await exists(dir))) throw e;
      });
    } catch (e) {
      await rm(tmp, { recursive: true, force: true });
      throw new DatasetRefError(`dataset "${ref.uploaded}": the uploaded archive could not be unpacked (${(e as Error).message})`);
    }
    await rm(tmp, { recursive: true, force: true });
    return dir;
  };
}
