import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type ServiceDatabase = Database.Database;

/**
 * Schema migrations, in order; `PRAGMA user_version` records how many have run. A new version appends
 * a step and never edits an old one, so any older database upgrades in place.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE jobs (
    n            INTEGER PRIMARY KEY AUTOINCREMENT,  -- submission order: the queue's order
    id           TEXT    NOT NULL UNIQUE,
    owner        TEXT    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')),
    submission   TEXT    NOT NULL,                   -- JSON
    submitted_at TEXT    NOT NULL,
    started_at   TEXT,
    finished_at  TEXT,
    attempts     INTEGER NOT NULL DEFAULT 0,
    error        TEXT,
    progress     TEXT,                               -- JSON
    outcome      TEXT,                               -- JSON
    last_seq     INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX jobs_by_owner ON jobs (owner, n);
  CREATE INDEX jobs_by_state ON jobs (state, n);
  CREATE TABLE job_events (
    job_id TEXT    NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    at     TEXT    NOT NULL,
    event  TEXT    NOT NULL,                         -- JSON JobEvent
    PRIMARY KEY (job_id, seq)
  ) WITHOUT ROWID;
  CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,                 -- hex SHA-256 of the token
    created_at TEXT NOT NULL,
    revoked_at TEXT
  );
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export class ServiceDatabaseError extends Error {
  readonly code = 'service-database';
  constructor(message: string) {
    super(message);
    this.name = 'ServiceDatabaseError';
  }
}

/** The service's file inside its data folder. */
export const serviceDatabaseFile = (dataDir: string): string => path.join(dataDir, 'service.db');

/**
 * Opens (creating if needed) `<dataDir>/service.db`: write-ahead log, so readers (a `token list`, the
 * HTTP routes) never wait for the writer; full sync, so a committed transition survives a power cut,
 * not only a killed process; a busy timeout, so `reframe cloud token create` beside a running service
 * waits its turn instead of failing.
 */
export function openServiceDatabase(dataDir: string): ServiceDatabase {
  mkdirSync(dataDir, { recursive: true });
  const file = serviceDatabaseFile(dataDir);
  let db: ServiceDatabase;
  try {
    db = new Database(file);
  } catch (e) {
    throw new ServiceDatabaseError(`cannot open ${file}: ${(e as Error).message}`);
  }
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (e) {
    db.close();
    if (e instanceof ServiceDatabaseError) throw e;
    throw new ServiceDatabaseError(`cannot use ${file}: ${(e as Error).message}`);
  }
  return db;
}

function migrate(db: ServiceDatabase, file: string): void {
  // IMMEDIATE: two processes opening a new database at once must not both run the same step.
  db.transaction(() => {
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new ServiceDatabaseError(`${file} has schema version ${version}, newer than this reframe knows (${MIGRATIONS.length}); run a newer reframe, or use another --data folder`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v] as string);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
