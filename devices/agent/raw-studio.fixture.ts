import { MessageLink } from '../link/message-link.js';
import type { Message } from '../protocol/messages.js';
import type { Transport } from '../transport/transport.js';
import { fileDigest } from '../protocol/file-digest.js';

export type Reply<T extends Message['type']> = Extract<Message, { type: T }>;

/** The studio's side, driven by hand: raw messages out, everything the board says collected. */
export class RawStudio {
  readonly inbox: Message[] = [];
  readonly link: MessageLink;
  private nextId = 1;
  private wake: (() => void) | undefined;

  constructor(
    readonly transport: Transport,
    maxMessage = 65536,
  ) {
    this.link = new MessageLink(transport, maxMessage, {
      message: (m) => {
        this.inbox.push(m);
        this.wake?.();
      },
    });
  }

  id(): number {
    return this.nextId++;
  }

  /** The first message not yet taken that matches; waits for it. */
  async take(match: (m: Message) => boolean, timeoutMs = 10_000): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex(match);
      if (i >= 0) return this.inbox.splice(i, 1)[0]!;
      if (Date.now() > deadline) throw new Error(`no matching message within ${timeoutMs} ms; inbox: ${JSON.stringify(this.inbox.map((m) => [m.type, m.id]))}`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 50);
      });
    }
  }

  async ask(m: Message): Promise<Message> {
    await this.link.send(m);
    return this.take((x) => x.id === m.id && x.type !== 'log');
  }

  async hello(maxMessage = 65536): Promise<Reply<'info'>['info']> {
    const r = await this.ask({ type: 'hello', id: this.id(), version: 1, maxMessage });
    if (r.type !== 'info') throw new Error(`HELLO got ${JSON.stringify(r)}`);
    return r.info;
  }

  /** BEGIN, every chunk from the acknowledged offset, COMMIT; returns the COMMIT's answer, or the first unexpected one. */
  async push(bytes: Uint8Array, kind: 'full' | 'delta' = 'full', chunk = 4096): Promise<Message> {
    const digest = fileDigest(bytes);
    const ack = await this.ask({ type: 'begin', id: this.id(), digest, size: bytes.length, kind });
    if (ack.type !== 'ack') return ack;
    for (let at = ack.offset; at < bytes.length; at += chunk) {
      const r = await this.ask({ type: 'chunk', id: this.id(), offset: at, bytes: bytes.subarray(at, at + chunk) });
      if (r.type !== 'ack' || r.gap || r.offset !== Math.min(at + chunk, bytes.length)) return r;
    }
    return this.ask({ type: 'commit', id: this.id(), digest });
  }
}

