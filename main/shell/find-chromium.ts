import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';

/** Browsers that take `--app=URL`, in the order they are tried: Debian's Chromium first (DESIGN.md §6). */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'] as const;

const executable = (file: string): Promise<boolean> => access(file, constants.X_OK).then(() => true, () => false);

/** The first Chromium or Chrome on PATH (then /usr/bin/chromium itself), or undefined when there is none. */
export async function findChromium(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const dirs = (env['PATH'] ?? '').split(path.delimiter).filter((d) => d !== '');
  for (const name of CHROMIUM_NAMES) {
    for (const dir of dirs) {
      const file = path.join(dir, name);
      if (await executable(file)) return file;
    }
  }
  return (await executable('/usr/bin/chromium')) ? '/usr/bin/chromium' : undefined;
}
