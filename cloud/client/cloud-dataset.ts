import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { create } from 'tar';
import { isDatasetName } from '../jobs/dataset-name.js';
import type { DatasetRef } from '../jobs/job-types.js';
import type { CloudClient } from './cloud-client.js';

/** How a data source names a folder the service offers (`--datasets`) rather than one of this machine. */
export const SERVICE_DATASET_PREFIX = 'service:';

/** What is wrong with a data source, so each client can word it in its own terms (a flag, a form field). */
export type CloudDatasetProblem = 'missing' | 'not-a-folder' | 'bad-name';

/** A data source a cloud job cannot take, said in a sentence; nothing was sent. */
export class CloudDatasetError extends Error {
  readonly code = 'bad-dataset';
  constructor(
    readonly problem: CloudDatasetProblem,
    message: string,
  ) {
    super(message);
    this.name = 'CloudDatasetError';
  }
}

async function tarFolder(dir: string): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Buffer[] = [];
  // portable: no owner ids or modes of this machine in the archive, so the same data packs the same.
  const stream = create({ cwd: dir, portable: true, noMtime: true }, ['.']);
  for await (const chunk of stream as AsyncIterable<Buffer>) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The upload name of a folder: its own name made plain, then a digest of the archive. */
export function uploadName(folder: string, tar: Uint8Array): string {
  const base = path.basename(path.resolve(folder)).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '').replace(/\.{2,}/g, '.').slice(0, 40) || 'data';
  return `${base}-${createHash('sha256').update(tar).digest('hex').slice(0, 12)}`;
}

/** "service:<name>" as the dataset reference it stands for, or undefined for any other source. */
export function serviceDataset(data: string): DatasetRef | undefined {
  if (!data.startsWith(SERVICE_DATASET_PREFIX)) return undefined;
  const name = data.slice(SERVICE_DATASET_PREFIX.length);
  if (!isDatasetName(name)) throw new CloudDatasetError('bad-name', `"${name}" is not a dataset name the service can offer: letters, digits, ".", "_" and "-", up to 64, starting with a letter or digit`);
  return { server: name };
}

/**
 * The data of a cloud job, as `reframe train --cloud` and the studio name it: "demo", "service:<name>"
 * (a folder the service offers), or a local folder, uploaded as a tar archive named after the folder
 * and its content (an unchanged folder is the same name, so the service keeps one copy). The signal
 * stops an upload under way.
 */
export async function cloudDataset(client: CloudClient, data: string, log: (line: string) => void, signal?: AbortSignal): Promise<DatasetRef> {
  if (data === 'demo') return { builtin: 'demo' };
  const offered = serviceDataset(data);
  if (offered !== undefined) return offered;
  const info = await stat(data).catch(() => undefined);
  if (info === undefined) throw new CloudDatasetError('missing', `${data}: no such folder (a cloud job takes "demo", "service:<name>" or a local folder to upload)`);
  if (!info.isDirectory()) throw new CloudDatasetError('not-a-folder', `${data}: a cloud job needs the folder holding the data files, not a file (the whole folder is uploaded)`);
  const tar = await tarFolder(data);
  const name = uploadName(data, tar);
  log(`uploading ${data} (${(tar.length / 1048576).toFixed(1)} MiB) as dataset ${name}`);
  await client.uploadDataset(name, tar, signal === undefined ? {} : { signal });
  return { uploaded: name };
}
