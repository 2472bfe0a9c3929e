import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CloudClient } from '../../cloud/client/cloud-client.js';
import { cloudDataset } from '../../cloud/client/cloud-dataset.js';
import { CloudError } from '../../cloud/client/cloud-error.js';
import type { JobOutcome, JobSubmission } from '../../cloud/jobs/job-types.js';
import type { EpochReport, TrainEvent } from '../../core/node/train/trainer.js';
import { ServiceError } from './service-error.js';

/** Thrown out of a followed job when the studio stops following it (it closes): the job goes on there. */
export class CloudRunDetached extends Error {
  constructor() {
    super('the studio stopped following the job; it goes on on the service');
    this.name = 'CloudRunDetached';
  }
}

export interface CloudRunResult {
  readonly outcome: JobOutcome;
  /** The package as the service made it, its sha-256 checked against the outcome's. */
  readonly bytes: Uint8Array;
  /** The epochs of the attempt that succeeded, from the job's events. */
  readonly history: readonly EpochReport[];
}

export interface CloudRunOptions {
  /** Pause between attempts to reach a service that stopped answering (default 2 s). */
  readonly retryMs?: number;
  /** Attempts in a row before giving up on it (default 30: a minute for a service to restart). */
  readonly retries?: number;
}

const CANCELLED_HINT = 'start a new run: the service does not continue a cancelled job';

/**
 * One training job on a cloud service as a studio run sees it: the data uploaded when it is a local
 * folder, the job submitted, its events followed until it ends (across dropped connections and a
 * service restart), the package downloaded. Cancel cancels the job there; detach only stops following.
 */
export class CloudRun {
  #jobId: string | undefined;
  #cancelRequested = false;
  #detached = false;
  readonly #upload = new AbortController();
  readonly #stream = new AbortController();

  constructor(
    private readonly client: CloudClient,
    readonly url: string,
    jobId?: string,
    private readonly o: CloudRunOptions = {},
  ) {
    this.#jobId = jobId;
  }

  /** The service's id of the job, once it has taken it. */
  get jobId(): string | undefined {
    return this.#jobId;
  }

  /** Uploads the data (a local folder; "demo" and "service:<name>" need none) and submits the job. */
  async submit(data: string, settings: Omit<JobSubmission, 'dataset'>): Promise<string> {
    let dataset;
    try {
      dataset = await cloudDataset(this.client, data, () => undefined, this.#upload.signal);
    } catch (error) {
      if (this.#upload.signal.aborted) throw this.#stoppedBeforeSubmit();
      throw error;
    }
    if (this.#cancelRequested || this.#detached) throw this.#stoppedBeforeSubmit();
    const job = await this.client.submit({ ...settings, dataset });
    this.#jobId = job.id;
    return job.id;
  }

  /** Follows the submitted job to its end: its training events go to onEvent, success brings the package. */
  async follow(onEvent: (e: TrainEvent) => void): Promise<CloudRunResult> {
    const id = this.#jobId;
    if (id === undefined) throw new Error('CloudRun.follow before the job was submitted');
    if (this.#detached) throw new CloudRunDetached();
    // A cancel that came while the job was being submitted.
    if (this.#cancelRequested) await this.#cancelJob(id);
    let history: EpochReport[] = [];
    let after = 0;
    let failures = 0;
    for (;;) {
      try {
        for await (const { seq, event } of this.client.events(id, { afterSeq: after, signal: this.#stream.signal })) {
          after = seq;
          failures = 0;
          if (event.type === 'train') {
            const t = event.event;
            // A retried attempt starts again: its epochs replace the ones it redoes.
            if (t.type === 'start') history = history.filter((h) => h.epoch < t.firstEpoch);
            else if (t.type === 'epoch') history = [...history.filter((h) => h.epoch !== t.report.epoch), t.report];
            onEvent(t);
          } else if (event.type === 'state') {
            if (event.state === 'succeeded') return { ...(await this.#download(id, event.outcome)), history };
            if (event.state === 'failed') throw new ServiceError('cloud-job-failed', `job ${id} failed on the cloud service at ${this.url}: ${event.error ?? 'no reason given'}`, 'check the model and the data; the service log has more');
            if (event.state === 'cancelled') throw this.#cancelled(id, event.error);
          }
        }
        throw new ServiceError('cloud-error', `job ${id}: the service's event stream ended before the job did`, 'the job may still run on the service: look there, or start a new run');
      } catch (error) {
        if (this.#detached) throw new CloudRunDetached();
        // The service restarting or the network gone for a while: the job goes on there, so keep asking.
        if (!(error instanceof CloudError && error.status === 0) || failures >= (this.o.retries ?? 30)) throw error;
        failures++;
        await sleep(this.o.retryMs ?? 2000, undefined, { signal: this.#stream.signal }).catch(() => undefined);
        if (this.#detached) throw new CloudRunDetached();
      }
    }
  }

  /** Cancels the job on the service (its event stream then ends it), or the upload before there is one. */
  async cancel(): Promise<void> {
    this.#cancelRequested = true;
    const id = this.#jobId;
    if (id === undefined) {
      this.#upload.abort();
      return;
    }
    await this.#cancelJob(id);
  }

  /** Stops following without touching the job: a studio that starts again picks it up. */
  detach(): void {
    this.#detached = true;
    this.#upload.abort();
    this.#stream.abort();
  }

  async #cancelJob(id: string): Promise<void> {
    await this.client.cancel(id).catch((error: unknown) => {
      // 409: it ended meanwhile; its stream says how.
      if (!(error instanceof CloudError && error.status === 409)) throw error;
    });
  }

  async #download(id: string, given: JobOutcome | undefined): Promise<{ outcome: JobOutcome; bytes: Uint8Array }> {
    const outcome = given ?? (await this.client.get(id)).outcome;
    if (outcome === undefined) throw new ServiceError('cloud-error', `job ${id} succeeded but the service reported no outcome`, "the service's log has more; start the run again");
    const bytes = await this.client.downloadPackage(id);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    if (sha256 !== outcome.packageSha256) {
      throw new ServiceError('package-rejected', `the package of job ${id} arrived damaged: its sha-256 is ${sha256.slice(0, 12)}…, the service made ${outcome.packageSha256.slice(0, 12)}…`, 'start the run again; if it repeats, check the network between the studio and the service');
    }
    return { outcome, bytes };
  }

  #cancelled(id: string, reason: string | undefined): ServiceError {
    const why = reason === undefined ? '' : ` (${reason})`;
    return this.#cancelRequested
      ? new ServiceError('cancelled', `run cancelled: job ${id} stopped on the cloud service${why}`, CANCELLED_HINT)
      : new ServiceError('cancelled', `job ${id} was cancelled on the cloud service at ${this.url}${why}`, CANCELLED_HINT);
  }

  #stoppedBeforeSubmit(): ServiceError {
    return this.#detached
      ? new ServiceError('cancelled', 'the studio closed while the data was uploading; nothing was submitted', 'start the run again')
      : new ServiceError('cancelled', 'run cancelled before the job was submitted', 'start the run again');
  }
}
