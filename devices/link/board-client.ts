import { MIN_FRAME } from '../protocol/frame-codec.js';
import { PROTOCOL_VERSION, type BoardInfo, type LayerTiming, type LogLevel, type Message } from '../protocol/messages.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { TransportError, type Transport } from '../transport/transport.js';
import { BoardTimeoutError } from './board-timeout-error.js';
import { MessageLink } from './message-link.js';

/** The longest message the studio accepts: RESULT and BENCH-RESULT frames can be long; memory is cheap here. */
export const STUDIO_MAX_MESSAGE = 65536;

/** Bytes of a CHUNK message around its data: type, flags, id, offset. */
export const CHUNK_OVERHEAD = 8;
/** Bytes of an INFER message around its data: type, flags, id, offset, total. */
const INFER_OVERHEAD = 12;

const SILENT_HINT = 'check the board is powered and attached, then run the same command again';

type WithoutId<M> = M extends unknown ? Omit<M, 'id'> : never;
type RequestType = 'hello' | 'begin' | 'chunk' | 'commit' | 'activate' | 'rollback' | 'abort' | 'infer' | 'bench';
/** A message the studio sends; the client numbers it. */
export type BoardRequest = WithoutId<Extract<Message, { type: RequestType }>>;
type Typed<T extends Message['type']> = Extract<Message, { type: T }>;

export interface BoardClientOptions {
  /** Give up the handshake after this long (default 5 s, docs/protocol.md "Sessions"). */
  readonly helloTimeoutMs?: number;
  /** Repeat HELLO this often until INFO arrives (default 300 ms): QEMU drops bytes for a while after a pty opens. */
  readonly retryMs?: number;
  /** Default time a request may wait for its answer (default 5 s). */
  readonly requestTimeoutMs?: number;
  /** Send a request again when nothing has answered it for this long (default 1 s): frames get lost. */
  readonly resendMs?: number;
  /** The board's LOG messages. */
  readonly onLog?: (level: LogLevel, text: string) => void;
}

export interface BoardState {
  readonly active: Uint8Array | undefined;
  readonly previous: Uint8Array | undefined;
}

export interface InferResult {
  readonly micros: number;
  readonly engine: string;
  readonly logits: Float32Array;
}

export interface BenchResult {
  readonly runs: number;
  readonly engine: string;
  readonly layers: readonly LayerTiming[];
}

/** ACKs for a stream of CHUNKs; the push decides what they mean. */
export interface ChunkStream<T> {
  send(offset: number, bytes: Uint8Array, tag: T): Promise<void>;
  /** Forget the chunks still unanswered: their late ACKs are ignored. */
  close(): void;
}

interface Pending {
  /** Takes one answer; true when the request is complete. */
  readonly take: (m: Message) => boolean;
  readonly fail: (error: Error) => void;
}

function describe(type: Message['type']): string {
  return type.toUpperCase();
}

/** What the board said, as an error the caller can show: its code and its own sentence. */
function boardError(m: Typed<'error'>): ProtocolError {
  return new ProtocolError(m.code, m.message);
}

/**
 * The studio's side of a board link: handshake, numbered requests with timeouts, board errors as
 * ProtocolErrors, LOG forwarding. A lost transport fails every waiting request with its TransportError.
 */
export class BoardClient {
  private readonly link: MessageLink;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private ended: Error | undefined;
  private boardInfo: BoardInfo | undefined;
  private readonly requestTimeoutMs: number;
  private readonly resendMs: number;

  private constructor(
    readonly transport: Transport,
    private readonly options: BoardClientOptions,
  ) {
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5000;
    this.resendMs = options.resendMs ?? 1000;
    this.link = new MessageLink(transport, STUDIO_MAX_MESSAGE, {
      message: (m) => this.receive(m),
      dropped: (reason, detail, id) => {
        // A checked frame we cannot parse answers a request we can name: fail that one.
        if (reason !== 'bad-message' || id === undefined) return;
        const p = this.pending.get(id);
        if (p === undefined) return;
        this.pending.delete(id);
        p.fail(new ProtocolError('bad-message', `the board's answer to request ${id} is malformed (${detail})`));
      },
      closed: (error) => this.end(error),
    });
  }

  /** Opens the link: 0x00, then HELLO every `retryMs` until INFO (docs/protocol.md "Sessions", step 1). */
  static async connect(transport: Transport, o: BoardClientOptions = {}): Promise<BoardClient> {
    const client = new BoardClient(transport, o);
    try {
      client.boardInfo = await client.handshake(o.helloTimeoutMs ?? 5000, o.retryMs ?? 300);
    } catch (error) {
      client.end(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    return client;
  }

  get label(): string {
    return this.transport.label;
  }

  /** The INFO the board sent last. */
  get lastInfo(): BoardInfo {
    if (this.boardInfo === undefined) throw new Error('no INFO yet: BoardClient.connect() waits for it');
    return this.boardInfo;
  }

  /** Largest CHUNK payload: min(board maxMessage − 8, 4096) (docs/protocol.md "Sessions", step 4). */
  get maxChunk(): number {
    return Math.min(this.lastInfo.maxMessage - CHUNK_OVERHEAD, 4096);
  }

  /** Asks again (HELLO → INFO): what the board holds now. */
  async info(timeoutMs = this.requestTimeoutMs): Promise<BoardInfo> {
    const m = this.expect(await this.request({ type: 'hello', version: PROTOCOL_VERSION, maxMessage: STUDIO_MAX_MESSAGE }, timeoutMs), 'info', 'HELLO');
    this.boardInfo = this.checkVersion(m.info);
    return m.info;
  }

  async begin(digest: Uint8Array, size: number, kind: 'full' | 'delta', timeoutMs = this.requestTimeoutMs): Promise<number> {
    return this.expect(await this.request({ type: 'begin', digest, size, kind }, timeoutMs), 'ack', 'BEGIN').offset;
  }

  /** COMMIT: the board checks everything and may regenerate every seeded tensor, so this waits long. */
  async commit(digest: Uint8Array, timeoutMs = 120_000): Promise<BoardState> {
    return this.state(await this.request({ type: 'commit', digest }, timeoutMs), 'COMMIT');
  }

  async activate(digest: Uint8Array, timeoutMs = 60_000): Promise<BoardState> {
    return this.state(await this.request({ type: 'activate', digest }, timeoutMs), 'ACTIVATE');
  }

  async rollback(timeoutMs = 60_000): Promise<BoardState> {
    return this.state(await this.request({ type: 'rollback' }, timeoutMs), 'ROLLBACK');
  }

  async abort(timeoutMs = this.requestTimeoutMs): Promise<BoardState> {
    return this.state(await this.request({ type: 'abort' }, timeoutMs), 'ABORT');
  }

  /** Runs the active model on one input, sent in parts that fit the board's maxMessage. */
  async infer(input: Float32Array, timeoutMs = 60_000): Promise<InferResult> {
    const bytes = new Uint8Array(input.buffer, input.byteOffset, input.byteLength);
    const part = Math.max(4, Math.floor((this.lastInfo.maxMessage - INFER_OVERHEAD) / 4) * 4);
    for (let offset = 0; ; offset += part) {
      const last = offset + part >= bytes.length;
      const m = await this.request({ type: 'infer', offset, total: bytes.length, bytes: bytes.slice(offset, offset + part) }, timeoutMs);
      if (last) {
        const r = this.expect(m, 'result', 'INFER');
        return { micros: r.micros, engine: r.engine, logits: r.logits };
      }
      const ack = this.expect(m, 'ack', 'INFER');
      if (ack.offset !== offset + part) throw new ProtocolError('bad-message', `the board acknowledged ${ack.offset} input bytes after receiving ${offset + part}`);
    }
  }

  /** Per-layer timings over `runs` runs (BENCH-RESULT frames until one without MORE). */
  async bench(runs: number, timeoutMs = 120_000): Promise<BenchResult> {
    const frames = await this.requestAll({ type: 'bench', runs }, timeoutMs);
    const results = frames.map((m) => this.expect(m, 'bench-result', 'BENCH'));
    const first = results[0] as Typed<'bench-result'>;
    return { runs: first.runs, engine: first.engine, layers: results.flatMap((r) => r.layers) };
  }

  /**
   * CHUNKs whose ACKs (and ERRORs) go to the push's handlers, each with the tag its chunk was sent
   * with, so the push knows which chunk an ACK answers.
   */
  chunkStream<T>(onAck: (offset: number, gap: boolean, tag: T) => void, onError: (error: Error) => void): ChunkStream<T> {
    const ids = new Set<number>();
    let open = true;
    return {
      send: async (offset, bytes, tag) => {
        if (this.ended !== undefined) throw this.ended;
        const id = this.claimId({
          take: (m) => {
            ids.delete(id);
            if (m.type === 'ack') onAck(m.offset, m.gap, tag);
            else if (m.type === 'error') onError(boardError(m));
            else onError(new ProtocolError('bad-message', `the board answered CHUNK with ${describe(m.type)}`));
            return true;
          },
          fail: (error) => {
            ids.delete(id);
            if (open) onError(error);
          },
        });
        ids.add(id);
        await this.link.send({ type: 'chunk', id, offset, bytes });
      },
      close: () => {
        open = false;
        for (const id of ids) this.pending.delete(id);
        ids.clear();
      },
    };
  }

  /** One request, one answer; ERROR becomes a ProtocolError with the board's code and sentence. */
  async request(req: BoardRequest, timeoutMs = this.requestTimeoutMs): Promise<Message> {
    const [m] = await this.exchange(req, timeoutMs, false);
    return m as Message;
  }

  /** One request, answers until one without MORE. */
  requestAll(req: BoardRequest, timeoutMs = this.requestTimeoutMs): Promise<Message[]> {
    return this.exchange(req, timeoutMs, true);
  }

  /** Ends the link (our side): waiting requests fail as closed. */
  async close(): Promise<void> {
    this.end(new TransportError('closed', `${this.label} is closed`, 'connect again'));
    await this.transport.close();
  }

  private exchange(req: BoardRequest, timeoutMs: number, many: boolean): Promise<Message[]> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise<Message[]>((resolve, reject) => {
      const answers: Message[] = [];
      const stop = (): void => {
        clearTimeout(timer);
        clearInterval(resend);
      };
      const timer = setTimeout(() => {
        clearInterval(resend);
        this.pending.delete(id);
        reject(new BoardTimeoutError(`${this.label}: no answer to ${describe(req.type)} within ${(timeoutMs / 1000).toFixed(1)} s`, SILENT_HINT));
      }, timeoutMs);
      // docs/protocol.md "Lost answers": the same request again, same id, until something answers; the
      // board runs it once and repeats its answer. Once part of a multi-frame answer is in, it is coming.
      const resend = setInterval(() => {
        if (answers.length === 0) this.link.send({ ...req, id } as Message).catch(() => undefined);
      }, this.resendMs);
      const id = this.claimId({
        take: (m) => {
          if (m.type === 'error') {
            stop();
            reject(boardError(m));
            return true;
          }
          answers.push(m);
          if (many && m.type === 'bench-result' && m.more) return false;
          stop();
          resolve(answers);
          return true;
        },
        fail: (error) => {
          stop();
          reject(error);
        },
      });
      this.link.send({ ...req, id } as Message).catch((error: unknown) => {
        if (!this.pending.delete(id)) return;
        clearInterval(resend);
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      });
    });
  }

  private async handshake(timeoutMs: number, retryMs: number): Promise<BoardInfo> {
    await this.link.flushLine();
    const ids: number[] = [];
    return new Promise<BoardInfo>((resolve, reject) => {
      let done = false;
      const finish = (error: Error | undefined, info?: BoardInfo): void => {
        if (done) return;
        done = true;
        clearInterval(retry);
        clearTimeout(giveUp);
        for (const id of ids) this.pending.delete(id);
        if (error !== undefined) reject(error);
        else resolve(info as BoardInfo);
      };
      const hello = (): void => {
        const id = this.claimId({
          take: (m) => {
            if (m.type === 'info') {
              try {
                finish(undefined, this.checkVersion(m.info));
              } catch (error) {
                finish(error as Error);
              }
            } else if (m.type === 'error') {
              finish(m.code === 'version' ? new ProtocolError('version', `the board does not speak push protocol version ${PROTOCOL_VERSION} (it says: ${m.message})`) : boardError(m));
            } else finish(new ProtocolError('bad-message', `the board answered HELLO with ${describe(m.type)}`));
            return true;
          },
          fail: (error) => finish(error),
        });
        ids.push(id);
        this.link.send({ type: 'hello', id, version: PROTOCOL_VERSION, maxMessage: STUDIO_MAX_MESSAGE }).catch((error: unknown) => finish(error instanceof Error ? error : new Error(String(error))));
      };
      const retry = setInterval(hello, retryMs);
      const giveUp = setTimeout(
        () =>
          finish(
            new BoardTimeoutError(
              `${this.label}: no board answered within ${(timeoutMs / 1000).toFixed(1)} s`,
              'check the board runs the ReFrame agent or firmware, that the path (or address) and baud are right, and that no other program holds the port',
            ),
          ),
        timeoutMs,
      );
      hello();
    });
  }

  private checkVersion(info: BoardInfo): BoardInfo {
    if (info.version !== PROTOCOL_VERSION) {
      throw new ProtocolError('version', `the board speaks push protocol version ${info.version}, this studio version ${PROTOCOL_VERSION}`);
    }
    if (info.maxMessage < MIN_FRAME) throw new ProtocolError('bad-message', `the board accepts messages of ${info.maxMessage} bytes, below the ${MIN_FRAME} every side must accept`);
    return info;
  }

  private claimId(p: Pending): number {
    // 1…65535, wrapping; an id still waiting is skipped so two requests never share one.
    for (let tries = 0; tries < 0xffff; tries++) {
      const id = this.nextId;
      this.nextId = id === 0xffff ? 1 : id + 1;
      if (!this.pending.has(id)) {
        this.pending.set(id, p);
        return id;
      }
    }
    throw new Error('65,535 requests are waiting for answers');
  }

  private receive(m: Message): void {
    if (m.type === 'log') {
      this.options.onLog?.(m.level, m.text);
      return;
    }
    const p = this.pending.get(m.id);
    // Answers to forgotten requests (timed out, or a HELLO repeat) are late, not wrong.
    if (p === undefined) return;
    if (p.take(m)) this.pending.delete(m.id);
  }

  private end(error: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error;
    this.link.detach();
    const waiting = [...this.pending.values()];
    this.pending.clear();
    for (const p of waiting) p.fail(error);
  }

  private state(m: Message, what: string): BoardState {
    const s = this.expect(m, 'state', what);
    return { active: s.active, previous: s.previous };
  }

  private expect<T extends Message['type']>(m: Message, type: T, what: string): Typed<T> {
    if (m.type !== type) throw new ProtocolError('bad-message', `the board answered ${what} with ${describe(m.type)}, not ${describe(type)}`);
    return m as Typed<T>;
  }
}
