import { randomBytes } from 'node:crypto';
import type { JobEvent, JobOutcome, JobRecord, JobState, JobSubmission, SequencedEvent } from '../jobs/job-types.js';
import type { JobStore } from './job-store.js';
import type { ServiceDatabase } from './service-database.js';

interface JobRow {
  id: string;
  owner: string;
  state: JobState;
  submission: string;
  submitted_at: string;
  started_at: string | null;
  finished_at: string | null;
  attempts: number;
  error: string | null;
  progress: string | null;
  outcome: string | null;
}

const COLUMNS = 'id, owner, state, submission, submitted_at, started_at, finished_at, attempts, error, progress, outcome';

function toRecord(r: JobRow): JobRecord {
  return {
    id: r.id,
    owner: r.owner,
    state: r.state,
    submission: JSON.parse(r.submission) as JobSubmission,
    submittedAt: r.submitted_at,
    ...(r.started_at === null ? {} : { startedAt: r.started_at }),
    ...(r.finished_at === null ? {} : { finishedAt: r.finished_at }),
    attempts: r.attempts,
    ...(r.error === null ? {} : { error: r.error }),
    ...(r.progress === null ? {} : { progress: JSON.parse(r.progress) as NonNullable<JobRecord['progress']> }),
    ...(r.outcome === null ? {} : { outcome: JSON.parse(r.outcome) as JobOutcome }),
  };
}

const now = () => new Date().toISOString();

/** Job ids travel in URLs and name package files: random, so one token cannot guess another's. */
const newJobId = () => `job_${randomBytes(10).toString('hex')}`;

/**
 * Jobs and their events in the service's SQLite file. Every state change and the event that announces
 * it commit in one transaction: after a crash the record and its event stream agree. Listeners hear
 * of events only after their transaction has committed.
 */
export class SqliteJobStore implements JobStore {
  private readonly listeners = new Set<(jobId: string, e: SequencedEvent) => void>();
  private readonly pending: [string, SequencedEvent][] = [];

  private readonly q;

  constructor(private readonly db: ServiceDatabase) {
    this.q = {
      insert: db.prepare<[string, string, string, string]>(`INSERT INTO jobs (id, owner, state, submission, submitted_at) VALUES (?, ?, 'queued', ?, ?)`),
      get: db.prepare<[string], JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE id = ?`),
      list: db.prepare<[string, number], JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE owner = ? ORDER BY n DESC LIMIT ?`),
      oldestQueued: db.prepare<[], { id: string }>(`SELECT id FROM jobs WHERE state = 'queued' ORDER BY n LIMIT 1`),
      running: db.prepare<[], JobRow>(`SELECT ${COLUMNS} FROM jobs WHERE state = 'running' ORDER BY n`),
      toRunning: db.prepare<[string, string]>(`UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = ?, error = NULL WHERE id = ? AND state = 'queued'`),
      progress: db.prepare<[string, string]>(`UPDATE jobs SET progress = ? WHERE id = ?`),
      finish: db.prepare<[string, string, string | null, string | null, string]>(
        `UPDATE jobs SET state = ?, finished_at = ?, error = ?, outcome = ? WHERE id = ? AND state IN ('queued', 'running')`,
      ),
      toQueued: db.prepare<[string, string]>(`UPDATE jobs SET state = 'queued', error = ? WHERE id = ? AND state = 'running'`),
      nextSeq: db.prepare<[string], { last_seq: number }>(`UPDATE jobs SET last_seq = last_seq + 1 WHERE id = ? RETURNING last_seq`),
      insertEvent: db.prepare<[string, number, string, string]>(`INSERT INTO job_events (job_id, seq, at, event) VALUES (?, ?, ?, ?)`),
      eventsSince: db.prepare<[string, number], { seq: number; event: string }>(`SELECT seq, event FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq`),
    };
  }

  /** Runs fn in one IMMEDIATE transaction, then tells listeners what it appended. */
  private tx<T>(fn: () => T): T {
    let result: T;
    try {
      result = this.db.transaction(fn).immediate();
    } catch (e) {
      this.pending.length = 0;
      throw e;
    }
    const done = this.pending.splice(0);
    for (const [id, e] of done) {
      for (const l of this.listeners) {
        // A failing listener (a stream whose socket broke) must not undo or hide a committed change.
        try {
          l(id, e);
        } catch {
          this.listeners.delete(l);
        }
      }
    }
    return result;
  }

  /** Appends inside the caller's transaction. */
  private append(id: string, event: JobEvent): SequencedEvent {
    const row = this.q.nextSeq.get(id);
    if (row === undefined) throw new Error(`internal: no job ${id} to append an event to`);
    this.q.insertEvent.run(id, row.last_seq, now(), JSON.stringify(event));
    const sequenced = { seq: row.last_seq, event };
    this.pending.push([id, sequenced]);
    return sequenced;
  }

  create(owner: string, submission: JobSubmission): JobRecord {
    return this.tx(() => {
      const id = newJobId();
      this.q.insert.run(id, owner, JSON.stringify(submission), now());
      this.append(id, { type: 'state', state: 'queued' });
      return toRecord(this.q.get.get(id) as JobRow);
    });
  }

  get(id: string): JobRecord | undefined {
    const row = this.q.get.get(id);
    return row === undefined ? undefined : toRecord(row);
  }

  list(owner: string, limit: number): JobRecord[] {
    return this.q.list.all(owner, limit).map(toRecord);
  }

  markRunning(id: string): boolean {
    return this.tx(() => {
      if (this.q.toRunning.run(now(), id).changes === 0) return false;
      this.append(id, { type: 'state', state: 'running' });
      return true;
    });
  }

  setProgress(id: string, progress: NonNullable<JobRecord['progress']>): void {
    this.q.progress.run(JSON.stringify(progress), id);
  }

  finish(id: string, state: Exclude<JobState, 'queued' | 'running'>, details: { readonly error?: string; readonly outcome?: JobOutcome } = {}): boolean {
    return this.tx(() => {
      if (this.q.finish.run(state, now(), details.error ?? null, details.outcome === undefined ? null : JSON.stringify(details.outcome), id).changes === 0) return false;
      this.append(id, { type: 'state', state, ...details });
      return true;
    });
  }

  requeue(id: string, maxAttempts: number, reason: string): JobState {
    return this.tx(() => {
      const row = this.q.get.get(id);
      if (row === undefined) throw new Error(`internal: no job ${id} to requeue`);
      if (row.state !== 'running') return row.state;
      if (row.attempts >= maxAttempts) {
        const error = `gave up after ${row.attempts} attempt(s): ${reason}`;
        this.q.finish.run('failed', now(), error, null, id);
        this.append(id, { type: 'state', state: 'failed', error });
        return 'failed';
      }
      this.q.toQueued.run(reason, id);
      this.append(id, { type: 'log', message: `attempt ${row.attempts} of ${maxAttempts} interrupted (${reason}); queued again` });
      this.append(id, { type: 'state', state: 'queued' });
      return 'queued';
    });
  }

  claimNext(): JobRecord | undefined {
    return this.tx(() => {
      const next = this.q.oldestQueued.get();
      if (next === undefined) return undefined;
      this.q.toRunning.run(now(), next.id);
      this.append(next.id, { type: 'state', state: 'running' });
      return toRecord(this.q.get.get(next.id) as JobRow);
    });
  }

  running(): JobRecord[] {
    return this.q.running.all().map(toRecord);
  }

  appendEvent(id: string, event: JobEvent): SequencedEvent {
    return this.tx(() => this.append(id, event));
  }

  eventsSince(id: string, afterSeq: number): SequencedEvent[] {
    return this.q.eventsSince.all(id, afterSeq).map((r) => ({ seq: r.seq, event: JSON.parse(r.event) as JobEvent }));
  }

  onEvent(listener: (jobId: string, e: SequencedEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.listeners.clear();
    if (this.db.open) this.db.close();
  }
}
