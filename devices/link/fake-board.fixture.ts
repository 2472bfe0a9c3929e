import { createHash } from 'node:crypto';
import { applyDelta } from '../../core/package/delta-package.js';
import { PROTOCOL_VERSION, type BoardInfo, type LayerTiming, type Message } from '../protocol/messages.js';
import type { ErrorCode } from '../protocol/protocol-error.js';
import type { Transport } from '../transport/transport.js';
import { MessageLink } from './message-link.js';

/**
 * A board written from docs/protocol.md alone, for the studio's tests: it answers in order, after
 * `ackDelayMs` per message (a board busy writing its storage), and records what it saw.
 */
export interface FakeBoardOptions {
  readonly maxMessage?: number;
  readonly ackDelayMs?: number;
  readonly version?: number;
  readonly delta?: boolean;
  /** Stops answering (everything) once it holds this many bytes of an upload. */
  readonly silentAfter?: number;
  /** Packages it holds already: the first is active, the second previous. */
  readonly holds?: readonly Uint8Array[];
  readonly name?: string;
}

interface Upload {
  digest: Uint8Array;
  size: number;
  kind: 'full' | 'delta';
  bytes: Uint8Array;
  contiguous: number;
}

export interface ChunkSeen {
  readonly offset: number;
  readonly length: number;
  readonly epochGap: boolean;
}

function sha256(b: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(b).digest());
}

function key(d: Uint8Array): string {
  return Buffer.from(d).toString('hex');
}

export class FakeBoard {
  readonly chunks: ChunkSeen[] = [];
  readonly begins: { size: number; kind: 'full' | 'delta' }[] = [];
  /** Largest number of CHUNK bytes received and not yet answered at any moment. */
  maxUnanswered = 0;
  /** Bytes held by digest (hex): what a board would keep in its slots. */
  readonly store = new Map<string, Uint8Array>();
  active: Uint8Array | undefined;
  previous: Uint8Array | undefined;
  upload: Upload | undefined;
  silent = false;
  private link: MessageLink;
  private readonly queue: Message[] = [];
  private unanswered = 0;
  private working = false;
  private inferInput: Uint8Array | undefined;
  private inferHeld = 0;

  constructor(
    transport: Transport,
    private readonly o: FakeBoardOptions = {},
  ) {
    this.link = this.attach(transport);
    for (const p of o.holds ?? []) this.store.set(key(sha256(p)), p);
    if (o.holds?.[0] !== undefined) this.active = sha256(o.holds[0]);
    if (o.holds?.[1] !== undefined) this.previous = sha256(o.holds[1]);
  }

  /** A new link (the studio reconnected); the board's state stays. */
  reattach(transport: Transport): void {
    this.link.detach();
    this.link = this.attach(transport);
  }

  get maxMessage(): number {
    return this.o.maxMessage ?? 1024;
  }

  info(): BoardInfo {
    return {
      version: this.o.version ?? PROTOCOL_VERSION,
      maxMessage: this.maxMessage,
      capabilities: { infer: true, bench: true, delta: this.o.delta ?? true, signatureRequired: false, persistentResume: false },
      ramBytes: 1 << 20,
      storageBytes: 1 << 24,
      active: this.active,
      previous: this.previous,
      pending: this.upload === undefined ? undefined : { digest: this.upload.digest, size: this.upload.size, offset: this.upload.contiguous },
      name: this.o.name ?? 'fake board',
      runtime: 'fake-board (test)',
    };
  }

  log(text: string): Promise<void> {
    return this.link.send({ type: 'log', id: 0, level: 'info', text });
  }

  private attach(transport: Transport): MessageLink {
    return new MessageLink(transport, this.maxMessage, {
      message: (m) => {
        if (m.type === 'chunk') {
          this.unanswered += m.bytes.length;
          this.maxUnanswered = Math.max(this.maxUnanswered, this.unanswered);
        }
        this.queue.push(m);
        void this.work();
      },
    });
  }

  private async work(): Promise<void> {
    if (this.working) return;
    this.working = true;
    try {
      for (let m = this.queue.shift(); m !== undefined; m = this.queue.shift()) {
        if ((this.o.ackDelayMs ?? 0) > 0) await new Promise((r) => setTimeout(r, this.o.ackDelayMs));
        if (m.type === 'chunk') this.unanswered -= m.bytes.length;
        const replies = this.handle(m);
        if (this.silent) continue;
        for (const r of replies) await this.link.send(r).catch(() => undefined);
      }
    } finally {
      this.working = false;
    }
  }

  private error(id: number, code: ErrorCode, message: string): Message {
    return { type: 'error', id, code, message };
  }

  private state(id: number): Message {
    return { type: 'state', id, active: this.active, previous: this.previous };
  }

  private handle(m: Message): Message[] {
    switch (m.type) {
      case 'hello':
        if (m.version !== PROTOCOL_VERSION) return [this.error(m.id, 'version', `this board speaks version ${PROTOCOL_VERSION}`)];
        return [{ type: 'info', id: m.id, info: this.info() }];
      case 'begin': {
        this.begins.push({ size: m.size, kind: m.kind });
        if (this.upload !== undefined && key(this.upload.digest) === key(m.digest) && this.upload.size === m.size) return [{ type: 'ack', id: m.id, offset: this.upload.contiguous, gap: false }];
        this.upload = { digest: m.digest, size: m.size, kind: m.kind, bytes: new Uint8Array(m.size), contiguous: 0 };
        return [{ type: 'ack', id: m.id, offset: 0, gap: false }];
      }
      case 'chunk': {
        const u = this.upload;
        if (u === undefined) return [this.error(m.id, 'no-upload', 'CHUNK without a BEGIN')];
        if (m.offset + m.bytes.length > u.size) return [this.error(m.id, 'bad-message', `CHUNK runs past the ${u.size}-byte upload`)];
        const gap = m.offset > u.contiguous;
        this.chunks.push({ offset: m.offset, length: m.bytes.length, epochGap: gap });
        if (!gap && m.offset + m.bytes.length > u.contiguous) {
          u.bytes.set(m.bytes, m.offset);
          u.contiguous = m.offset + m.bytes.length;
        }
        if (this.o.silentAfter !== undefined && u.contiguous >= this.o.silentAfter) this.silent = true;
        return [{ type: 'ack', id: m.id, offset: u.contiguous, gap }];
      }
      case 'commit': {
        const u = this.upload;
        if (u === undefined || key(u.digest) !== key(m.digest)) return [this.error(m.id, 'no-upload', 'COMMIT for an upload this board does not have')];
        if (u.contiguous < u.size) return [this.error(m.id, 'incomplete', `COMMIT after ${u.contiguous} of ${u.size} bytes`)];
        this.upload = undefined;
        if (key(sha256(u.bytes)) !== key(u.digest)) return [this.error(m.id, 'digest-mismatch', 'the bytes received do not hash to the announced digest')];
        let pkg = u.bytes;
        if (u.kind === 'delta') {
          const base = this.active === undefined ? undefined : this.store.get(key(this.active));
          if (base === undefined) return [this.error(m.id, 'delta-base', 'a delta, but no active package')];
          try {
            pkg = applyDelta(base, u.bytes);
          } catch (e) {
            return [this.error(m.id, 'delta-base', (e as Error).message)];
          }
        }
        const digest = sha256(pkg);
        this.store.set(key(digest), pkg);
        this.previous = this.active;
        this.active = digest;
        return [this.state(m.id)];
      }
      case 'activate':
        if (this.active !== undefined && key(this.active) === key(m.digest)) return [this.state(m.id)];
        if (this.previous === undefined || key(this.previous) !== key(m.digest)) return [this.error(m.id, 'not-found', 'this board does not hold that package')];
        [this.active, this.previous] = [this.previous, this.active];
        return [this.state(m.id)];
      case 'rollback':
        if (this.previous === undefined) return [this.error(m.id, 'no-previous', 'nothing to roll back to')];
        [this.active, this.previous] = [this.previous, this.active];
        return [this.state(m.id)];
      case 'abort':
        this.upload = undefined;
        return [this.state(m.id)];
      case 'infer': {
        if (this.active === undefined) return [this.error(m.id, 'no-model', 'no active model')];
        if (m.offset === 0) {
          this.inferInput = new Uint8Array(m.total);
          this.inferHeld = 0;
        }
        if (this.inferInput === undefined || m.offset !== this.inferHeld || m.total !== this.inferInput.length) return [this.error(m.id, 'bad-input', 'INFER part out of order')];
        this.inferInput.set(m.bytes, m.offset);
        this.inferHeld += m.bytes.length;
        if (this.inferHeld < m.total) return [{ type: 'ack', id: m.id, offset: this.inferHeld, gap: false }];
        // A stand-in model: logit k is k times the sum of the input.
        const input = new Float32Array(this.inferInput.buffer.slice(0));
        const sum = input.reduce((s, v) => s + v, 0);
        return [{ type: 'result', id: m.id, micros: 1234, engine: 'fake', logits: Float32Array.from({ length: 10 }, (_, k) => k * sum) }];
      }
      case 'bench': {
        const layers: LayerTiming[] = Array.from({ length: 7 }, (_, i) => ({ index: i, name: `layer${i}`, op: i % 2 === 0 ? 'conv' : 'relu', micros: 10 * (i + 1) }));
        // Three layers per frame, so a BENCH answer spans several MORE frames.
        const frames: Message[] = [];
        for (let i = 0; i < layers.length; i += 3) frames.push({ type: 'bench-result', id: m.id, more: i + 3 < layers.length, runs: m.runs, engine: 'fake', layers: layers.slice(i, i + 3) });
        return frames;
      }
      case 'info':
      case 'ack':
      case 'state':
      case 'result':
      case 'bench-result':
      case 'log':
      case 'error':
        return [this.error(m.id, 'unknown-type', `a board does not take ${m.type.toUpperCase()}`)];
    }
  }
}
