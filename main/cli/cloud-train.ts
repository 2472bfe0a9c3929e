import { writeFileAtomically } from '../../core/node/atomic-write.js';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import type { SpecDocument } from '../../core/spec/spec-document.js';
import { CloudClient } from '../../cloud/client/cloud-client.js';
import { cloudDataset, CloudDatasetError } from '../../cloud/client/cloud-dataset.js';
import { CloudError } from '../../cloud/client/cloud-error.js';
import type { JobOutcome, JobSubmission } from '../../cloud/jobs/job-types.js';
import { CliError } from './cli-error.js';

export interface CloudTrainRequest {
  readonly url: string;
  readonly token: string;
  readonly spec: SpecDocument;
  readonly data: string;
  readonly settings: Omit<JobSubmission, 'spec' | 'dataset'>;
  readonly out: string;
}

export interface CloudTrainResult {
  readonly jobId: string;
  readonly outcome: JobOutcome;
  readonly bytes: number;
}

/** A data source the cloud cannot take, in terms of the command line (a usage mistake: exit 2). */
function datasetUsage(data: string, e: CloudDatasetError): string {
  switch (e.problem) {
    case 'missing':
      return `--data ${data}: no such folder (with --cloud give "demo", "service:<name>" or a local folder to upload)`;
    case 'not-a-folder':
      return `--data ${data}: with --cloud give the folder holding the data files, not a file (the whole folder is uploaded)`;
    case 'bad-name':
      return `--data ${data}: ${e.message}`;
  }
}

/**
 * `reframe train … --cloud <url>`: submits the job, feeds the service's training events to the same
 * progress display as a local run, downloads the package. Aborting cancels the job on the service.
 */
export async function trainOnCloud(r: CloudTrainRequest, onEvent: (e: TrainEvent) => void, log: (line: string) => void, signal?: AbortSignal): Promise<CloudTrainResult> {
  const client = new CloudClient({ url: r.url, token: r.token });
  const dataset = await cloudDataset(client, r.data, log).catch((e: unknown) => {
    throw e instanceof CloudDatasetError ? new CliError(datasetUsage(r.data, e)) : e;
  });
  const job = await client.submit({ spec: r.spec, dataset, ...r.settings });
  log(`job ${job.id} submitted to ${r.url}`);
  const cancel = () => void client.cancel(job.id).catch(() => undefined);
  signal?.addEventListener('abort', cancel);
  try {
    for await (const { event } of client.events(job.id)) {
      if (event.type === 'train') onEvent(event.event);
      else if (event.type === 'log') log(event.message);
      else if (event.state === 'succeeded') {
        const bytes = await client.downloadPackage(job.id);
        await writeFileAtomically(r.out, bytes);
        const outcome = event.outcome ?? (await client.get(job.id)).outcome;
        if (outcome === undefined) throw new CloudError(`job ${job.id} succeeded but the service reported no outcome`, 0);
        return { jobId: job.id, outcome, bytes: bytes.length };
      } else if (event.state === 'failed') {
        throw new CloudError(`job ${job.id} failed on the service: ${event.error ?? 'no reason given'}`, 0);
      } else if (event.state === 'cancelled') {
        throw new CloudError(`job ${job.id} was cancelled${signal?.aborted === true ? '' : ' on the service'}`, 0);
      }
    }
    throw new CloudError(`job ${job.id}: the event stream ended before the job did`, 0);
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}
