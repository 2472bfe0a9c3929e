import type { JobEvent, SequencedEvent } from '../../cloud/jobs/job-types.js';

/**
 * Reads a job's server-sent events over real HTTP, frame by frame, as any SSE client would; calls
 * onEvent for each and resolves with all of them when the server ends the stream.
 */
export async function readJobEvents(url: string, token: string, onEvent: (e: SequencedEvent) => void | Promise<void> = () => undefined, lastEventId?: number): Promise<SequencedEvent[]> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream', ...(lastEventId === undefined ? {} : { 'last-event-id': String(lastEventId) }) } });
  if (res.status !== 200 || res.body === null) throw new Error(`GET ${url}: ${res.status} ${await res.text()}`);
  const events: SequencedEvent[] = [];
  const text = new TextDecoder();
  let buffer = '';
  for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
    buffer += text.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const id = /^id: (\d+)$/m.exec(frame)?.[1];
      const data = /^data: (.*)$/m.exec(frame)?.[1];
      if (id === undefined || data === undefined) continue; // a keep-alive comment
      const e = { seq: Number(id), event: JSON.parse(data) as JobEvent };
      events.push(e);
      await onEvent(e);
    }
  }
  return events;
}
