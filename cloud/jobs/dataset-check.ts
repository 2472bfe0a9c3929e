import { stat } from 'node:fs/promises';
import path from 'node:path';
import { datasetKey, type ArtifactStore } from '../store/artifact-store.js';
import { isDatasetName } from './dataset-name.js';
import type { DatasetRef } from './job-types.js';

export interface DatasetCheckOptions {
  readonly datasetsDir?: string;
  readonly artifacts: ArtifactStore;
}

/**
 * At submission: can a job use this dataset? The answer a client gets at once (400) instead of a
 * job that fails minutes later. Returns why not, or undefined. Archives are not unpacked here.
 */
export function datasetCheck(o: DatasetCheckOptions): (owner: string, ref: DatasetRef) => Promise<string | undefined> {
  return async (owner, ref) => {
    if ('builtin' in ref) return undefined;
    const name = 'server' in ref ? ref.server : ref.uploaded;
    if (!isDatasetName(name)) return `dataset name ${JSON.stringify(name)} is not valid: letters, digits, ".", "_" and "-", up to 64`;
    if ('server' in ref) {
      if (o.datasetsDir === undefined) return `dataset "${name}": this service offers no named datasets (start it with --datasets <dir>)`;
      const info = await stat(path.join(o.datasetsDir, name)).catch(() => undefined);
      return info?.isDirectory() === true ? undefined : `dataset "${name}" is not offered by this service`;
    }
    return (await o.artifacts.has(datasetKey(owner, name))) ? undefined : `dataset "${name}" was not uploaded with this token (PUT /datasets/${name} first)`;
  };
}
