import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { datasetResolver } from '../../cloud/jobs/dataset-resolver.js';
import { DEFAULT_PREFIX, QUEUE_NAME, QueueConfigError } from '../../cloud/queue/bullmq-protocol.js';
import { startBullmqWorker } from '../../cloud/queue/bullmq-worker.js';
import { DirectoryArtifactStore } from '../../cloud/store/directory-artifact-store.js';
import { CliError } from './cli-error.js';
import { CloudCommandError } from './cloud-command.js';
import { checkQueueFlags } from './queue-flags.js';

export interface CloudWorkerOptions {
  readonly redis: string;
  readonly artifacts: string;
  readonly datasets?: string;
  readonly cache?: string;
  readonly concurrency: string;
  readonly prefix: string;
  readonly lockMs: string;
  readonly stalledMs: string;
}

function whole(value: string, flag: string, least: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < least) throw new CliError(`${flag} takes a whole number ≥ ${least}, got "${value}"`);
  return n;
}

function time(): string {
  return new Date().toTimeString().slice(0, 8);
}

/**
 * `reframe cloud worker`: trains jobs from the service's BullMQ queue until SIGINT or SIGTERM, writing
 * packages to the artifact directory the service reads (a shared mount when on another machine).
 * One line on stdout when ready; one line per job event on stderr. On a signal, running jobs stop
 * within a step and go back to the queue for another worker.
 */
export async function cloudWorkerCommand(o: CloudWorkerOptions): Promise<void> {
  const concurrency = whole(o.concurrency, '--concurrency', 1);
  const lockDurationMs = whole(o.lockMs, '--lock-ms', 1000);
  const stalledIntervalMs = whole(o.stalledMs, '--stalled-ms', 500);
  const where = checkQueueFlags(o);
  const artifactsDir = path.resolve(o.artifacts);
  const artifacts = new DirectoryArtifactStore(artifactsDir);
  const resolveDataset = datasetResolver({
    artifacts,
    cacheDir: path.resolve(o.cache ?? path.join(tmpdir(), 'reframe-worker-datasets')),
    ...(o.datasets === undefined ? {} : { datasetsDir: path.resolve(o.datasets) }),
  });
  const report = (line: string) => process.stderr.write(`${time()} worker: ${line}\n`);

  let stop: () => void = () => undefined;
  const stopped = new Promise<void>((done) => (stop = done));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    const worker = await startBullmqWorker({ redisUrl: o.redis, artifacts, resolveDataset, prefix: o.prefix, concurrency, lockDurationMs, stalledIntervalMs, log: report }).catch((e: unknown) => {
      throw e instanceof QueueConfigError ? new CloudCommandError(e.message) : e;
    });
    process.stdout.write(
      `worker ${worker.name} ready: queue ${o.prefix}:${QUEUE_NAME} on ${where.protocol}//${where.host}, ${concurrency} job(s) at a time, artifacts in ${artifactsDir}${o.datasets === undefined ? '' : `, datasets from ${path.resolve(o.datasets)}`}\n`,
    );
    await stopped;
    report('stopping: running jobs go back to the queue');
    await worker.close();
    report('stopped');
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/** Adds `reframe cloud worker` to the `cloud` command group. */
export function addCloudWorkerCommand(cloud: Command): void {
  cloud
    .command('worker')
    .description('train jobs of a `cloud serve --redis` service: any number of these, on any machine that reaches the Redis and the artifact folder')
    .requiredOption('--redis <url>', 'the Redis the service uses, e.g. redis://queue-host:6379')
    .requiredOption('--artifacts <dir>', 'the artifact folder the service reads packages from (the same folder, or a shared mount)')
    .option('--datasets <dir>', 'the folder of datasets the service offers by name (the same content as its --datasets)')
    .option('--cache <dir>', 'where uploaded datasets are unpacked (default: a folder in the system temp dir)')
    .option('--concurrency <n>', 'jobs trained at once, each in its own thread', '1')
    .option('--prefix <name>', 'Redis key prefix, as the service\'s --prefix', DEFAULT_PREFIX)
    .option('--lock-ms <ms>', 'lock time of a running job: a killed worker\'s job goes to another worker after about this long', '30000')
    .option('--stalled-ms <ms>', 'how often to look for jobs whose worker stopped', '30000')
    .action(async (o: CloudWorkerOptions) => cloudWorkerCommand(o));
}
