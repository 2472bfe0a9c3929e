import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ChannelStats } from '../../data/channel-stats.js';
import type { ModelGraph } from '../../graph/model-graph.js';
import { decodePackage } from '../../package/decode-package.js';
import { encodePackage } from '../../package/encode-package.js';
import { readTensor } from '../../package/read-tensor.js';
import { writeFileAtomically } from '../atomic-write.js';
import { encodeSafetensors, readSafetensors } from '../safetensors.js';

export interface CheckpointMeta {
  readonly format: 'reframe-checkpoint';
  readonly version: 1;
  readonly model: string;
  /** Epochs completed; training resumes at this epoch (0-based). */
  readonly epoch: number;
  readonly optimizerStep: number;
  readonly normalize: ChannelStats;
  readonly seed: string;
  readonly weights: string;
  readonly optimizer: string;
  readonly history: readonly unknown[];
  /** The run's settings; a resume must use the same, or it would not continue the same run. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export class CheckpointError extends Error {
  readonly code = 'bad-checkpoint';
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}

const META = 'checkpoint.json';

/**
 * Saves one epoch: weights as a full fp32 seed package (spec included), optimizer slots as
 * safetensors, then checkpoint.json last, atomically, so a crash at any moment leaves the previous
 * checkpoint whole. Files of older epochs go once the new one is in place.
 */
export async function writeCheckpoint(
  dir: string,
  graph: ModelGraph,
  values: ReadonlyMap<string, Float32Array>,
  optimizer: { step: number; values: ReadonlyMap<string, Float32Array> },
  meta: Omit<CheckpointMeta, 'format' | 'version' | 'weights' | 'optimizer' | 'optimizerStep' | 'model'>,
): Promise<string> {
  const tag = `epoch-${String(meta.epoch).padStart(4, '0')}`;
  const weights = `${tag}.rfpk`;
  const slots = `${tag}.optimizer.safetensors`;
  await mkdir(dir, { recursive: true });
  const previous = await readCheckpointMeta(dir).catch(() => undefined);
  await writeFileAtomically(path.join(dir, weights), encodePackage(graph, values, { dtype: 'fp32' }));
  const shapes = new Map([...optimizer.values].map(([k, v]) => [k, { shape: [v.length], values: v }]));
  await writeFileAtomically(path.join(dir, slots), encodeSafetensors(shapes));
  const full: CheckpointMeta = { format: 'reframe-checkpoint', version: 1, model: graph.name, ...meta, optimizerStep: optimizer.step, weights, optimizer: slots };
  await writeFileAtomically(path.join(dir, META), `${JSON.stringify(full, null, 2)}\n`);
  if (previous !== undefined && previous.weights !== weights) {
    await rm(path.join(dir, previous.weights), { force: true });
    await rm(path.join(dir, previous.optimizer), { force: true });
  }
  return path.join(dir, weights);
}

export async function readCheckpointMeta(dir: string): Promise<CheckpointMeta> {
  let text: string;
  try {
    text = await readFile(path.join(dir, META), 'utf8');
  } catch {
    throw new CheckpointError(`${dir} holds no checkpoint (no ${META}); train once with --checkpoint ${dir} first`);
  }
  let meta: CheckpointMeta;
  try {
    meta = JSON.parse(text) as CheckpointMeta;
  } catch (error) {
    throw new CheckpointError(`${path.join(dir, META)} is not valid JSON: ${(error as Error).message}`);
  }
  if (meta.format !== 'reframe-checkpoint' || meta.version !== 1) throw new CheckpointError(`${path.join(dir, META)} is not a ReFrame checkpoint (version 1)`);
  return meta;
}

/** The values and optimizer slots of the latest checkpoint, checked like any package. */
export async function readCheckpoint(dir: string): Promise<{ meta: CheckpointMeta; values: Map<string, Float32Array>; slots: Map<string, Float32Array> }> {
  const meta = await readCheckpointMeta(dir);
  const pkg = decodePackage(new Uint8Array(await readFile(path.join(dir, meta.weights)).catch(() => {
    throw new CheckpointError(`the checkpoint's weights ${meta.weights} are missing from ${dir}`);
  })));
  const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  const slots = await readSafetensors(path.join(dir, meta.optimizer));
  return { meta, values, slots };
}
