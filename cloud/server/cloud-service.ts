import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { datasetCheck } from '../jobs/dataset-check.js';
import { datasetResolver } from '../jobs/dataset-resolver.js';
import type { DispatcherFactory, JobDispatcher } from '../queue/job-dispatcher.js';
import { localDispatcher } from '../queue/local-dispatcher.js';
import type { ArtifactStore } from '../store/artifact-store.js';
import { DirectoryArtifactStore } from '../store/directory-artifact-store.js';
import { openServiceDatabase } from '../store/service-database.js';
import { SqliteJobStore } from '../store/sqlite-job-store.js';
import { SqliteTokenStore } from '../store/sqlite-token-store.js';
import { buildServiceApp } from './service-app.js';

export interface CloudServiceOptions {
  /** Holds service.db, and by default the artifacts and the unpacked-dataset cache. */
  readonly dataDir: string;
  /** Folders offered by name: each subfolder is a dataset jobs can name as {"server": name}. */
  readonly datasetsDir?: string;
  /** Where packages and uploads go (default `<data>/artifacts`); scale-out workers must share it. */
  readonly artifacts?: ArtifactStore;
  /** Default 127.0.0.1: a service meant for a network is bound there on purpose. */
  readonly host?: string;
  /** Default 8080; 0 picks a free port. */
  readonly port?: number;
  /** How jobs run: in-process workers (default, 1 at a time) or another queue (`--redis`). */
  readonly dispatcher?: DispatcherFactory;
  /** What /health reports as the mode. */
  readonly mode?: string;
  readonly maxUploadBytes?: number;
  readonly maxJsonBytes?: number;
  readonly version?: string;
  readonly log?: (line: string) => void;
}

export interface CloudService {
  /** e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly store: SqliteJobStore;
  readonly tokens: SqliteTokenStore;
  readonly app: FastifyInstance;
  readonly dispatcher: JobDispatcher;
  /** Stops listening, stops running jobs (they run again at the next start), closes the database. */
  close(): Promise<void>;
}

/** Opens the data folder, starts the dispatcher (recovering interrupted jobs) and the HTTP API. */
export async function startCloudService(o: CloudServiceOptions): Promise<CloudService> {
  const log = o.log ?? (() => undefined);
  const db = openServiceDatabase(o.dataDir);
  const store = new SqliteJobStore(db);
  const tokens = new SqliteTokenStore(db);
  const artifacts = o.artifacts ?? new DirectoryArtifactStore(path.join(o.dataDir, 'artifacts'));
  const resolveDataset = datasetResolver({ artifacts, cacheDir: path.join(o.dataDir, 'cache', 'datasets'), ...(o.datasetsDir === undefined ? {} : { datasetsDir: o.datasetsDir }) });
  const dispatcher = (o.dispatcher ?? localDispatcher())({ store, artifacts, resolveDataset, log });
  let app: FastifyInstance | undefined;
  try {
    await dispatcher.start();
    app = await buildServiceApp({
      store,
      tokens,
      artifacts,
      dispatcher,
      checkDataset: datasetCheck({ artifacts, ...(o.datasetsDir === undefined ? {} : { datasetsDir: o.datasetsDir }) }),
      log,
      ...(o.mode === undefined ? {} : { mode: o.mode }),
      ...(o.maxUploadBytes === undefined ? {} : { maxUploadBytes: o.maxUploadBytes }),
      ...(o.maxJsonBytes === undefined ? {} : { maxJsonBytes: o.maxJsonBytes }),
      ...(o.version === undefined ? {} : { version: o.version }),
    });
    await app.listen({ host: o.host ?? '127.0.0.1', port: o.port ?? 8080 });
  } catch (e) {
    await app?.close();
    await dispatcher.close();
    store.close();
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : (o.port ?? 8080);
  const host = o.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const server = app;
  let closed: Promise<void> | undefined;
  return {
    url,
    store,
    tokens,
    app: server,
    dispatcher,
    close: () =>
      (closed ??= (async () => {
        await server.close();
        await dispatcher.close();
        store.close();
      })()),
  };
}
