import { readFile, stat } from 'node:fs/promises';
import type { SavedFile, SpecFile, StudioApi } from '../contract/studio-api.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import type { RecentFiles } from './recent-files.js';
import { checkPath } from './request-checks.js';
import { ServiceError } from './service-error.js';
import { resolvePath, type StudioContext } from './studio-context.js';

/** A spec is JSON text; anything bigger than this is not one. */
const MAX_SPEC_BYTES = 16 << 20;

type SpecFileApi = Pick<StudioApi, 'openSpec' | 'saveSpec' | 'recentFiles'>;

function fileProblem(error: unknown, verb: string, file: string): ServiceError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ServiceError('not-found', `cannot ${verb} ${file}: no such file or folder`, verb === 'read' ? 'check the path, or pick a recent file' : 'check that the folder exists');
  if (code === 'EACCES' || code === 'EPERM') return new ServiceError('permission-denied', `cannot ${verb} ${file}: permission denied`, 'choose a file you may ' + verb);
  if (code === 'EISDIR') return new ServiceError('is-a-folder', `cannot ${verb} ${file}: it is a folder`, 'give the path of a .json spec file');
  return new ServiceError('file-error', `cannot ${verb} ${file}: ${(error as Error).message}`, 'check the path and try again');
}

/** Spec files: read as text (the designer checks them), saved atomically, remembered as recent. */
export function createSpecFileService(ctx: StudioContext, recent: RecentFiles): SpecFileApi {
  return {
    async openSpec(given): Promise<SpecFile> {
      const file = resolvePath(ctx, checkPath(given));
      let text: string;
      let modified: Date;
      try {
        const info = await stat(file);
        if (info.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
        if (info.size > MAX_SPEC_BYTES) throw new ServiceError('too-large', `${file} has ${info.size.toLocaleString('en-US')} bytes: too large for a spec`, 'open the .json spec file, not a package or a data file');
        text = await readFile(file, 'utf8');
        modified = info.mtime;
      } catch (error) {
        throw error instanceof ServiceError ? error : fileProblem(error, 'read', file);
      }
      await recent.touch(file, 'spec').catch(() => undefined);
      return { path: file, text, modified: modified.toISOString() };
    },

    async saveSpec(given, text): Promise<SavedFile> {
      const file = resolvePath(ctx, checkPath(given));
      if (typeof text !== 'string') throw new ServiceError('bad-request', 'the spec to save is not text', 'this is a bug in the studio UI: report it');
      const bytes = Buffer.byteLength(text, 'utf8');
      if (bytes > MAX_SPEC_BYTES) throw new ServiceError('too-large', `the spec has ${bytes.toLocaleString('en-US')} bytes, more than a spec may`, 'a spec this large is not a model: check what is being saved');
      try {
        await writeFileAtomically(file, text);
      } catch (error) {
        throw fileProblem(error, 'write', file);
      }
      await recent.touch(file, 'spec').catch(() => undefined);
      return { path: file, bytes };
    },

    recentFiles: () => recent.list(),
  };
}
