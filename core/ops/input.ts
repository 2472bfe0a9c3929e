import { z } from 'zod';
import { nodeName, positiveInt } from './attr-schema.js';
import type { OpDef, Shape } from './op-def.js';
import { elementCount, fail, ok } from './shape-math.js';

/** Per-channel (or per-feature) normalisation applied to raw input values: (x − mean) ÷ std. */
export interface InputNormalize {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

export interface InputAttrs {
  readonly shape: Shape;
  readonly normalize?: InputNormalize;
}

/**
 * Normalisation values travel in a package as float64 attribute words (exactly the spec's numbers),
 * two counts plus 2 × 2 words per channel, within a node record's 255 words.
 */
export const MAX_NORMALIZE_CHANNELS = 63;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const schema = z.strictObject({
  name: nodeName,
  op: z.literal('input'),
  // [C,H,W] for images or [F] for vectors; the batch axis is never part of a spec.
  shape: z.union([z.tuple([positiveInt]), z.tuple([positiveInt, positiveInt, positiveInt])]),
  normalize: z
    .strictObject({
      mean: z.array(finite).min(1).max(MAX_NORMALIZE_CHANNELS),
      std: z.array(finite.refine((v) => v > 0, 'must be greater than 0')).min(1).max(MAX_NORMALIZE_CHANNELS),
    })
    .optional(),
});

/** The node as written in a spec file. */
export type InputNode = z.infer<typeof schema>;

export const inputOp: OpDef<InputAttrs> = {
  op: 'input',
  schema,
  arity: [0, 0],
  resolve: (node) => {
    const n = node as InputNode;
    return n.normalize === undefined ? { shape: n.shape } : { shape: n.shape, normalize: n.normalize };
  },
  outputShape: (a) => {
    const norm = a.normalize;
    if (norm !== undefined) {
      const channels = a.shape[0] as number;
      // One value for every channel, or one per channel (per feature for a vector input).
      for (const field of ['mean', 'std'] as const) {
        const n = norm[field].length;
        if (n !== 1 && n !== channels) return fail(`normalize.${field}`, `has ${n} values; give 1 or one per channel (${channels})`);
      }
    }
    return ok(a.shape);
  },
  params: () => [],
  stateElements: () => 0,
  macs: () => 0,
  // A subtraction and a division per element when the model normalises its own input.
  otherOps: (a) => (a.normalize === undefined ? 0 : 2 * elementCount(a.shape)),
  memory: (a) => ({ outputElements: elementCount(a.shape), workspaceElements: 0, aliasesInput: false }),
};
