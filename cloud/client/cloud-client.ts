import { createParser } from 'eventsource-parser';
import type { JobEvent, JobRecord, JobSubmission, SequencedEvent } from '../jobs/job-types.js';
import { TERMINAL_STATES } from '../jobs/job-types.js';
import { CloudError, describeProblem, type Problem } from './cloud-error.js';

type Fetch = typeof fetch;

export interface CloudClientOptions {
  readonly url: string;
  readonly token: string;
  readonly fetch?: Fetch;
  /** Pause before reconnecting a dropped event stream. */
  readonly reconnectMs?: number;
}

const isTerminal = (e: JobEvent) => e.type === 'state' && TERMINAL_STATES.includes(e.state);

/**
 * The service's HTTP API as calls: what `reframe train --cloud` and the studio use. Event streams
 * survive dropped connections: they reconnect with Last-Event-ID and resume where they stopped.
 */
export class CloudClient {
  private readonly base: string;
  private readonly fetch: Fetch;

  constructor(private readonly o: CloudClientOptions) {
    this.base = o.url.replace(/\/+$/, '');
    this.fetch = o.fetch ?? fetch;
  }

  private async request(method: string, route: string, what: string, init: { body?: string | Uint8Array<ArrayBuffer>; type?: string; headers?: Record<string, string>; signal?: AbortSignal } = {}): Promise<Response> {
    let res: Response;
    try {
      res = await this.fetch(`${this.base}${route}`, {
        method,
        headers: { authorization: `Bearer ${this.o.token}`, ...(init.type === undefined ? {} : { 'content-type': init.type }), ...init.headers },
        ...(init.body === undefined ? {} : { body: init.body }),
        ...(init.signal === undefined ? {} : { signal: init.signal }),
      });
    } catch (e) {
      if ((e as Error).name === 'AbortError') throw e;
      throw new CloudError(`${what}: could not reach the service at ${this.base} (${(e as Error).message}); check the URL and that \`reframe cloud serve\` runs there`, 0);
    }
    if (!res.ok) {
      const problem = (await res.json().catch(() => undefined)) as Problem | undefined;
      throw new CloudError(describeProblem(res.status, problem, what), res.status, problem);
    }
    return res;
  }

  async health(): Promise<unknown> {
    return (await this.request('GET', '/health', 'health check')).json();
  }

  async submit(s: JobSubmission): Promise<JobRecord> {
    const res = await this.request('POST', '/jobs', 'submitting the job', { body: JSON.stringify(s), type: 'application/json' });
    const body = (await res.json()) as Partial<JobRecord> & { id: string };
    return body.state === undefined ? this.get(body.id) : (body as JobRecord);
  }

  async get(id: string): Promise<JobRecord> {
    return (await (await this.request('GET', `/jobs/${encodeURIComponent(id)}`, `job ${id}`)).json()) as JobRecord;
  }

  /** This token's jobs, newest first; at most `limit` (the service's default 50, at most 500). */
  async list(limit?: number): Promise<JobRecord[]> {
    const route = limit === undefined ? '/jobs' : `/jobs?limit=${Math.min(500, Math.max(1, Math.floor(limit)))}`;
    const body = (await (await this.request('GET', route, 'listing jobs')).json()) as JobRecord[] | { jobs: JobRecord[] };
    return Array.isArray(body) ? body : body.jobs;
  }

  async cancel(id: string): Promise<void> {
    await this.request('DELETE', `/jobs/${encodeURIComponent(id)}`, `cancelling job ${id}`);
  }

  async downloadPackage(id: string): Promise<Uint8Array> {
    const res = await this.request('GET', `/jobs/${encodeURIComponent(id)}/package`, `the package of job ${id}`);
    return new Uint8Array(await res.arrayBuffer());
  }

  async uploadDataset(name: string, tar: Uint8Array<ArrayBuffer>, options: { signal?: AbortSignal } = {}): Promise<void> {
    await this.request('PUT', `/datasets/${encodeURIComponent(name)}`, `uploading dataset ${name}`, { body: tar, type: 'application/x-tar', ...(options.signal === undefined ? {} : { signal: options.signal }) });
  }

  /**
   * The job's events from after `afterSeq` until it ends, reconnecting after a dropped connection.
   * Ends after the terminal state event.
   */
  async *events(id: string, options: { afterSeq?: number; signal?: AbortSignal } = {}): AsyncGenerator<SequencedEvent> {
    let last = options.afterSeq ?? 0;
    let quietEnds = 0;
    for (;;) {
      const queue: SequencedEvent[] = [];
      const parser = createParser({
        onEvent: (m) => {
          const data = JSON.parse(m.data) as JobEvent | SequencedEvent;
          const seq = m.id === undefined ? last + 1 : Number(m.id);
          queue.push('seq' in data && 'event' in data ? data : { seq, event: data });
        },
      });
      let ended = false;
      try {
        const res = await this.request('GET', `/jobs/${encodeURIComponent(id)}/events`, `events of job ${id}`, {
          headers: { accept: 'text/event-stream', ...(last > 0 ? { 'last-event-id': String(last) } : {}) },
          ...(options.signal === undefined ? {} : { signal: options.signal }),
        });
        const reader = res.body?.getReader();
        const text = new TextDecoder();
        while (reader !== undefined) {
          const { done, value } = await reader.read();
          if (done) break;
          parser.feed(text.decode(value, { stream: true }));
          for (const e of queue.splice(0)) {
            if (e.seq <= last) continue;
            last = e.seq;
            quietEnds = 0;
            yield e;
            if (isTerminal(e.event)) ended = true;
          }
          if (ended) {
            await reader.cancel().catch(() => undefined);
            return;
          }
        }
      } catch (e) {
        // A dropped stream is resumed; an answer from the service (CloudError with a status) is final.
        if (options.signal?.aborted === true || (e instanceof CloudError && e.status !== 0)) throw e;
      }
      // The stream closed without a terminal event. If the job has ended and a reconnect brought
      // nothing new, the record itself says how it ended.
      const record = await this.get(id);
      if (TERMINAL_STATES.includes(record.state)) {
        if (quietEnds > 0) {
          yield { seq: last + 1, event: { type: 'state', state: record.state, ...(record.error === undefined ? {} : { error: record.error }), ...(record.outcome === undefined ? {} : { outcome: record.outcome }) } };
          return;
        }
        quietEnds++;
      }
      await new Promise((r) => setTimeout(r, this.o.reconnectMs ?? 500));
    }
  }
}
