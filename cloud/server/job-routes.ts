import { checkSpecValue } from '../../core/spec/load-spec.js';
import { isTerminalState, type DatasetRef, type JobRecord, type JobSubmission } from '../jobs/job-types.js';
import type { JobDispatcher } from '../queue/job-dispatcher.js';
import { packageKey, type ArtifactStore } from '../store/artifact-store.js';
import type { JobStore } from '../store/job-store.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { authProblems, BEARER, jobIdParams, jobSchema } from './api-schemas.js';
import { specIssuePointer } from './issue-pointer.js';
import { HttpProblem, problemResponse } from './problem.js';
import { submissionSchema } from './submission-schema.js';

export interface JobRoutesOptions {
  readonly store: JobStore;
  readonly dispatcher: JobDispatcher;
  readonly artifacts: ArtifactStore;
  /** Why a job could not use this dataset, or undefined when it can. */
  readonly checkDataset: (owner: string, ref: DatasetRef) => Promise<string | undefined>;
}

/** The caller's job, or 404 whether it does not exist or belongs to another token (never reveal which). */
export function ownJob(store: JobStore, request: FastifyRequest<{ Params: { id: string } }>): JobRecord {
  const job = store.get(request.params.id);
  if (job === undefined || job.owner !== request.owner) throw new HttpProblem(404, 'not-found', `no job ${request.params.id} for this token`);
  return job;
}

const datasetPointer = (ref: DatasetRef) => `/dataset/${'builtin' in ref ? 'builtin' : 'server' in ref ? 'server' : 'uploaded'}`;

export function jobRoutes(app: FastifyInstance, o: JobRoutesOptions): void {
  const { store, dispatcher } = o;

  app.post<{ Body: JobSubmission }>(
    '/jobs',
    {
      schema: {
        summary: 'Submit a training job',
        description: 'The spec is checked with the same checks as `reframe budget`; omitted settings take the defaults of `reframe train`.',
        tags: ['jobs'],
        security: BEARER,
        body: submissionSchema,
        response: { 201: { description: 'Queued', ...jobSchema }, 400: problemResponse('Invalid envelope, spec or dataset; `errors` lists each problem as a JSON Pointer into the body'), 413: problemResponse('Body over the JSON limit'), ...authProblems },
      },
    },
    async (request, reply) => {
      const s = request.body;
      const checked = checkSpecValue(s.spec);
      if (!checked.ok) {
        const errors = checked.issues.map((i) => ({ path: specIssuePointer(i.path), message: i.message }));
        throw new HttpProblem(400, 'invalid-spec', `the model spec has ${errors.length === 1 ? 'a problem' : `${errors.length} problems`}: ${errors[0]?.path} ${errors[0]?.message}`, errors);
      }
      const why = await o.checkDataset(request.owner, s.dataset);
      if (why !== undefined) throw new HttpProblem(400, 'unknown-dataset', why, [{ path: datasetPointer(s.dataset), message: why }]);
      const job = store.create(request.owner, s);
      await dispatcher.submit(job);
      return reply.code(201).header('location', `/jobs/${job.id}`).send(store.get(job.id) ?? job);
    },
  );

  app.get<{ Querystring: { limit?: string } }>(
    '/jobs',
    {
      schema: {
        summary: "This token's jobs, newest first",
        tags: ['jobs'],
        security: BEARER,
        // A string: query values are text, and bodies are validated without type coercion.
        querystring: { type: 'object', properties: { limit: { type: 'string', pattern: '^[0-9]{1,3}$', description: 'At most this many (1 to 500, default 50)' } }, additionalProperties: false },
        response: { 200: { type: 'object', properties: { jobs: { type: 'array', items: jobSchema } } }, ...authProblems },
      },
    },
    async (request) => ({ jobs: store.list(request.owner, Math.min(500, Math.max(1, Number(request.query.limit ?? 50)))) }),
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id',
    { schema: { summary: 'One job: state, progress, outcome', tags: ['jobs'], security: BEARER, params: jobIdParams, response: { 200: jobSchema, 404: problemResponse('No such job for this token'), ...authProblems } } },
    async (request) => ownJob(store, request),
  );

  app.delete<{ Params: { id: string } }>(
    '/jobs/:id',
    {
      schema: {
        summary: 'Cancel a job',
        description: 'A queued job is cancelled at once (200); a running one stops within one training step (202, then a `cancelled` state event).',
        tags: ['jobs'],
        security: BEARER,
        params: jobIdParams,
        response: { 200: jobSchema, 202: jobSchema, 404: problemResponse('No such job for this token'), 409: problemResponse('The job has already ended'), ...authProblems },
      },
    },
    async (request, reply) => {
      const job = ownJob(store, request);
      if (isTerminalState(job.state)) throw new HttpProblem(409, 'conflict', `job ${job.id} has already ended (${job.state})`);
      await dispatcher.cancel(job.id);
      const now = store.get(job.id) ?? job;
      return reply.code(isTerminalState(now.state) ? 200 : 202).send(now);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/package',
    {
      schema: {
        summary: 'The seed package a succeeded job produced',
        tags: ['jobs'],
        security: BEARER,
        params: jobIdParams,
        response: {
          200: { description: 'The .rfpk package; Repr-Digest carries its SHA-256', content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } },
          404: problemResponse('No such job for this token'),
          409: problemResponse('The job has not succeeded'),
          ...authProblems,
        },
      },
    },
    async (request, reply) => {
      const job = ownJob(store, request);
      if (job.state !== 'succeeded') {
        throw new HttpProblem(409, 'conflict', `job ${job.id} is ${job.state}: a package exists once it has succeeded${isTerminalState(job.state) ? '' : ' (follow /jobs/' + job.id + '/events)'}`);
      }
      const bytes = await o.artifacts.get(packageKey(job.id));
      if (bytes === undefined) throw new HttpProblem(404, 'not-found', `the package of job ${job.id} is missing from the artifact store`);
      const digest = job.outcome?.packageSha256;
      return reply
        .type('application/octet-stream')
        .header('content-disposition', `attachment; filename="${job.id}.rfpk"`)
        .headers(digest === undefined ? {} : { 'repr-digest': `sha-256=:${Buffer.from(digest, 'hex').toString('base64')}:` })
        .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    },
  );
}
