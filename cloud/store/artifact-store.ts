/**
 * Where packages and uploaded datasets live, shared by the service and every worker. The directory
 * store is the one shipped; an object store (S3, GCS) implements the same five calls: put is a whole
 * object write that is visible all at once or not at all, get returns undefined for a missing key,
 * has is a metadata look-up (HEAD) that reads no bytes.
 * Keys are relative paths such as `packages/<job id>.rfpk` or `datasets/<owner>/<name>.tar`.
 */
export interface ArtifactStore {
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  has(key: string): Promise<boolean>;
  /** A local file holding the object, for readers that need a path (a dataset to open). */
  localPath(key: string): Promise<string | undefined>;
  delete(key: string): Promise<void>;
}

export const packageKey = (jobId: string): string => `packages/${jobId}.rfpk`;
export const datasetKey = (owner: string, name: string): string => `datasets/${owner}/${name}.tar`;
