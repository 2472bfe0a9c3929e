import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Vitest global setup: one incremental `tsc -b` before any test, so tests that run the compiled CLI
 * never see a stale dist (and two test files never build at once).
 */
export async function setup(): Promise<void> {
  const root = fileURLToPath(new URL('../..', import.meta.url));
  await new Promise<void>((resolve, reject) => {
    execFile(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b'], { cwd: root }, (error, stdout) =>
      error === null ? resolve() : reject(new Error(`tsc -b failed before the tests:\n${stdout}`)),
    );
  });
}
