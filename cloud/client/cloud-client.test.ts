import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobEvent, JobRecord } from '../jobs/job-types.js';
import { CloudClient } from './cloud-client.js';
import { CloudError } from './cloud-error.js';

/** A stand-in for the service's HTTP surface, to drive the client through drops and refusals. */
function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

const step = (i: number): JobEvent => ({ type: 'train', event: { type: 'step', epoch: 0, step: i, stepsPerEpoch: 4, loss: 1 / (i + 1), accuracy: 0.1 * i, imagesPerSecond: 100, etaSeconds: 1 } });
const record = (state: JobRecord['state']): Partial<JobRecord> => ({ id: 'j1', owner: 't', state, attempts: 1 });

let open: Server | undefined;
afterEach(() => open?.close());

describe('CloudClient', () => {
  it('resumes a dropped event stream from the last event it saw and ends at the terminal state', async () => {
    const events: JobEvent[] = [step(0), step(1), step(2), step(3), { type: 'state', state: 'succeeded' }];
    const asked: string[] = [];
    const { server, url } = await serve((req, res) => {
      if (req.url === '/jobs/j1/events') {
        const after = Number(req.headers['last-event-id'] ?? 0);
        asked.push(String(after));
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        const from = after;
        // The first connection drops after two events, mid-stream.
        const upto = after === 0 ? 2 : events.length;
        for (let i = from; i < upto; i++) res.write(`id: ${i + 1}\nevent: ${events[i]?.type}\ndata: ${JSON.stringify(events[i])}\n\n`);
        // Dropped mid-stream (no end of the chunked body), once the events have gone out.
        if (after === 0) setTimeout(() => res.socket?.destroy(), 50);
        else res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(record('running')));
    });
    open = server;
    const client = new CloudClient({ url, token: 't', reconnectMs: 10 });
    const got = [];
    for await (const e of client.events('j1')) got.push(e);
    expect(got.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(got.at(-1)?.event).toEqual({ type: 'state', state: 'succeeded' });
    expect(asked).toEqual(['0', '2']);
  });

  it('reports how a job ended when the stream closes without saying so', async () => {
    const { server, url } = await serve((req, res) => {
      if (req.url === '/jobs/j1/events') {
        res.writeHead(200, { 'content-type': 'text/event-stream' }).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...record('failed'), error: 'out of memory' }));
    });
    open = server;
    const got = [];
    for await (const e of new CloudClient({ url, token: 't', reconnectMs: 10 }).events('j1')) got.push(e.event);
    expect(got).toEqual([{ type: 'state', state: 'failed', error: 'out of memory' }]);
  });

  it('turns problem+json answers into sentences that say what to do', async () => {
    const { server, url } = await serve((req, res) => {
      const problem = req.headers.authorization === 'Bearer good' ? { status: 400, title: 'Bad Request', detail: 'the spec is invalid', errors: [{ path: '/spec/nodes/2/kernel', message: 'must be positive' }] } : { status: 401, title: 'Unauthorized', detail: 'unknown token' };
      res.writeHead(problem.status, { 'content-type': 'application/problem+json' }).end(JSON.stringify(problem));
    });
    open = server;
    const bad = new CloudClient({ url, token: 'nope' }).get('j1');
    await expect(bad).rejects.toThrow(/refused the token.*reframe cloud token create/);
    const invalid = await new CloudClient({ url, token: 'good' }).list().catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(CloudError);
    expect((invalid as CloudError).status).toBe(400);
    expect((invalid as CloudError).message).toContain('/spec/nodes/2/kernel: must be positive');
  });

  it('says when the service cannot be reached', async () => {
    const { server, url } = await serve(() => undefined);
    await new Promise((r) => server.close(r));
    await expect(new CloudClient({ url, token: 't' }).health()).rejects.toThrow(/could not reach the service at http:\/\/127\.0\.0\.1:\d+/);
  });
});
