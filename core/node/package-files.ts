import { readFile } from 'node:fs/promises';

export class PackageFileError extends Error {
  readonly code = 'package-file-unreadable';
  constructor(message: string) {
    super(message);
    this.name = 'PackageFileError';
  }
}

export async function readPackageFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PackageFileError(`cannot read package ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message}`);
  }
}
