import { z } from 'zod';

/** 64-bit seeds are hex strings: JSON numbers cannot hold 64 bits exactly. */
export const SEED_PATTERN = /^0x[0-9a-fA-F]{1,16}$/;

const learnableSchema = z.strictObject({ mode: z.literal('learnable') });
const frozenSchema = z.strictObject({ mode: z.literal('frozen') });
const seededSchema = z
  .strictObject({
    mode: z.literal('seeded'),
    dist: z.enum(['uniform', 'normal', 'sign']),
    init: z.enum(['kaiming', 'xavier']),
    fan: z.enum(['fan_in', 'fan_out']).optional(),
    gain: z.number().positive().finite(),
    seed: z.string().regex(SEED_PATTERN, 'must be a hex string of 1 to 16 digits, e.g. "0x00000000000004d2"'),
  })
  .superRefine((value, ctx) => {
    if (value.init === 'xavier' && value.fan !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['fan'], message: 'xavier uses fan_in + fan_out; remove "fan"' });
    }
  });

export const paramSpecSchema = z.discriminatedUnion('mode', [learnableSchema, frozenSchema, seededSchema]);

export type ParamSpec = z.infer<typeof paramSpecSchema>;
export type SeededParamSpec = Extract<ParamSpec, { mode: 'seeded' }>;
export type ParamMode = ParamSpec['mode'];

export const LEARNABLE: ParamSpec = { mode: 'learnable' };
