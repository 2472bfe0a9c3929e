import { tinySubmission } from '../jobs/tiny-submission.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobSubmission, SequencedEvent } from '../jobs/job-types.js';
import { openServiceDatabase, SCHEMA_VERSION, serviceDatabaseFile, ServiceDatabaseError, type ServiceDatabase } from './service-database.js';
import { SqliteJobStore } from './sqlite-job-store.js';

const submission: JobSubmission = tinySubmission({ builtin: 'demo' }, 10);

const outcome = { engine: 'tfjs-wasm', accuracy: 0.5, loss: 1, evalImages: 500, epochs: 1, packageBytes: 100, packageSha256: 'ab', seconds: 2, confusion: [[3, 1], [0, 4]] };

let dir = '';
let db: ServiceDatabase;
let store: SqliteJobStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-jobstore-'));
  db = openServiceDatabase(dir);
  store = new SqliteJobStore(db);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

const states = (events: SequencedEvent[]) => events.flatMap((e) => (e.event.type === 'state' ? [e.event.state] : []));

describe('SqliteJobStore', () => {
  it('queues in submission order, claims each job once, and numbers every job its own events', () => {
    const a = store.create('tok_a', submission);
    const b = store.create('tok_b', submission);
    expect(a.id).toMatch(/^job_[0-9a-f]{20}$/);
    expect([a.state, a.attempts, a.submission]).toEqual(['queued', 0, submission]);
    const first = store.claimNext()!;
    expect([first.id, first.state, first.attempts]).toEqual([a.id, 'running', 1]);
    expect(first.startedAt).toBeDefined();
    expect(store.claimNext()!.id).toBe(b.id);
    expect(store.claimNext()).toBeUndefined();
    expect(store.markRunning(a.id)).toBe(false);
    expect(store.eventsSince(a.id, 0).map((e) => e.seq)).toEqual([1, 2]);
    expect(states(store.eventsSince(b.id, 0))).toEqual(['queued', 'running']);
    expect(store.eventsSince(a.id, 1).map((e) => e.seq)).toEqual([2]);
  });

  it('lists only the owner’s jobs, newest first', () => {
    const ids = [store.create('tok_a', submission).id, store.create('tok_b', submission).id, store.create('tok_a', submission).id];
    expect(store.list('tok_a', 10).map((j) => j.id)).toEqual([ids[2], ids[0]]);
    expect(store.list('tok_a', 1).map((j) => j.id)).toEqual([ids[2]]);
    expect(store.list('tok_c', 10)).toEqual([]);
  });

  it('ends a job once: a terminal state is never left or overwritten', () => {
    const job = store.create('o', submission);
    store.claimNext();
    expect(store.finish(job.id, 'succeeded', { outcome })).toBe(true);
    expect(store.finish(job.id, 'failed', { error: 'late' })).toBe(false);
    expect(store.requeue(job.id, 3, 'crash')).toBe('succeeded');
    const done = store.get(job.id)!;
    expect([done.state, done.outcome, done.error, done.finishedAt !== undefined]).toEqual(['succeeded', outcome, undefined, true]);
    expect(states(store.eventsSince(job.id, 0))).toEqual(['queued', 'running', 'succeeded']);
    const last = store.eventsSince(job.id, 0).at(-1)!.event;
    expect(last).toEqual({ type: 'state', state: 'succeeded', outcome });
  });

  it('cancels a queued job so that it is never claimed', () => {
    const job = store.create('o', submission);
    expect(store.finish(job.id, 'cancelled', { error: 'cancelled before it started' })).toBe(true);
    expect(store.claimNext()).toBeUndefined();
    expect(store.get(job.id)!.attempts).toBe(0);
  });

  it('requeues an interrupted run and fails it once the attempts are used up', () => {
    const job = store.create('o', submission);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(store.claimNext()!.attempts).toBe(attempt);
      expect(store.requeue(job.id, 3, 'the service stopped while it ran')).toBe('queued');
      expect(store.get(job.id)!.state).toBe('queued');
    }
    store.claimNext();
    expect(store.requeue(job.id, 3, 'the service stopped while it ran')).toBe('failed');
    const failed = store.get(job.id)!;
    expect([failed.state, failed.attempts, failed.error]).toEqual(['failed', 3, 'gave up after 3 attempt(s): the service stopped while it ran']);
    expect(states(store.eventsSince(job.id, 0))).toEqual(['queued', 'running', 'queued', 'running', 'queued', 'running', 'failed']);
    expect(store.eventsSince(job.id, 0).some((e) => e.event.type === 'log' && e.event.message.includes('attempt 1 of 3 interrupted'))).toBe(true);
  });

  it('tells listeners of each event after it is committed, in order', () => {
    const seen: [string, number, boolean][] = [];
    const off = store.onEvent((id, e) => seen.push([id, e.seq, store.eventsSince(id, e.seq - 1).length === 1]));
    const job = store.create('o', submission);
    store.appendEvent(job.id, { type: 'log', message: 'hello' });
    off();
    store.appendEvent(job.id, { type: 'log', message: 'unheard' });
    expect(seen).toEqual([
      [job.id, 1, true],
      [job.id, 2, true],
    ]);
  });

  it('keeps a failed transaction out entirely: no half-done transition, no event heard', () => {
    const job = store.create('o', submission);
    const heard: number[] = [];
    store.onEvent((_id, e) => heard.push(e.seq));
    // A trigger makes the event insert fail after the transition's UPDATE has already run.
    db.exec(`CREATE TRIGGER break_events BEFORE INSERT ON job_events WHEN NEW.event LIKE '%"running"%' BEGIN SELECT RAISE(ABORT, 'disk full'); END`);
    expect(() => store.claimNext()).toThrow(/disk full/);
    db.exec('DROP TRIGGER break_events');
    const after = store.get(job.id)!;
    expect([after.state, after.attempts]).toEqual(['queued', 0]);
    expect(heard).toEqual([]);
    expect(store.claimNext()!.id).toBe(job.id);
    expect(heard).toEqual([2]);
  });

  it('survives a reopen with every job, state and event, and the progress', () => {
    const finished = store.create('o', submission);
    store.claimNext();
    store.setProgress(finished.id, { epoch: 0, step: 5, stepsPerEpoch: 10, epochs: 1, loss: 1.5, accuracy: 0.25 });
    store.finish(finished.id, 'succeeded', { outcome });
    const queued = store.create('o', submission);
    store.close();
    store = new SqliteJobStore(openServiceDatabase(dir));
    expect(store.get(finished.id)).toMatchObject({ state: 'succeeded', outcome, progress: { step: 5, loss: 1.5 } });
    expect(store.get(queued.id)!.state).toBe('queued');
    expect(store.eventsSince(finished.id, 0)).toHaveLength(3);
  });
});

describe('openServiceDatabase', () => {
  it('uses WAL and records the schema version', () => {
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('refuses a database from a newer reframe instead of guessing', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'reframe-jobstore-new-'));
    try {
      const raw = new Database(serviceDatabaseFile(other));
      raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
      raw.close();
      expect(() => openServiceDatabase(other)).toThrow(ServiceDatabaseError);
      expect(() => openServiceDatabase(other)).toThrow(`schema version ${SCHEMA_VERSION + 1}, newer than this reframe knows (${SCHEMA_VERSION})`);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
