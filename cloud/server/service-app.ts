import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import type { DatasetRef } from '../jobs/job-types.js';
import type { JobDispatcher } from '../queue/job-dispatcher.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import type { JobStore, TokenStore } from '../store/job-store.js';
import { bearerAuth } from './bearer-auth.js';
import { datasetRoutes } from './dataset-routes.js';
import { problemErrors } from './error-handler.js';
import { eventStreamRoute } from './event-stream.js';
import { jobRoutes } from './job-routes.js';

export const MIB = 1024 * 1024;
export const DEFAULT_JSON_LIMIT = 2 * MIB;
export const DEFAULT_UPLOAD_LIMIT = 256 * MIB;

export interface ServiceAppOptions {
  readonly store: JobStore;
  readonly tokens: TokenStore;
  readonly artifacts: ArtifactStore;
  readonly dispatcher: JobDispatcher;
  /** What GET /health reports as the queue ("sqlite", "bullmq"). */
  readonly mode?: string;
  /** Why a job could not use this dataset, or undefined when it can; every reference passes when absent. */
  readonly checkDataset?: (owner: string, ref: DatasetRef) => Promise<string | undefined>;
  /** Largest JSON body (a job with its spec). */
  readonly maxJsonBytes?: number;
  /** Largest dataset archive. */
  readonly maxUploadBytes?: number;
  readonly heartbeatMs?: number;
  readonly version?: string;
  readonly log?: (line: string) => void;
}

/** The service's HTTP API (fastify): routes, bearer auth, problem+json errors, the OpenAPI document. */
export async function buildServiceApp(o: ServiceAppOptions): Promise<FastifyInstance> {
  const log = o.log ?? (() => undefined);
  const app = Fastify({
    bodyLimit: o.maxJsonBytes ?? DEFAULT_JSON_LIMIT,
    // Unknown fields are errors, not silently dropped; numbers are not made from strings.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: true } },
    // Streams stay open for hours; the server closes them itself on shutdown.
    forceCloseConnections: true,
  });
  // Answers are plain JSON.stringify: the response schemas document, they do not filter.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: { title: 'ReFrame cloud training service', description: 'Submit training jobs, follow their progress, download seed packages. See docs/cloud.md.', version: o.version ?? '1' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A token from `reframe cloud token create <name>`' } } },
      tags: [
        { name: 'jobs', description: 'Training jobs' },
        { name: 'datasets', description: 'Uploaded training data' },
        { name: 'service', description: 'Health and this document' },
      ],
    },
  });
  problemErrors(app, log);
  bearerAuth(app, o.tokens);

  app.get('/health', { config: { public: true }, schema: { summary: 'Liveness, no token needed', tags: ['service'], response: { 200: { type: 'object', properties: { status: { type: 'string' }, mode: { type: 'string' }, version: { type: 'string' } } } } } }, async () => ({
    status: 'ok',
    mode: o.mode ?? 'sqlite',
    version: o.version ?? '1',
  }));
  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());

  jobRoutes(app, { store: o.store, dispatcher: o.dispatcher, artifacts: o.artifacts, checkDataset: o.checkDataset ?? (async () => undefined) });
  eventStreamRoute(app, { store: o.store, ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }) });
  datasetRoutes(app, { artifacts: o.artifacts, maxUploadBytes: o.maxUploadBytes ?? DEFAULT_UPLOAD_LIMIT });
  await app.ready();
  return app;
}
