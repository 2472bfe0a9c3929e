import { createHash } from 'node:crypto';
import { withInputNormalize } from '../../core/graph/input-normalize.js';
import { runTrainingInWorker } from '../../core/node/train/run-training.js';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { packageKey, type ArtifactStore } from '../store/artifact-store.js';
import type { DatasetRef, JobOutcome, JobSubmission } from './job-types.js';

export interface JobRunContext {
  readonly artifacts: ArtifactStore;
  /** Turns the dataset reference into what the trainer opens. */
  readonly resolveDataset: (owner: string, ref: DatasetRef) => Promise<string>;
  readonly onEvent: (e: TrainEvent) => void;
  readonly signal?: AbortSignal;
}

/**
 * Runs one job where a worker lives (in the service's process or a `reframe cloud worker`): trains in
 * a worker thread with the same engine and code as local training, stores the package under the
 * job's key and returns what the job record keeps. Cancelling the signal stops it within one step
 * (TrainingCancelled is thrown).
 */
export async function runJob(id: string, owner: string, s: JobSubmission, ctx: JobRunContext): Promise<JobOutcome> {
  const started = performance.now();
  const checked = checkSpecValue(s.spec);
  if (!checked.ok) throw new SpecError(checked.issues);
  const data = await ctx.resolveDataset(owner, s.dataset);
  const inputShape = checked.graph.nodes[0]?.outputShape ?? [];
  const result = await runTrainingInWorker(
    {
      spec: s.spec,
      data,
      epochs: s.epochs,
      batchSize: s.batchSize,
      lr: s.lr,
      optimizer: s.optimizer,
      schedule: { name: s.schedule },
      // The standard recipes, as `reframe train --augment`: CIFAR pads 4 around 32 px, smaller images 2.
      ...(s.augment ? { augment: { cropPadding: (inputShape[1] ?? 0) >= 32 ? 4 : 2, horizontalFlip: true } } : {}),
      validationFraction: 0.1,
      seed: s.seed,
      engine: s.engine,
    },
    ctx.onEvent,
    ctx.signal,
  );
  const bytes = encodePackage(withInputNormalize(checked.graph, result.inputNormalize), result.values, { dtype: s.dtype });
  await ctx.artifacts.put(packageKey(id), bytes);
  return {
    engine: result.engine,
    accuracy: result.evaluation.accuracy,
    loss: result.evaluation.loss,
    evalImages: result.evaluation.images,
    confusion: result.evaluation.confusion,
    epochs: result.history.length,
    packageBytes: bytes.length,
    packageSha256: createHash('sha256').update(bytes).digest('hex'),
    seconds: (performance.now() - started) / 1000,
  };
}
