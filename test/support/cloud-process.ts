import { join } from 'node:path';
import { startReadyProcess } from '../../bench/support/ready-process.js';
import { ROOT } from './reframe-cli.js';

/** `reframe cloud serve` in its own process, so a test can kill it like a crash. */
export interface CloudProcess {
  readonly url: string;
  log(): string;
  /** SIGKILL: no clean-up runs. */
  kill(): Promise<void>;
  /** SIGTERM and wait for the clean exit. */
  stop(): Promise<number | null>;
}

export async function startCloudProcess(args: readonly string[], timeoutMs = 30_000): Promise<CloudProcess> {
  const proc = await startReadyProcess(process.execPath, [join(ROOT, 'bin', 'reframe.mjs'), 'cloud', 'serve', '--port', '0', ...args], {
    what: 'reframe cloud serve',
    readyLine: /listening on (http:\/\/\S+)/,
    cwd: ROOT,
    timeoutMs,
  });
  return { url: proc.ready[1] as string, log: () => `${proc.stdout()}${proc.stderr()}`, kill: proc.kill, stop: proc.stop };
}
