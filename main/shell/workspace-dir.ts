import { homedir } from 'node:os';
import path from 'node:path';

/**
 * The studio's workspace when none is given: `$REFRAME_WORKSPACE`, else `~/reframe-workspace`. Packages
 * and runs go there, so it should outlive a checkout of the code.
 */
export function defaultWorkspace(env: NodeJS.ProcessEnv = process.env): string {
  const given = env['REFRAME_WORKSPACE'];
  return given !== undefined && given !== '' ? path.resolve(given) : path.join(homedir(), 'reframe-workspace');
}
