export const WEIGHT_DTYPES = ['fp32', 'fp16', 'int8'] as const;

/** How learnable and frozen tensors are stored in a package; seeded tensors store only a seed. */
export type WeightDtype = (typeof WEIGHT_DTYPES)[number];

export function isWeightDtype(value: unknown): value is WeightDtype {
  return typeof value === 'string' && (WEIGHT_DTYPES as readonly string[]).includes(value);
}

export const BYTES_PER_ELEMENT: Readonly<Record<WeightDtype, number>> = { fp32: 4, fp16: 2, int8: 1 };

/** Activations and regenerated seeded weights are float32 on every runtime. */
export const ACTIVATION_BYTES = 4;
