import { z } from 'zod';
import { paramSpecSchema } from '../spec/param-spec.js';

export const NODE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_.\-/]*$/;

export const nodeName = z
  .string()
  .regex(NODE_NAME_PATTERN, 'must start with a letter or _ and use only letters, digits, _ . - /');
export const positiveInt = z.number().int().min(1);
export const nonNegativeInt = z.number().int().min(0);

/** A size given once for both spatial axes, or as [height, width]. */
export const intPair = (inner: z.ZodNumber) => z.union([inner, z.tuple([inner, inner])]);

export type IntPair = number | readonly [number, number];

export function toPair(value: IntPair): readonly [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}

export function paramsSchema<const K extends string>(names: readonly K[]) {
  const shape = Object.fromEntries(names.map((n) => [n, paramSpecSchema.optional()]));
  return z.strictObject(shape as Record<K, z.ZodOptional<typeof paramSpecSchema>>).optional();
}

/** The fields every node but `input` shares, followed by the op's own attributes. */
export function opNodeSchema<const Op extends string, A extends z.ZodRawShape>(op: Op, attrs: A) {
  return z.strictObject({
    name: nodeName,
    op: z.literal(op),
    inputs: z.array(nodeName).min(1),
    ...attrs,
  });
}
