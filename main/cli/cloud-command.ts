import { homedir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { createBullmqDispatcher } from '../../cloud/queue/bullmq-dispatcher.js';
import { DEFAULT_PREFIX, QUEUE_NAME, QueueConfigError } from '../../cloud/queue/bullmq-protocol.js';
import type { DispatcherFactory } from '../../cloud/queue/job-dispatcher.js';
import { localDispatcher } from '../../cloud/queue/local-dispatcher.js';
import { startCloudService } from '../../cloud/server/cloud-service.js';
import { MIB } from '../../cloud/server/service-app.js';
import { openServiceDatabase, serviceDatabaseFile } from '../../cloud/store/service-database.js';
import { SqliteTokenStore } from '../../cloud/store/sqlite-token-store.js';
import { DirectoryArtifactStore } from '../../cloud/store/directory-artifact-store.js';
import { CliError } from './cli-error.js';
import { checkQueueFlags } from './queue-flags.js';

/** A refusal of `reframe cloud …` that is not a usage mistake (exit 1): no such token, a port in use. */
export class CloudCommandError extends Error {
  readonly code = 'cloud-command';
  constructor(message: string) {
    super(message);
    this.name = 'CloudCommandError';
  }
}

export interface CloudServeOptions {
  readonly port: string;
  readonly host: string;
  readonly data: string;
  readonly datasets?: string;
  readonly workers: string;
  readonly maxUpload: string;
  /** Scale-out mode: jobs go to BullMQ on this Redis, trained by `reframe cloud worker` processes. */
  readonly redis?: string;
  readonly prefix: string;
  /** The artifact folder (default `<data>/artifacts`); in scale-out mode every worker must reach it. */
  readonly artifacts?: string;
}

const defaultDataDir = () => process.env['REFRAME_CLOUD_DATA'] ?? path.join(homedir(), 'reframe-cloud');

function wholeNumber(value: string, flag: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new CliError(`${flag} must be a whole number from ${min} to ${max}, got "${value}"`);
  return n;
}

function positive(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a number > 0, got "${value}"`);
  return n;
}

const stamp = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);

/**
 * How the service runs its jobs. Default: in-process workers over the SQLite queue.
 * Scale-out hook: `--redis <url>` selects the BullMQ dispatcher here (and `mode: 'bullmq'`), with
 * `reframe cloud worker --redis <url>` processes doing the training.
 */
function chooseDispatcher(o: CloudServeOptions): { readonly factory: DispatcherFactory; readonly mode: string; readonly describe: string } {
  if (o.redis !== undefined) {
    const where = checkQueueFlags({ redis: o.redis, prefix: o.prefix });
    return {
      factory: createBullmqDispatcher({ redisUrl: o.redis, prefix: o.prefix }),
      mode: 'bullmq',
      describe: `BullMQ queue ${o.prefix}:${QUEUE_NAME} on ${where.protocol}//${where.host}, trained by \`reframe cloud worker\` processes`,
    };
  }
  const workers = wholeNumber(o.workers, '--workers', 1, 64);
  return { factory: localDispatcher({ concurrency: workers }), mode: 'sqlite', describe: `SQLite queue, ${workers} in-process worker${workers === 1 ? '' : 's'}` };
}

/** The Redis URL for a log line: a password in it is not printed. */
function withoutSecret(redis: string): string {
  const url = new URL(redis);
  if (url.password === '') return redis;
  url.password = 'PASSWORD';
  return url.href;
}

/** `reframe cloud serve`: runs until SIGINT or SIGTERM; jobs running then are run again at the next start. */
export async function cloudServeCommand(o: CloudServeOptions, out: (text: string) => void): Promise<void> {
  const port = wholeNumber(o.port, '--port', 0, 65535);
  const maxUploadBytes = Math.round(positive(o.maxUpload, '--max-upload') * MIB);
  const dispatcher = chooseDispatcher(o);
  const dataDir = path.resolve(o.data);
  let service;
  try {
    service = await startCloudService({
      dataDir,
      host: o.host,
      port,
      dispatcher: dispatcher.factory,
      mode: dispatcher.mode,
      ...(o.artifacts === undefined ? {} : { artifacts: new DirectoryArtifactStore(path.resolve(o.artifacts)) }),
      maxUploadBytes,
      log: stamp,
      ...(o.datasets === undefined ? {} : { datasetsDir: path.resolve(o.datasets) }),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CloudCommandError(`port ${port} on ${o.host} is already in use (choose another with --port)`);
    if (code === 'EADDRNOTAVAIL') throw new CloudCommandError(`${o.host} is not an address of this machine (--host)`);
    if (e instanceof QueueConfigError) throw new CloudCommandError(e.message);
    throw e;
  }
  out(`reframe cloud service listening on ${service.url} (${dispatcher.describe}; data in ${dataDir})\n`);
  if (o.redis !== undefined) out(`workers: reframe cloud worker --redis ${withoutSecret(o.redis)} --artifacts ${path.resolve(o.artifacts ?? path.join(dataDir, 'artifacts'))}${o.datasets === undefined ? '' : ` --datasets ${path.resolve(o.datasets)}`}${o.prefix === DEFAULT_PREFIX ? '' : ` --prefix ${o.prefix}`}\n`);
  if (service.tokens.activeCount() === 0) {
    out(`no tokens yet: create one with \`reframe cloud token create <name> --data ${dataDir}\` and send it as "Authorization: Bearer <token>"\n`);
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stamp('stopping: running jobs will run again at the next start');
      void service.close().then(resolve, (e: unknown) => {
        stamp(`stopping failed: ${(e as Error).message}`);
        resolve();
      });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}

function withTokens<T>(data: string, f: (tokens: SqliteTokenStore) => T): T {
  const db = openServiceDatabase(path.resolve(data));
  try {
    return f(new SqliteTokenStore(db));
  } finally {
    db.close();
  }
}

export function cloudTokenCreate(name: string, o: { data: string }): string {
  if (name.trim() === '' || name.length > 100) throw new CliError('the token name must be 1 to 100 characters');
  const t = withTokens(o.data, (tokens) => tokens.create(name));
  return [
    `created token ${t.id} (${name.trim()}) in ${serviceDatabaseFile(path.resolve(o.data))}`,
    'the token (shown only now; the service keeps only its hash):',
    t.token,
    '',
  ].join('\n');
}

export function cloudTokenList(o: { data: string; json: boolean }): string {
  const list = withTokens(o.data, (tokens) => tokens.list());
  if (o.json) return `${JSON.stringify(list, null, 2)}\n`;
  if (list.length === 0) return 'no tokens (reframe cloud token create <name>)\n';
  const width = Math.max(...list.map((t) => t.name.length), 4);
  return `${list.map((t) => `${t.id}  ${t.name.padEnd(width)}  created ${t.createdAt}${t.revokedAt === undefined ? '' : `  revoked ${t.revokedAt}`}`).join('\n')}\n`;
}

export function cloudTokenRevoke(id: string, o: { data: string }): string {
  if (!withTokens(o.data, (tokens) => tokens.revoke(id))) throw new CloudCommandError(`no token ${id} in ${serviceDatabaseFile(path.resolve(o.data))} (reframe cloud token list)`);
  return `revoked ${id}: requests with it now get 401\n`;
}

/** Adds `reframe cloud serve` and `reframe cloud token create|list|revoke`. */
export function addCloudCommands(program: Command, out: (text: string) => void): Command {
  const cloud = program.command('cloud').description('the cloud training service: serve the HTTP API, manage its bearer tokens (docs/cloud.md)');
  cloud
    .command('serve')
    .description('run the training service: HTTP API, job queue and workers in this process')
    .option('--port <n>', 'TCP port (0 picks a free one)', '8080')
    .option('--host <address>', 'address to listen on (0.0.0.0 for every interface)', '127.0.0.1')
    .option('--data <dir>', 'service database, packages and uploads ($REFRAME_CLOUD_DATA when set)', defaultDataDir())
    .option('--datasets <dir>', 'offer each subfolder of this folder as a dataset jobs name as {"server": name}')
    .option('--workers <n>', 'jobs trained at once', '1')
    .option('--max-upload <MiB>', 'largest dataset archive accepted', '256')
    .option('--redis <url>', 'scale out: queue jobs in BullMQ on this Redis for `reframe cloud worker` processes (--workers then does not apply)')
    .option('--artifacts <dir>', 'packages and uploads (default <data>/artifacts); with --redis, a folder every worker reaches')
    .option('--prefix <name>', 'Redis key prefix with --redis (as the workers\' --prefix)', DEFAULT_PREFIX)
    .action(async (o: CloudServeOptions) => cloudServeCommand(o, out));
  const token = cloud.command('token').description('bearer tokens: each sees only the jobs it submitted');
  const data = ['--data <dir>', 'the service data folder (as for serve)', defaultDataDir()] as const;
  token
    .command('create')
    .description('make a token and print it once')
    .argument('<name>', 'who or what uses it, e.g. "ci" or "alice"')
    .option(...data)
    .action((name: string, o: { data: string }) => out(cloudTokenCreate(name, o)));
  token
    .command('list')
    .description('tokens with their ids, names and dates (never the tokens)')
    .option(...data)
    .option('--json', 'machine-readable output', false)
    .action((o: { data: string; json: boolean }) => out(cloudTokenList(o)));
  token
    .command('revoke')
    .description('stop a token from working')
    .argument('<id>', 'token id from `token list` (tok_…)')
    .option(...data)
    .action((id: string, o: { data: string }) => out(cloudTokenRevoke(id, o)));
  return cloud;
}
