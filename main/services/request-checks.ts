import { z } from 'zod';
import type { BoardTarget, CloudTargetInput, PushRequest, TestInferenceRequest, TrainRequest } from '../contract/studio-api.js';

// Calls arrive from the renderer as JSON: the proxy checks names and counts, these check the values.
// Each check returns its input typed as the contract says once the schema accepts it.

const path = z.string().min(1, 'a path is needed').max(4096);

const boardTarget = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('serial'), path, baud: z.number().int().positive().optional(), throttle: z.boolean().optional() }),
  z.object({ kind: z.literal('tcp'), host: z.string().min(1).max(255), port: z.number().int().min(1).max(65535) }),
]);

// Only the form is checked here; what a URL may be (http or https, no credentials) is normalizeCloudUrl's.
const cloudUrl = z.string().min(1, 'a URL is needed').max(2048);
const cloudToken = z.string().min(1, 'a token is needed').max(4096).regex(/^\S+$/, 'a token has no spaces or line breaks');

const trainTarget = z.discriminatedUnion('kind', [z.object({ kind: z.literal('local') }), z.object({ kind: z.literal('cloud'), url: cloudUrl, token: cloudToken.optional() })]);

const cloudTargetInput = z.object({ url: cloudUrl, token: cloudToken });

const trainRequest = z.object({
  model: z.discriminatedUnion('kind', [z.object({ kind: z.literal('spec'), text: z.string().max(16 << 20) }), z.object({ kind: z.literal('preset'), id: z.string().min(1) })]),
  data: z.string().min(1).max(4096),
  epochs: z.number().int().min(1).max(10_000),
  batchSize: z.number().int().min(1).max(65_536),
  lr: z.number().positive().finite(),
  optimizer: z.enum(['sgd', 'adam']),
  momentum: z.number().min(0).max(1).optional(),
  weightDecay: z.number().min(0).finite().optional(),
  schedule: z.enum(['cosine', 'step', 'constant']),
  augment: z.boolean(),
  engine: z.enum(['auto', 'node', 'wasm']),
  seed: z.string().regex(/^0x[0-9a-fA-F]{1,16}$/, 'a seed is 0x and up to 16 hex digits').optional(),
  dtype: z.enum(['fp32', 'fp16', 'int8']).optional(),
  packageName: z.string().regex(/^[\w.-]+\.rfpk$/, 'a file name (letters, digits, . _ -) ending in .rfpk').optional(),
  target: trainTarget.optional(),
});

const pushRequest = z.object({
  target: boardTarget,
  packagePath: path,
  deltaFrom: z.array(path).max(16).optional(),
  window: z.number().int().min(64).max(1 << 24).optional(),
});

const testInferenceRequest = z.object({
  target: boardTarget,
  packagePath: path,
  images: z.number().int().min(1).max(100),
  data: z.string().min(1).max(4096).optional(),
});

export const checkPath = (value: unknown): string => path.parse(value);
export const checkId = (value: unknown): string => z.string().regex(/^[\w-]{1,64}$/, 'an id of letters, digits, _ and -').parse(value);

export function checkBoardTarget(value: unknown): BoardTarget {
  boardTarget.parse(value);
  return value as BoardTarget;
}

export function checkTrainRequest(value: unknown): TrainRequest {
  trainRequest.parse(value);
  return value as TrainRequest;
}

export const checkCloudUrl = (value: unknown): string => cloudUrl.parse(value);

export function checkCloudTargetInput(value: unknown): CloudTargetInput {
  cloudTargetInput.parse(value);
  return value as CloudTargetInput;
}

export function checkPushRequest(value: unknown): PushRequest {
  pushRequest.parse(value);
  return value as PushRequest;
}

export function checkTestInferenceRequest(value: unknown): TestInferenceRequest {
  testInferenceRequest.parse(value);
  return value as TestInferenceRequest;
}

export function checkOptionalCount(value: unknown, what: string, min: number, max: number): number | undefined {
  return value === undefined ? undefined : z.number({ error: `${what} must be a number` }).int().min(min).max(max).parse(value);
}
