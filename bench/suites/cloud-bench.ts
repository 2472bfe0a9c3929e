import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BullmqDispatcher } from '../../cloud/queue/bullmq-dispatcher.js';
import { connectRedis } from '../../cloud/queue/bullmq-protocol.js';
import type { JobRecord, JobSubmission } from '../../cloud/jobs/job-types.js';
import { openServiceDatabase } from '../../cloud/store/service-database.js';
import { SqliteJobStore } from '../../cloud/store/sqlite-job-store.js';
import { tinySubmission } from '../../cloud/jobs/tiny-submission.js';
import type { BenchFigure } from '../bench-result.js';
import { startCloudWorker, type CloudWorkerProcess } from '../support/cloud-worker-process.js';
import { startRedisServer, type RedisServer } from '../support/redis-server.js';
import { writeTinyDataset } from '../support/tiny-dataset.js';

const BULLMQ = (createRequire(import.meta.url)('bullmq/package.json') as { version: string }).version;
/** Jobs submitted at once for the throughput figure. */
const BURST = 10;
/** Jobs submitted one at a time, to idle workers, for the latency figures. */
const SINGLES = 6;
const TRAIN_IMAGES = 40;
const TEST_IMAGES = 20;

function say(text: string): void {
  process.stderr.write(`cloud bench: ${text}\n`);
}

const percentile = (sorted: readonly number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

/** A tiny job: the tiny preset, one epoch of two steps on 40 real images, evaluated on 20. */
const tinyJob = (): JobSubmission => tinySubmission({ server: 'tiny' }, 20);

interface Timing {
  submitted: number;
  started?: number;
  ended?: number;
}

/** The service side of the scale-out mode without HTTP: its SQLite store and the BullMQ dispatcher. */
class Service {
  readonly timings = new Map<string, Timing>();
  private waiters: (() => void)[] = [];

  constructor(
    readonly store: SqliteJobStore,
    readonly dispatcher: BullmqDispatcher,
  ) {
    store.onEvent((id, { event }) => {
      const t = this.timings.get(id);
      if (t === undefined || event.type !== 'state') return;
      if (event.state === 'running') t.started ??= performance.now();
      if (event.state === 'succeeded' || event.state === 'failed' || event.state === 'cancelled') {
        t.ended = performance.now();
        for (const w of this.waiters.splice(0)) w();
      }
    });
  }

  async submit(): Promise<JobRecord> {
    const submitted = performance.now();
    const job = this.store.create('bench', tinyJob());
    this.timings.set(job.id, { submitted });
    await this.dispatcher.submit(job);
    return job;
  }

  async allEnded(ids: readonly string[]): Promise<void> {
    const deadline = performance.now() + 300_000;
    while (!ids.every((id) => this.timings.get(id)?.ended !== undefined)) {
      if (performance.now() > deadline) throw new Error('cloud bench: jobs did not end within 5 minutes');
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 1000);
      });
    }
    const failed = ids.map((id) => this.store.get(id)).filter((r) => r?.state !== 'succeeded');
    if (failed.length > 0) throw new Error(`cloud bench: ${failed.length} job(s) did not succeed, e.g. ${failed[0]?.id}: ${failed[0]?.state} ${failed[0]?.error ?? ''}`);
  }
}

async function measure(service: Service, workers: number, engine: string): Promise<BenchFigure[]> {
  // Throughput: a burst, from the first submission to the last job's end.
  const t0 = performance.now();
  const burst = await Promise.all(Array.from({ length: BURST }, () => service.submit()));
  await service.allEnded(burst.map((j) => j.id));
  const last = Math.max(...burst.map((j) => service.timings.get(j.id)?.ended ?? NaN));
  const perMinute = (BURST / (last - t0)) * 60_000;
  say(`${workers} worker(s): ${BURST} jobs in ${((last - t0) / 1000).toFixed(1)} s`);

  // Queue latency: one job at a time to idle workers, submission to a worker taking it up (as the service records it).
  const latencies: number[] = [];
  for (let i = 0; i < SINGLES; i++) {
    const job = await service.submit();
    await service.allEnded([job.id]);
    const t = service.timings.get(job.id);
    latencies.push((t?.started ?? NaN) - (t?.submitted ?? NaN));
  }
  // And how long the burst's jobs waited, for contrast: a backlog, not dispatch, dominates it.
  const waited = burst.map((j) => (service.timings.get(j.id)?.started ?? NaN) - (service.timings.get(j.id)?.submitted ?? NaN)).sort((a, b) => a - b);
  latencies.sort((a, b) => a - b);
  const detail = { workers, burstJobs: BURST, latencySamples: SINGLES, trainImages: TRAIN_IMAGES, testImages: TEST_IMAGES, burstWaitMedianMs: round(percentile(waited, 50)), burstWaitP95Ms: round(percentile(waited, 95)) };
  const label = `${workers} worker${workers === 1 ? '' : 's'}`;
  return [
    { suite: 'cloud', name: `tiny-job throughput, ${label}`, value: perMinute, unit: 'jobs/min', engine, detail },
    { suite: 'cloud', name: `queue latency submit → started, median, ${label}`, value: round(percentile(latencies, 50)), unit: 'ms', engine, detail },
    { suite: 'cloud', name: `queue latency submit → started, p95, ${label}`, value: round(percentile(latencies, 95)), unit: 'ms', engine, detail },
  ];
}

/**
 * The scale-out mode's job throughput and queue latency with one and two `reframe cloud worker`
 * processes on this machine, over a real redis-server, with tiny jobs so the queue and the per-job
 * overhead (a training thread, the engine's start-up, the package write) show rather than training.
 */
export async function cloudBench(): Promise<BenchFigure[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reframe-cloud-bench-'));
  let redis: RedisServer | undefined;
  let service: Service | undefined;
  const workers: CloudWorkerProcess[] = [];
  try {
    redis = await startRedisServer();
    const probe = await connectRedis(redis.url, 'bench');
    const redisVersion = /redis_version:(\S+)/.exec(await probe.info('server'))?.[1] ?? '?';
    probe.disconnect();
    await writeTinyDataset(path.join(dir, 'datasets', 'tiny'), TRAIN_IMAGES, TEST_IMAGES);
    const store = new SqliteJobStore(openServiceDatabase(path.join(dir, 'service')));
    const dispatcher = new BullmqDispatcher({ store, log: (line) => say(line) }, { redisUrl: redis.url });
    await dispatcher.start();
    service = new Service(store, dispatcher);
    const args = ['--redis', redis.url, '--artifacts', path.join(dir, 'artifacts'), '--datasets', path.join(dir, 'datasets'), '--cache', path.join(dir, 'cache')];
    const figures: BenchFigure[] = [];
    for (const count of [1, 2]) {
      while (workers.length < count) workers.push(await startCloudWorker(args));
      // Warm-up: each worker's first job also loads what later jobs find cached (files, compiled code).
      const warm = await Promise.all(workers.map(() => service!.submit()));
      await service.allEnded(warm.map((j) => j.id));
      const engineName = service.store.get(warm[0]?.id ?? '')?.outcome?.engine ?? '?';
      const engine = `BullMQ ${BULLMQ}, redis-server ${redisVersion}, ${count} \`reframe cloud worker\` process(es) (concurrency 1), training on ${engineName}`;
      figures.push(...(await measure(service, count, engine)));
    }
    return figures;
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
    await service?.dispatcher.close();
    service?.store.close();
    await redis?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
