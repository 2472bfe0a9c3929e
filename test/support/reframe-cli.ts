import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The real CLI in a child process, as a user or a CI pipeline runs it: bin/reframe.mjs over the
// compiled dist (vitest's global setup brings dist up to date before any test runs).

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'reframe.mjs');

/** Each CLI test starts a few Node processes; leave room for a busy two-core CI machine. */
export const SLOW = { timeout: 30_000 };

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function reframe(...args: string[]): Promise<Run> {
  return reframeWithEnv({}, ...args);
}

/** The CLI with extra environment variables (a token that must not appear in the arguments). */
export function reframeWithEnv(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 32 * 1024 * 1024, env: { ...process.env, ...env } }, (error, stdout, stderr) => {
      // A numeric code is the CLI's own exit status; anything else means the process never ran.
      if (error !== null && typeof error.code !== 'number') reject(error);
      else resolve({ code: error === null ? 0 : (error.code as number), stdout, stderr });
    });
  });
}
