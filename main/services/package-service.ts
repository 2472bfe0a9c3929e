import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { PackageDetails, PackageEntry, StudioApi, WeightDtypeName } from '../contract/studio-api.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { makeDelta } from '../../core/package/delta-package.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import { deltaPackageDetails, diffPackageDetails, fullPackageDetails, isDeltaBytes, isSignedBytes } from './package-details.js';
import type { RecentFiles } from './recent-files.js';
import { checkPath } from './request-checks.js';
import { ServiceError } from './service-error.js';
import { insideWorkspace, resolvePath, type StudioContext } from './studio-context.js';

export const PACKAGE_EXTENSION = '.rfpk';

type PackageApi = Pick<StudioApi, 'listPackages' | 'inspectPackage' | 'diffPackages' | 'deletePackage'>;

export interface PackageService extends PackageApi {
  /** The workspace package whose file SHA-256 is this one, if any (boards report digests). */
  findByDigest(sha256: string): Promise<string | undefined>;
}

async function entryOf(file: string, size: number, mtime: Date): Promise<PackageEntry> {
  const bytes = await readPackageFile(file);
  const kind = isDeltaBytes(bytes) ? 'delta' : 'full';
  let model: string | null = null;
  let weightDtype: WeightDtypeName | null = null;
  let problem: string | null = null;
  try {
    if (kind === 'full') ({ graph: { name: model }, weightDtype } = decodePackage(bytes));
    else deltaPackageDetails(file, bytes);
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  const signed = isSignedBytes(bytes);
  return { path: file, fileName: path.basename(file), bytes: size, modified: mtime.toISOString(), kind, model, weightDtype, signed, sha256: toHex(fileDigest(bytes)), problem };
}

/** Packages in the workspace: listed (decoded once per file version), inspected, compared, deleted. */
export function createPackageService(ctx: StudioContext, recent: RecentFiles): PackageService {
  // Reading and hashing every package on every listing would cost seconds for large models.
  const cache = new Map<string, { key: string; entry: PackageEntry }>();

  const listPackages = async (): Promise<PackageEntry[]> => {
    const names = await readdir(ctx.workspace).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [] as string[];
      throw error;
    });
    const entries: PackageEntry[] = [];
    const seen = new Set<string>();
    for (const name of names.filter((n) => n.endsWith(PACKAGE_EXTENSION) && !n.startsWith('.'))) {
      const file = path.join(ctx.workspace, name);
      const info = await stat(file).catch(() => undefined);
      if (info === undefined || !info.isFile()) continue;
      seen.add(file);
      const key = `${info.size}:${info.mtimeMs}`;
      const cached = cache.get(file);
      if (cached?.key === key) {
        entries.push(cached.entry);
        continue;
      }
      const entry = await entryOf(file, info.size, info.mtime).catch(() => undefined);
      if (entry === undefined) continue;
      cache.set(file, { key, entry });
      entries.push(entry);
    }
    for (const file of cache.keys()) if (!seen.has(file)) cache.delete(file);
    return entries.sort((a, b) => b.modified.localeCompare(a.modified) || a.fileName.localeCompare(b.fileName));
  };

  const open = async (given: unknown) => {
    const file = resolvePath(ctx, checkPath(given));
    return { file, bytes: await readPackageFile(file) };
  };

  return {
    listPackages,

    async inspectPackage(given): Promise<PackageDetails> {
      const { file, bytes } = await open(given);
      const details = isDeltaBytes(bytes) ? deltaPackageDetails(file, bytes) : fullPackageDetails(file, bytes, decodePackage(bytes));
      await recent.touch(file, 'package').catch(() => undefined);
      return details;
    },

    async diffPackages(a, b) {
      const [pa, pb] = [await open(a), await open(b)];
      for (const p of [pa, pb]) {
        if (isDeltaBytes(p.bytes)) throw new ServiceError('is-delta', `${p.file} is a delta, not a package`, 'compare two full packages; a delta lists what it changes when you inspect it');
      }
      const diff = diffPackageDetails(pa.file, decodePackage(pa.bytes), pb.file, decodePackage(pb.bytes));
      return { ...diff, deltaBytes: makeDelta(pa.bytes, pb.bytes).length };
    },

    async deletePackage(given) {
      const file = insideWorkspace(ctx, checkPath(given));
      if (!file.endsWith(PACKAGE_EXTENSION)) throw new ServiceError('not-a-package', `${file} is not a ${PACKAGE_EXTENSION} file`, 'the studio deletes only package files');
      try {
        await rm(file);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new ServiceError('not-found', `${file} does not exist`, 'refresh the package list');
        throw error;
      }
      cache.delete(file);
    },

    async findByDigest(sha256) {
      return (await listPackages()).find((e) => e.sha256 === sha256)?.path;
    },
  };
}
