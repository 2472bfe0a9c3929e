import { totalmem } from 'node:os';
import { assertNever } from '../../core/assert-never.js';
import { bytesEqual, toHex } from '../../core/package/tensor-digest.js';
import { MessageLink } from '../link/message-link.js';
import { MIN_FRAME } from '../protocol/frame-codec.js';
import { encodeMessage, PROTOCOL_VERSION, type BoardInfo, type LogLevel, type Message } from '../protocol/messages.js';
import { ProtocolError, type ErrorCode } from '../protocol/protocol-error.js';
import type { Transport } from '../transport/transport.js';
import type { AgentInference, ModelSource } from './agent-inference.js';
import { benchFrames } from './bench-frames.js';
import { checkCommit, type CheckedPackage, type CommitPolicy } from './commit-checks.js';
import type { SlotState, SlotStore } from './slot-store.js';
import type { Upload, UploadStore } from './upload-store.js';
import { cutUtf8 } from './wire-text.js';

export const AGENT_VERSION = '0.1.0';
/** The longest message the agent accepts: a 4 KiB chunk fits with room to spare. */
export const DEFAULT_MAX_MESSAGE = 8192;
/** Messages waiting for their turn; a studio keeps far fewer in flight (its window), a flood is dropped. */
const MAX_QUEUED = 64;
/** After this long without a chunk the link is quiet: the upload's offset is recorded. */
const QUIET_MS = 250;
const U32 = 0xffffffff;

export interface Notice {
  readonly level: LogLevel;
  readonly text: string;
}

export interface BoardAgentOptions {
  readonly slots: SlotStore;
  readonly uploads: UploadStore;
  readonly inference: AgentInference;
  readonly policy: CommitPolicy;
  /** The board's name in INFO. */
  readonly name: string;
  readonly maxMessage?: number;
  /** Longest a BENCH may run before it answers with the runs done so far. */
  readonly benchBudgetMs?: number;
  /** What the stores found wrong at start-up; each session gets them as LOG after its first INFO. */
  readonly notices?: readonly Notice[];
  /** Sentences for the person running the agent (stderr). */
  readonly report?: (sentence: string) => void;
}

interface Session {
  readonly transport: Transport;
  link: MessageLink | undefined;
  /** The longest message the studio accepts; 256 until its HELLO says otherwise. */
  peerMax: number;
  /** Whether this session has had the start-up notices. */
  noticed: boolean;
  /** A multi-part INFER input being assembled. */
  input: { readonly bytes: Uint8Array; received: number } | undefined;
  chain: Promise<void>;
  queued: number;
  overflow: number;
  quiet: ReturnType<typeof setTimeout> | undefined;
  /**
   * The latest request other than CHUNK and HELLO, with the answers sent to it: a resend of it (the same
   * bytes, id included, because the studio lost our answer or it was slow) is answered from here, never run twice.
   */
  latest: { readonly id: number; readonly bytes: Uint8Array; readonly replies: Message[]; done: boolean } | undefined;
  /** When the studio last sent a checked message (performance.now()). */
  heardAt: number;
  ended: boolean;
  readonly finished: Promise<void>;
  readonly finish: () => void;
}

const short = (d: Uint8Array | undefined): string => (d === undefined ? 'none' : `${toHex(d).slice(0, 16)}…`);

/** An fs failure (it carries an errno code) is the board's storage failing; anything else unexpected is internal. */
function asProtocolError(error: unknown): ProtocolError {
  if (error instanceof ProtocolError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const message = error instanceof Error ? error.message : String(error);
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return new ProtocolError('storage', `the board could not use its storage (${message}): free space or check the agent's --store directory`);
  return new ProtocolError('internal', `the agent failed: ${message}`);
}

/** Data listeners that throw must not take the process down: a board never crashes on input. */
function guarded(t: Transport, onFault: (error: unknown) => void): Transport {
  return {
    label: t.label,
    write: (bytes) => t.write(bytes),
    onData: (listener) =>
      t.onData((bytes) => {
        try {
          listener(bytes);
        } catch (error) {
          onFault(error);
        }
      }),
    onClose: (listener) => t.onClose(listener),
    close: () => t.close(),
  };
}

/**
 * The board side of docs/protocol.md over one link at a time: handshake, resumable uploads into the
 * upload store, COMMIT through every check into the A/B slots, activation and rollback, inference
 * and per-layer benchmarks. Requests are handled one after another in arrival order; every failure
 * becomes an ERROR under the request's id and the agent carries on.
 */
export class BoardAgent {
  readonly maxMessage: number;
  private session: Session | undefined;
  /** Links being turned away, with what cuts their wait short. */
  private readonly refusals = new Map<Promise<void>, () => void>();
  private readonly report: (sentence: string) => void;

  constructor(private readonly o: BoardAgentOptions) {
    this.maxMessage = o.maxMessage ?? DEFAULT_MAX_MESSAGE;
    if (!Number.isInteger(this.maxMessage) || this.maxMessage < MIN_FRAME) throw new RangeError(`maxMessage must be an integer of at least ${MIN_FRAME}`);
    this.report = o.report ?? (() => undefined);
  }

  /** Whether a link is being served. */
  get busy(): boolean {
    return this.session !== undefined;
  }

  /** Milliseconds since the studio of the current session last sent anything; 0 without a session. */
  get silentMs(): number {
    return this.session === undefined ? 0 : performance.now() - this.session.heardAt;
  }

  get runtime(): string {
    return `reframe-agent ${AGENT_VERSION} (Node ${process.versions.node}, ${this.o.inference.engineName})`;
  }

  /** Serves one link until it closes (or stop()); the returned promise settles then, never rejects. */
  serve(transport: Transport): Promise<void> {
    if (this.session !== undefined) return Promise.reject(new Error('the agent is serving another link'));
    let finish: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const s: Session = {
      transport,
      link: undefined,
      peerMax: MIN_FRAME,
      noticed: false,
      input: undefined,
      chain: Promise.resolve(),
      queued: 0,
      overflow: 0,
      quiet: undefined,
      latest: undefined,
      heardAt: performance.now(),
      ended: false,
      finished,
      finish,
    };
    this.session = s;
    const safe = guarded(transport, (error) => this.report(`ignored a fault while reading ${transport.label}: ${error instanceof Error ? error.message : String(error)}`));
    s.link = new MessageLink(safe, this.maxMessage, {
      message: (m) => this.receive(s, m),
      dropped: (reason, detail, id) => {
        // Frames that fail COBS or CRC get no reply: their id cannot be trusted (docs/protocol.md).
        if (reason !== 'bad-message' || id === undefined) return;
        const code: ErrorCode = detail.startsWith('unknown-type:') ? 'unknown-type' : 'bad-message';
        this.enqueue(s, () => this.sendError(s, id, new ProtocolError(code, detail.slice(detail.indexOf(':') + 1).trim())));
      },
      // The error's hint is written for the studio's user; the agent's log needs only what happened.
      closed: (error) => void this.end(s, error.code === 'disconnected' ? 'the link closed' : error.code),
    });
    this.report(`session started on ${transport.label}`);
    return s.finished;
  }

  /** Answers a second link with ERROR busy (at once under id 0, and under its first request's id) and closes it. */
  async refuse(transport: Transport): Promise<void> {
    this.report(`refused ${transport.label}: busy with another link`);
    const busy = (id: number): Message => ({ type: 'error', id, code: 'busy', message: 'another studio is connected to this board: wait until it is done, then connect again' });
    let answered: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (answered = resolve));
    const link = new MessageLink(
      guarded(transport, () => undefined),
      MIN_FRAME,
      {
        message: (m) => void link.send(busy(m.id)).then(answered, answered),
        dropped: (_reason, _detail, id) => {
          if (id !== undefined) void link.send(busy(id)).then(answered, answered);
        },
        closed: () => answered(),
      },
    );
    const refusal = (async () => {
      await link.send(busy(0)).catch(() => undefined);
      await Promise.race([first, new Promise((r) => setTimeout(r, 1500).unref())]);
      link.detach();
      await transport.close().catch(() => undefined);
    })();
    this.refusals.set(refusal, answered);
    await refusal;
    this.refusals.delete(refusal);
  }

  /** Ends the current session (if any): records the upload's offset and closes every link. */
  async stop(): Promise<void> {
    for (const cut of this.refusals.values()) cut();
    await Promise.all(this.refusals.keys());
    const s = this.session;
    if (s === undefined) return;
    await s.transport.close().catch(() => undefined);
    await this.end(s, 'the agent is stopping');
  }

  private async end(s: Session, why: string): Promise<void> {
    if (s.ended) return s.finished;
    s.ended = true;
    if (s.quiet !== undefined) clearTimeout(s.quiet);
    s.link?.detach();
    await s.chain;
    await this.o.uploads.flush().catch((error: unknown) => this.report(`could not record the upload's progress: ${asProtocolError(error).message}`));
    const stats = s.link?.stats;
    const dropped = stats === undefined ? 0 : Object.values(stats.dropped).reduce((a, b) => a + b, 0);
    this.report(`session on ${s.transport.label} ended (${why}): ${stats?.framesIn ?? 0} frames in, ${stats?.framesOut ?? 0} out, ${dropped} dropped${s.overflow > 0 ? `, ${s.overflow} refused while busy` : ''}`);
    if (this.session === s) this.session = undefined;
    s.finish();
  }

  private enqueue(s: Session, job: () => Promise<void>): void {
    if (s.ended) return;
    if (s.queued >= MAX_QUEUED) {
      s.overflow++;
      return;
    }
    s.queued++;
    s.chain = s.chain
      .then(job)
      .catch((error: unknown) => this.report(`internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`))
      .finally(() => {
        s.queued--;
      });
  }

  /** docs/protocol.md "Lost answers": resent requests are answered once, from the replies already sent. */
  private receive(s: Session, m: Message): void {
    s.heardAt = performance.now();
    if (m.type === 'chunk') return this.enqueue(s, () => this.handle(s, m));
    // A HELLO starts over (a new studio numbers its requests from 1 again) and is harmless to repeat.
    if (m.type === 'hello') {
      s.latest = undefined;
      return this.enqueue(s, () => this.handle(s, m));
    }
    const latest = s.latest;
    const bytes = encodeMessage(m);
    if (latest !== undefined && latest.id === m.id && bytesEqual(latest.bytes, bytes)) {
      // Still running: its answer is coming. Done: say it again.
      if (latest.done) this.enqueue(s, async () => { for (const r of latest.replies) await this.send(s, r); });
      return;
    }
    const entry = { id: m.id, bytes, replies: [], done: false };
    s.latest = entry;
    this.enqueue(s, async () => {
      await this.handle(s, m);
      entry.done = true;
    });
  }

  private async handle(s: Session, m: Message): Promise<void> {
    try {
      await this.dispatch(s, m);
    } catch (error) {
      await this.sendError(s, m.id, asProtocolError(error));
    }
  }

  private async send(s: Session, m: Message): Promise<void> {
    if (s.latest !== undefined && !s.latest.done && m.id === s.latest.id && m.type !== 'log') s.latest.replies.push(m);
    // A link that went away ends the session through its close event; nothing else to do here.
    await s.link?.send(m).catch(() => undefined);
  }

  private async sendError(s: Session, id: number, e: ProtocolError): Promise<void> {
    await this.send(s, { type: 'error', id, code: e.code, message: cutUtf8(e.message, s.peerMax - 6) });
  }

  private async log(s: Session, level: LogLevel, text: string): Promise<void> {
    this.report(text);
    await this.send(s, { type: 'log', id: 0, level, text: cutUtf8(text, s.peerMax - 5) });
  }

  private async dispatch(s: Session, m: Message): Promise<void> {
    const { slots, uploads } = this.o;
    switch (m.type) {
      case 'hello': {
        if (m.version !== PROTOCOL_VERSION) {
          throw new ProtocolError('version', `this board speaks push protocol version ${PROTOCOL_VERSION}, the studio version ${m.version}: update the older of the two`);
        }
        if (m.maxMessage < MIN_FRAME) throw new ProtocolError('bad-message', `HELLO declares maxMessage ${m.maxMessage}; every side accepts at least ${MIN_FRAME}`);
        s.peerMax = m.maxMessage;
        s.input = undefined;
        await this.send(s, { type: 'info', id: m.id, info: this.info(s.peerMax) });
        if (!s.noticed) for (const n of this.o.notices ?? []) await this.send(s, { type: 'log', id: 0, level: n.level, text: cutUtf8(n.text, s.peerMax - 5) });
        s.noticed = true;
        return;
      }
      case 'begin': {
        const before = uploads.pending();
        const offset = await uploads.begin(m.digest, m.size, m.kind);
        if (offset > 0) await this.log(s, 'info', `resuming the upload of ${short(m.digest)} at byte ${offset} of ${m.size}`);
        else if (before !== undefined && !bytesEqual(before.digest, m.digest)) await this.log(s, 'info', `discarded the pending upload of ${short(before.digest)} for a new one`);
        await this.send(s, { type: 'ack', id: m.id, offset, gap: false });
        return;
      }
      case 'chunk': {
        const r = await uploads.write(m.offset, m.bytes);
        await this.send(s, { type: 'ack', id: m.id, offset: r.offset, gap: r.gap });
        if (s.quiet !== undefined) clearTimeout(s.quiet);
        s.quiet = setTimeout(() => this.enqueue(s, () => uploads.flush().catch((e: unknown) => this.report(`could not record the upload's progress: ${asProtocolError(e).message}`))), QUIET_MS);
        s.quiet.unref();
        return;
      }
      case 'commit':
        await this.commit(s, m.id, m.digest);
        return;
      case 'activate':
        await this.state(s, m.id, await slots.activate(m.digest), `activated ${short(m.digest)}`);
        return;
      case 'rollback':
        await this.state(s, m.id, await slots.rollback(), 'rolled back to the previous package');
        return;
      case 'abort':
        s.input = undefined;
        if (uploads.pending() !== undefined) {
          await uploads.discard();
          this.report('the pending upload was aborted');
        }
        await this.send(s, { type: 'state', id: m.id, ...slots.state() });
        return;
      case 'infer':
        await this.infer(s, m);
        return;
      case 'bench': {
        if (m.runs === 0) throw new ProtocolError('bad-message', 'BENCH asks for 0 runs; ask for at least 1');
        const b = await this.o.inference.bench(this.source(), m.runs, this.o.benchBudgetMs, () => !s.ended);
        for (const f of benchFrames(m.id, b.runs, this.o.inference.engineName, b.layers, s.peerMax)) await this.send(s, f);
        return;
      }
      case 'info':
      case 'ack':
      case 'state':
      case 'result':
      case 'bench-result':
      case 'log':
      case 'error':
        throw new ProtocolError('bad-message', `${m.type.toUpperCase()} is a message boards send, not one they take`);
      default:
        assertNever(m);
    }
  }

  private info(peerMax: number): BoardInfo {
    const state = this.o.slots.state();
    const p = this.o.uploads.pending();
    let name = cutUtf8(this.o.name, 255);
    let runtime = cutUtf8(this.runtime, 255);
    const info = (): BoardInfo => ({
      version: PROTOCOL_VERSION,
      maxMessage: this.maxMessage,
      capabilities: { infer: true, bench: true, delta: true, signatureRequired: this.o.policy.requireSignature, persistentResume: true },
      ramBytes: Math.min(totalmem(), U32),
      storageBytes: Math.min(this.o.uploads.limit, U32),
      active: state.active,
      previous: state.previous,
      pending: p === undefined ? undefined : { digest: p.digest, size: p.size, offset: p.offset },
      name,
      runtime,
    });
    // Before a studio raises it, a message is at most 256 bytes: long names are cut to fit.
    const over = encodeMessage({ type: 'info', id: 0, info: info() }).length - peerMax;
    if (over > 0) {
      const room = Math.max(0, peerMax - (encodeMessage({ type: 'info', id: 0, info: { ...info(), name: '', runtime: '' } }).length));
      name = cutUtf8(name, Math.floor(room / 2));
      runtime = cutUtf8(runtime, room - new TextEncoder().encode(name).length);
    }
    return info();
  }

  private async state(s: Session, id: number, state: SlotState, what: string): Promise<void> {
    await this.send(s, { type: 'state', id, active: state.active, previous: state.previous });
    await this.log(s, 'info', `${what}: active ${short(state.active)}, previous ${short(state.previous)}`);
  }

  private async commit(s: Session, id: number, digest: Uint8Array): Promise<void> {
    const { uploads } = this.o;
    const p = uploads.pending();
    if (p === undefined) throw new ProtocolError('no-upload', 'COMMIT without an upload: send BEGIN and the chunks first');
    if (!bytesEqual(p.digest, digest)) throw new ProtocolError('no-upload', `COMMIT names ${short(digest)}, but the upload under way is ${short(p.digest)}`);
    let installed: { checked: CheckedPackage; state: SlotState };
    try {
      installed = await this.checkAndInstall(p);
    } catch (error) {
      const e = asProtocolError(error);
      // Any failure leaves the active model as it was and discards the upload (docs/protocol.md).
      await uploads.discard().catch(() => undefined);
      this.report(`refused the package ${short(digest)}: ${e.code}: ${e.message}`);
      throw e;
    }
    await uploads.discard().catch((error: unknown) => this.report(`could not remove the finished upload: ${asProtocolError(error).message}`));
    const { checked, state } = installed;
    await this.send(s, { type: 'state', id, active: state.active, previous: state.previous });
    const signed = checked.pkg.signature === undefined ? 'unsigned' : `signed by key ${checked.pkg.signature.keyId.slice(0, 16)}…`;
    await this.log(s, 'info', `installed ${short(state.active)} (${checked.pkg.graph.name}, ${checked.pkg.weightDtype}, ${checked.bytes.length} bytes, ${signed}); previous ${short(state.previous)}`);
  }

  private async checkAndInstall(upload: Upload): Promise<{ checked: CheckedPackage; state: SlotState }> {
    const { slots, uploads } = this.o;
    const checked = await checkCommit(
      {
        upload,
        readUpload: () => uploads.bytes(),
        activeDigest: slots.state().active,
        readActive: async () => {
          const a = await slots.active();
          if (a === undefined) throw new ProtocolError('delta-base', 'a delta needs an active package, and this board has none: send the full package');
          return a.bytes;
        },
      },
      this.o.policy,
    );
    return { checked, state: await slots.install(checked.bytes, checked.digest) };
  }

  /** The active package for inference; no-model when there is none. */
  private source(): ModelSource {
    const digest = this.o.slots.state().active;
    if (digest === undefined) throw new ProtocolError('no-model', 'no model is active on this board: push a package first');
    return {
      digest,
      read: async () => {
        const a = await this.o.slots.active();
        if (a === undefined) throw new ProtocolError('no-model', 'no model is active on this board: push a package first');
        return a.bytes;
      },
    };
  }

  private async infer(s: Session, m: Extract<Message, { type: 'infer' }>): Promise<void> {
    const source = this.source();
    const elements = await this.o.inference.inputElements(source);
    if (m.total !== elements * 4) {
      s.input = undefined;
      throw new ProtocolError('bad-input', `the model takes ${elements} float32 values (${elements * 4} bytes, NCHW order); this input has ${m.total} bytes`);
    }
    if (m.offset === 0) s.input = { bytes: new Uint8Array(m.total), received: 0 };
    const input = s.input;
    if (input === undefined || m.offset !== input.received) {
      s.input = undefined;
      throw new ProtocolError('bad-message', `INFER part at byte ${m.offset}, expected ${input?.received ?? 0}: send the input again from offset 0`);
    }
    input.bytes.set(m.bytes, m.offset);
    input.received += m.bytes.length;
    if (input.received < m.total) {
      await this.send(s, { type: 'ack', id: m.id, offset: input.received, gap: false });
      return;
    }
    s.input = undefined;
    const view = new DataView(input.bytes.buffer);
    const values = Float32Array.from({ length: elements }, (_, i) => view.getFloat32(i * 4, true));
    const r = await this.o.inference.infer(source, values);
    const engine = this.o.inference.engineName;
    const bytes = 4 + 4 + 1 + engine.length + 4 + r.logits.length * 4;
    if (bytes > s.peerMax) throw new ProtocolError('internal', `the result (${r.logits.length} logits, ${bytes} bytes) is longer than the studio's maxMessage ${s.peerMax}`);
    await this.send(s, { type: 'result', id: m.id, micros: Math.min(r.micros, U32), engine, logits: r.logits });
  }
}
