import { findPreset } from '../../core/zoo/presets.js';
import type { DatasetRef, JobSubmission } from './job-types.js';

/**
 * The smallest real job: the tiny preset for one epoch at a constant rate. The tests, the cloud bench
 * and a smoke check of a new deployment all submit it.
 */
export function tinySubmission(dataset: DatasetRef, batchSize: number): JobSubmission {
  const spec = findPreset('tiny')?.build();
  if (spec === undefined) throw new Error('the tiny preset is missing');
  return {
    spec,
    dataset,
    epochs: 1,
    batchSize,
    lr: 0.05,
    optimizer: { name: 'sgd', momentum: 0.9, weightDecay: 5e-4 },
    schedule: 'constant',
    augment: false,
    seed: '0x5eed',
    engine: 'auto',
    dtype: 'fp32',
  };
}
