import { hostname } from 'node:os';
import { resolve } from 'node:path';
import type { EnginePreference } from '../../core/node/engine/tf-engine.js';
import { loadVerifier } from '../../core/node/package-keys.js';
import { serveSerial, serveTcp, type AgentServerOptions, type RunningAgent } from '../../devices/agent/agent-server.js';
import { DEFAULT_TCP_PORT } from '../../devices/transport/tcp-transport.js';
import { CliError } from './cli-error.js';

export interface AgentCommandOptions {
  readonly serial?: string;
  readonly listen?: string;
  readonly store: string;
  readonly requireSignature: boolean;
  readonly trust?: string[];
  readonly baud?: string;
  readonly name?: string;
  readonly storageLimit: string;
  readonly mdns: boolean;
  readonly engine: EnginePreference;
}

export const DEFAULT_STORAGE_LIMIT = '64M';

/** `host:port`, `[v6 address]:port`, or `:port` for every interface. */
export function parseListen(value: string): { host: string; port: number } {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(value);
  const port = Number(m?.[3]);
  if (m === null || port > 65535) throw new CliError(`--listen takes host:port (e.g. 0.0.0.0:${DEFAULT_TCP_PORT}, [::1]:${DEFAULT_TCP_PORT} or :${DEFAULT_TCP_PORT}), got "${value}"`);
  const host = m[1] ?? m[2] ?? '';
  return { host: host === '' ? '0.0.0.0' : host, port };
}

/** Bytes, or a number with a binary suffix: 500000, 512K, 64M, 2G. */
export function parseSize(value: string, flag: string): number {
  const m = /^(\d+)([KMG]?)(i?B)?$/i.exec(value.trim());
  const scale = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[(m?.[2] ?? '').toUpperCase()];
  const n = m === null || scale === undefined ? NaN : Number(m[1]) * scale;
  if (!Number.isSafeInteger(n) || n <= 0) throw new CliError(`${flag} takes a size in bytes, optionally with K, M or G (e.g. 64M), got "${value}"`);
  return n;
}

function time(): string {
  return new Date().toTimeString().slice(0, 8);
}

/**
 * `reframe agent`: serves the push protocol on a serial port or a TCP address until SIGINT or
 * SIGTERM, with its packages in --store. Prints one line to stdout when ready; sessions and commits
 * go to stderr.
 */
export async function agentCommand(o: AgentCommandOptions): Promise<void> {
  if ((o.serial === undefined) === (o.listen === undefined)) throw new CliError('give exactly one of --serial <path> and --listen <host:port>');
  if (o.requireSignature && (o.trust ?? []).length === 0) throw new CliError('--require-signature needs at least one --trust <public key file> (make a key pair with reframe keygen)');
  const baud = o.baud === undefined ? undefined : Number(o.baud);
  if (baud !== undefined && (!Number.isInteger(baud) || baud <= 0)) throw new CliError(`--baud takes a positive whole number, got "${o.baud}"`);
  const listen = o.listen === undefined ? undefined : parseListen(o.listen);
  const store = resolve(o.store);
  const trust = o.trust ?? [];
  const options: AgentServerOptions = {
    store,
    name: o.name ?? hostname(),
    requireSignature: o.requireSignature,
    verifier: trust.length === 0 ? undefined : await loadVerifier(trust),
    storageLimit: parseSize(o.storageLimit, '--storage-limit'),
    ...(baud === undefined ? {} : { baud }),
    engine: o.engine,
    report: (sentence) => process.stderr.write(`${time()} agent: ${sentence}\n`),
  };

  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const running: RunningAgent = await (listen === undefined ? serveSerial(o.serial as string, options) : serveTcp(listen.host, listen.port, { ...options, mdns: o.mdns })).catch((error: unknown) => {
      // A store the agent cannot create or write is a problem with the command line, told in one line.
      const code = (error as NodeJS.ErrnoException).code;
      if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) throw new CliError(`cannot use --store ${store}: ${(error as Error).message}`);
      throw error;
    });
    const policy = o.requireSignature ? `, signatures required (${trust.length} trusted key${trust.length === 1 ? '' : 's'})` : '';
    process.stdout.write(`agent ready on ${running.where} (store ${store}, ${running.describeActive()}${policy})\n`);
    await stopped;
    options.report('stopping');
    await running.stop();
    options.report('stopped');
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
