import type { FastifyInstance } from 'fastify';
import { isTerminalState, type SequencedEvent } from '../jobs/job-types.js';
import type { JobStore } from '../store/job-store.js';
import { authProblems, BEARER, jobIdParams } from './api-schemas.js';
import { ownJob } from './job-routes.js';
import { HttpProblem, problemResponse } from './problem.js';

export interface EventStreamOptions {
  readonly store: JobStore;
  /** A comment line this often keeps proxies from closing a quiet stream. */
  readonly heartbeatMs?: number;
}

function afterSeq(header: string | string[] | undefined): number {
  if (header === undefined) return 0;
  const text = Array.isArray(header) ? (header[0] ?? '') : header;
  if (!/^\d{1,15}$/.test(text.trim())) throw new HttpProblem(400, 'invalid-request', `Last-Event-ID must be an event id from this stream (a whole number), got ${JSON.stringify(text)}`);
  return Number(text);
}

const frame = (e: SequencedEvent) => `id: ${e.seq}\nevent: ${e.event.type}\ndata: ${JSON.stringify(e.event)}\n\n`;

/**
 * GET /jobs/:id/events as server-sent events: every stored event after Last-Event-ID, then live ones,
 * and the stream ends after the job's terminal state event. The store is synchronous, so between
 * subscribing and replaying no event can slip by: replay and live join without a gap or a duplicate.
 */
export function eventStreamRoute(app: FastifyInstance, o: EventStreamOptions): void {
  const open = new Set<() => void>();
  // Closing the server waits for open connections: end the streams, clients reconnect elsewhere.
  app.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });

  app.get<{ Params: { id: string } }>(
    '/jobs/:id/events',
    {
      schema: {
        summary: "A job's events as server-sent events",
        description:
          'Each event has `id:` = its sequence number and `event:` = its type (`state`, `train`, `log`); `data:` is the JobEvent as JSON. Send Last-Event-ID to resume after an event. The stream ends after the terminal `state` event (succeeded, failed, cancelled).',
        tags: ['jobs'],
        security: BEARER,
        params: jobIdParams,
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string' } } },
        response: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } }, 404: problemResponse('No such job for this token'), ...authProblems },
      },
    },
    (request, reply) => {
      const job = ownJob(o.store, request);
      let last = afterSeq(request.headers['last-event-id']);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      let ended = false;
      const end = () => {
        if (ended) return;
        ended = true;
        unsubscribe();
        clearInterval(heartbeat);
        open.delete(end);
        res.end();
      };
      const write = (e: SequencedEvent) => {
        if (ended || e.seq <= last) return;
        last = e.seq;
        res.write(frame(e));
        if (e.event.type === 'state' && isTerminalState(e.event.state)) end();
      };
      const unsubscribe = o.store.onEvent((id, e) => {
        if (id === job.id) write(e);
      });
      const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), o.heartbeatMs ?? 15_000);
      open.add(end);
      res.on('close', end);
      for (const e of o.store.eventsSince(job.id, last)) write(e);
      // Resumed after the terminal event: nothing more will come.
      if (!ended && isTerminalState(o.store.get(job.id)?.state ?? 'failed')) end();
    },
  );
}
