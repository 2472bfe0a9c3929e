import { problemResponse } from './problem.js';

// Schemas that describe answers in the OpenAPI document. Answers are written with JSON.stringify,
// not compiled from these, so a field added to a record can never be dropped silently on the wire.

const progress = {
  type: 'object',
  properties: {
    epoch: { type: 'integer', description: '0-based' },
    step: { type: 'integer', description: '1-based within the epoch' },
    stepsPerEpoch: { type: 'integer' },
    epochs: { type: 'integer' },
    loss: { type: 'number' },
    accuracy: { type: 'number' },
  },
} as const;

const outcome = {
  type: 'object',
  properties: {
    engine: { type: 'string' },
    accuracy: { type: 'number' },
    loss: { type: 'number' },
    evalImages: { type: 'integer' },
    epochs: { type: 'integer' },
    packageBytes: { type: 'integer' },
    packageSha256: { type: 'string' },
    seconds: { type: 'number' },
  },
} as const;

export const jobSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    owner: { type: 'string', description: 'The id of the token that submitted it' },
    state: { type: 'string', enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    submission: { type: 'object', description: 'What POST /jobs received, with defaults filled in' },
    submittedAt: { type: 'string', format: 'date-time' },
    startedAt: { type: 'string', format: 'date-time' },
    finishedAt: { type: 'string', format: 'date-time' },
    attempts: { type: 'integer', description: 'Runs started (a run interrupted by a crash is retried up to a bound)' },
    error: { type: 'string' },
    progress,
    outcome,
  },
  required: ['id', 'owner', 'state', 'submission', 'submittedAt', 'attempts'],
} as const;

export const jobIdParams = { type: 'object', properties: { id: { type: 'string' } }, required: ['id'] } as const;

export const BEARER = [{ bearer: [] }];

/** Answers every authenticated route can give. */
export const authProblems = {
  401: problemResponse('Missing, unknown or revoked bearer token'),
} as const;
