import { ByteWriter } from '../../core/package/byte-writer.js';
import { assertNever } from '../../core/assert-never.js';
import { ERROR_CODES, errorCodeOf, ProtocolError, type ErrorCode } from './protocol-error.js';
import { WireReader } from './wire-reader.js';

export const PROTOCOL_VERSION = 1;
export const DIGEST_BYTES = 32;

/** Message type bytes (docs/protocol.md, "Messages"). */
export const MESSAGE_TYPES = {
  hello: 0x01,
  info: 0x02,
  begin: 0x03,
  chunk: 0x04,
  ack: 0x05,
  commit: 0x06,
  state: 0x07,
  activate: 0x08,
  rollback: 0x09,
  infer: 0x0a,
  result: 0x0b,
  bench: 0x0c,
  'bench-result': 0x0d,
  log: 0x0e,
  error: 0x0f,
  abort: 0x10,
} as const;

export type MessageType = keyof typeof MESSAGE_TYPES;

const TYPE_BY_BYTE = new Map<number, MessageType>(Object.entries(MESSAGE_TYPES).map(([name, n]) => [n, name as MessageType]));

/** Header flag: more response frames follow for the same request. */
export const FLAG_MORE = 0x01;
/** Header flag on an ACK: a chunk arrived beyond the contiguous offset (something was lost). */
export const FLAG_GAP = 0x02;

export interface Capabilities {
  readonly infer: boolean;
  readonly bench: boolean;
  readonly delta: boolean;
  readonly signatureRequired: boolean;
  readonly persistentResume: boolean;
}

const CAPABILITY_BITS: readonly (keyof Capabilities)[] = ['infer', 'bench', 'delta', 'signatureRequired', 'persistentResume'];

export interface PendingUpload {
  readonly digest: Uint8Array;
  readonly size: number;
  /** Bytes the board holds from the start, contiguously. */
  readonly offset: number;
}

export interface BoardInfo {
  readonly version: number;
  /** Longest message (type through payload) the board accepts. */
  readonly maxMessage: number;
  readonly capabilities: Capabilities;
  /** 0 when unknown. */
  readonly ramBytes: number;
  readonly storageBytes: number;
  /** SHA-256 of the active package's bytes; undefined when the board has none. */
  readonly active: Uint8Array | undefined;
  readonly previous: Uint8Array | undefined;
  readonly pending: PendingUpload | undefined;
  readonly name: string;
  /** What runs the model, e.g. `reframe-agent 0.1.0 (Node 20, tfjs-wasm)`. */
  readonly runtime: string;
}

export interface LayerTiming {
  readonly index: number;
  readonly name: string;
  readonly op: string;
  readonly micros: number;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** Every message; `id` pairs a response with its request (0 for unsolicited ones). */
export type Message =
  | { readonly type: 'hello'; readonly id: number; readonly version: number; readonly maxMessage: number }
  | { readonly type: 'info'; readonly id: number; readonly info: BoardInfo }
  | { readonly type: 'begin'; readonly id: number; readonly digest: Uint8Array; readonly size: number; readonly kind: 'full' | 'delta' }
  | { readonly type: 'chunk'; readonly id: number; readonly offset: number; readonly bytes: Uint8Array }
  | { readonly type: 'ack'; readonly id: number; readonly offset: number; readonly gap: boolean }
  | { readonly type: 'commit'; readonly id: number; readonly digest: Uint8Array }
  | { readonly type: 'state'; readonly id: number; readonly active: Uint8Array | undefined; readonly previous: Uint8Array | undefined }
  | { readonly type: 'activate'; readonly id: number; readonly digest: Uint8Array }
  | { readonly type: 'rollback'; readonly id: number }
  | { readonly type: 'abort'; readonly id: number }
  | { readonly type: 'infer'; readonly id: number; readonly offset: number; readonly total: number; readonly bytes: Uint8Array }
  | { readonly type: 'result'; readonly id: number; readonly micros: number; readonly engine: string; readonly logits: Float32Array }
  | { readonly type: 'bench'; readonly id: number; readonly runs: number }
  | { readonly type: 'bench-result'; readonly id: number; readonly more: boolean; readonly runs: number; readonly engine: string; readonly layers: readonly LayerTiming[] }
  | { readonly type: 'log'; readonly id: number; readonly level: LogLevel; readonly text: string }
  | { readonly type: 'error'; readonly id: number; readonly code: ErrorCode; readonly message: string };

const ZERO_DIGEST = new Uint8Array(DIGEST_BYTES);

function digestOrZero(d: Uint8Array | undefined): Uint8Array {
  if (d === undefined) return ZERO_DIGEST;
  if (d.length !== DIGEST_BYTES) throw new RangeError(`a digest has ${DIGEST_BYTES} bytes, not ${d.length}`);
  return d;
}

function readDigest(r: WireReader): Uint8Array | undefined {
  const d = r.raw(DIGEST_BYTES);
  return d.every((b) => b === 0) ? undefined : d;
}

function readRequiredDigest(r: WireReader, what: string): Uint8Array {
  const d = readDigest(r);
  if (d === undefined) throw new ProtocolError('bad-message', `${what} carries an all-zero digest`);
  return d;
}

const utf8 = new TextEncoder();

/** Strings travel with a one-byte length: longer ones are cut at a character boundary. */
function text8(w: ByteWriter, s: string): void {
  let b = utf8.encode(s);
  if (b.length > 255) {
    let cut = 255;
    while (cut > 0 && ((b[cut] as number) & 0xc0) === 0x80) cut--;
    b = b.subarray(0, cut);
  }
  w.u8(b.length).raw(b);
}

function header(w: ByteWriter, m: Message, flags = 0): ByteWriter {
  if (!Number.isInteger(m.id) || m.id < 0 || m.id > 0xffff) throw new RangeError(`message id ${m.id} is not a u16`);
  return w.u8(MESSAGE_TYPES[m.type]).u8(flags).u16(m.id);
}

/** A message's bytes: type, flags, id, then its payload (docs/protocol.md). */
export function encodeMessage(m: Message): Uint8Array {
  const w = new ByteWriter();
  switch (m.type) {
    case 'hello':
      header(w, m).u16(m.version).u32(m.maxMessage);
      break;
    case 'info': {
      const i = m.info;
      let caps = 0;
      CAPABILITY_BITS.forEach((name, bit) => {
        if (i.capabilities[name]) caps |= 1 << bit;
      });
      header(w, m).u16(i.version).u32(i.maxMessage).u32(caps).u32(i.ramBytes).u32(i.storageBytes);
      w.raw(digestOrZero(i.active)).raw(digestOrZero(i.previous));
      w.u32(i.pending?.size ?? 0).u32(i.pending?.offset ?? 0).raw(digestOrZero(i.pending?.digest));
      text8(w, i.name);
      text8(w, i.runtime);
      break;
    }
    case 'begin':
      header(w, m).raw(digestOrZero(m.digest)).u32(m.size).u8(m.kind === 'full' ? 0 : 1);
      break;
    case 'chunk':
      header(w, m).u32(m.offset).raw(m.bytes);
      break;
    case 'ack':
      header(w, m, m.gap ? FLAG_GAP : 0).u32(m.offset);
      break;
    case 'commit':
    case 'activate':
      header(w, m).raw(digestOrZero(m.digest));
      break;
    case 'state':
      header(w, m).raw(digestOrZero(m.active)).raw(digestOrZero(m.previous));
      break;
    case 'rollback':
    case 'abort':
      header(w, m);
      break;
    case 'infer':
      header(w, m).u32(m.offset).u32(m.total).raw(m.bytes);
      break;
    case 'result':
      header(w, m).u32(m.micros);
      text8(w, m.engine);
      w.u32(m.logits.length);
      for (const v of m.logits) w.f32(v);
      break;
    case 'bench':
      header(w, m).u16(m.runs);
      break;
    case 'bench-result':
      header(w, m, m.more ? FLAG_MORE : 0).u16(m.runs);
      text8(w, m.engine);
      w.u16(m.layers.length);
      for (const l of m.layers) {
        w.u16(l.index).f32(l.micros);
        text8(w, l.op);
        text8(w, l.name);
      }
      break;
    case 'log':
      header(w, m).u8(LOG_LEVELS.indexOf(m.level)).raw(utf8.encode(m.text));
      break;
    case 'error':
      header(w, m).u16(ERROR_CODES[m.code]).raw(utf8.encode(m.message));
      break;
    default:
      assertNever(m);
  }
  return w.finish();
}

/** Parses one checked frame's message; anything malformed is a `bad-message` or `unknown-type`. */
export function decodeMessage(bytes: Uint8Array): Message {
  if (bytes.length < 4) throw new ProtocolError('bad-message', `a message has at least 4 bytes, this one ${bytes.length}`);
  const typeByte = bytes[0] as number;
  const type = TYPE_BY_BYTE.get(typeByte);
  const flags = bytes[1] as number;
  const id = (bytes[2] as number) | ((bytes[3] as number) << 8);
  if (type === undefined) throw new ProtocolError('unknown-type', `unknown message type 0x${typeByte.toString(16).padStart(2, '0')}`);
  const r = new WireReader(bytes.subarray(4), `${type.toUpperCase()} message`);
  const m = decodeBody(type, id, flags, r);
  r.end();
  return m;
}

function decodeBody(type: MessageType, id: number, flags: number, r: WireReader): Message {
  switch (type) {
    case 'hello':
      return { type, id, version: r.u16(), maxMessage: r.u32() };
    case 'info': {
      const version = r.u16();
      const maxMessage = r.u32();
      const caps = r.u32();
      const capabilities = Object.fromEntries(CAPABILITY_BITS.map((name, bit) => [name, (caps & (1 << bit)) !== 0])) as unknown as Capabilities;
      const ramBytes = r.u32();
      const storageBytes = r.u32();
      const active = readDigest(r);
      const previous = readDigest(r);
      const size = r.u32();
      const offset = r.u32();
      const digest = readDigest(r);
      if (offset > size) throw new ProtocolError('bad-message', `INFO reports ${offset} bytes held of a ${size}-byte upload`);
      const pending = size === 0 || digest === undefined ? undefined : { digest, size, offset };
      return { type, id, info: { version, maxMessage, capabilities, ramBytes, storageBytes, active, previous, pending, name: r.text8(), runtime: r.text8() } };
    }
    case 'begin': {
      const digest = readRequiredDigest(r, 'BEGIN');
      const size = r.u32();
      const kind = r.u8();
      if (kind > 1) throw new ProtocolError('bad-message', `BEGIN has kind ${kind}; 0 is a package, 1 a delta`);
      return { type, id, digest, size, kind: kind === 0 ? 'full' : 'delta' };
    }
    case 'chunk':
      return { type, id, offset: r.u32(), bytes: r.rest() };
    case 'ack':
      return { type, id, offset: r.u32(), gap: (flags & FLAG_GAP) !== 0 };
    case 'commit':
    case 'activate':
      return { type, id, digest: readRequiredDigest(r, type.toUpperCase()) };
    case 'state':
      return { type, id, active: readDigest(r), previous: readDigest(r) };
    case 'rollback':
    case 'abort':
      return { type, id };
    case 'infer': {
      const offset = r.u32();
      const total = r.u32();
      const bytes = r.rest();
      if (offset + bytes.length > total) throw new ProtocolError('bad-message', `INFER part ${offset}+${bytes.length} runs past its ${total}-byte input`);
      return { type, id, offset, total, bytes };
    }
    case 'result': {
      const micros = r.u32();
      const engine = r.text8();
      const n = r.u32();
      if (n * 4 !== r.remaining) throw new ProtocolError('bad-message', `RESULT announces ${n} logits but carries ${r.remaining} bytes`);
      const logits = new Float32Array(n);
      for (let i = 0; i < n; i++) logits[i] = r.f32();
      return { type, id, micros, engine, logits };
    }
    case 'bench':
      return { type, id, runs: r.u16() };
    case 'bench-result': {
      const runs = r.u16();
      const engine = r.text8();
      const n = r.u16();
      const layers: LayerTiming[] = [];
      for (let i = 0; i < n; i++) {
        const index = r.u16();
        const micros = r.f32();
        const op = r.text8();
        layers.push({ index, micros, op, name: r.text8() });
      }
      return { type, id, more: (flags & FLAG_MORE) !== 0, runs, engine, layers };
    }
    case 'log': {
      const level = LOG_LEVELS[r.u8()];
      if (level === undefined) throw new ProtocolError('bad-message', 'LOG has an unknown level');
      return { type, id, level, text: new TextDecoder().decode(r.rest()) };
    }
    case 'error': {
      const n = r.u16();
      const code = errorCodeOf(n) ?? 'internal';
      const text = new TextDecoder().decode(r.rest());
      return { type, id, code, message: errorCodeOf(n) === undefined ? `error ${n}: ${text}` : text };
    }
    default:
      return assertNever(type);
  }
}
