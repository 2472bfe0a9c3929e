import { readFile } from 'node:fs/promises';
import { loadSpecText, type LoadedSpec } from '../spec/load-spec.js';

export class SpecFileError extends Error {
  constructor(
    readonly code: 'spec-file-unreadable',
    message: string,
  ) {
    super(message);
    this.name = 'SpecFileError';
  }
}

/** Reads and fully checks a spec file; throws `SpecError` for a bad spec, `SpecFileError` for a bad path. */
export async function readSpecFile(path: string): Promise<LoadedSpec> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new SpecFileError('spec-file-unreadable', `cannot read spec file ${path}: ${reason}`);
  }
  return loadSpecText(text);
}
