import path from 'node:path';
import { bytesEqual, toHex } from '../../core/package/tensor-digest.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { StoreLog } from './slot-store.js';
import { nodeStoreFs, replaceDurably, tempName, type StoreFs } from './store-fs.js';

/** How often the contiguous offset is made durable while bytes stream in (docs/protocol.md). */
export const PERSIST_EVERY = 64 * 1024;
/** …or after this long, so a slow serial line (11.5 KB/s at 115200 baud) loses at most a second to a cut. */
export const PERSIST_INTERVAL_MS = 1000;

const PART = 'upload.part';
const STATE = 'upload.json';

export type UploadKind = 'full' | 'delta';

/** An upload under way: its bytes sit in upload.part, this in upload.json. */
export interface Upload {
  readonly digest: Uint8Array;
  readonly size: number;
  readonly kind: UploadKind;
  /** Bytes held contiguously from the start. */
  readonly offset: number;
}

interface UploadRecord {
  readonly format: 'reframe-agent-upload';
  readonly version: 1;
  readonly digest: string;
  readonly size: number;
  readonly kind: UploadKind;
  readonly offset: number;
}

export interface UploadStoreOptions {
  readonly fs?: StoreFs;
  /** The largest upload accepted, in bytes; larger ones are `too-large`. */
  readonly limit: number;
  readonly log?: StoreLog;
}

function parseRecord(bytes: Uint8Array): UploadRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const r = v as Partial<UploadRecord> | null;
  if (r === null || typeof r !== 'object' || r.format !== 'reframe-agent-upload' || r.version !== 1) return undefined;
  if (typeof r.digest !== 'string' || !/^[0-9a-f]{64}$/.test(r.digest) || (r.kind !== 'full' && r.kind !== 'delta')) return undefined;
  const int = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (!int(r.size) || !int(r.offset) || r.size === 0 || r.offset > r.size) return undefined;
  return { format: r.format, version: 1, digest: r.digest, size: r.size, kind: r.kind, offset: r.offset };
}

const fromHex = (hex: string): Uint8Array => Uint8Array.from(hex.match(/../g) as string[], (h) => parseInt(h, 16));

/**
 * The pending upload, on disk so it survives a restart: bytes in upload.part, (digest, size, kind,
 * contiguous offset) in upload.json. The offset is recorded only after the bytes below it are fsynced,
 * so after a crash the record never claims bytes the disk lost. Nothing of the upload is kept in RAM.
 */
export class UploadStore {
  private current: Upload | undefined;
  /** The offset upload.json records. */
  private persisted = 0;
  private persistedAt = 0;

  private constructor(
    readonly dir: string,
    private readonly fs: StoreFs,
    readonly limit: number,
  ) {}

  static async open(dir: string, o: UploadStoreOptions): Promise<UploadStore> {
    const fs = o.fs ?? nodeStoreFs;
    if (!Number.isSafeInteger(o.limit) || o.limit <= 0) throw new RangeError(`a storage limit is a positive number of bytes, not ${o.limit}`);
    const store = new UploadStore(dir, fs, o.limit);
    await fs.mkdir(dir);
    await fs.remove(path.join(dir, tempName(STATE)));
    const raw = await fs.read(path.join(dir, STATE));
    if (raw === undefined) {
      await fs.remove(path.join(dir, PART));
      return store;
    }
    const record = parseRecord(raw);
    const held = (await fs.size(path.join(dir, PART))) ?? 0;
    if (record === undefined || held < record.offset || record.size > o.limit) {
      const why = record === undefined ? `${STATE} is unreadable` : held < record.offset ? `${PART} holds fewer bytes than ${STATE} records` : `it is larger than the storage limit of ${o.limit} bytes`;
      o.log?.('warn', `the pending upload was discarded: ${why}`);
      await store.discard();
      return store;
    }
    store.current = { digest: fromHex(record.digest), size: record.size, kind: record.kind, offset: record.offset };
    store.persisted = record.offset;
    return store;
  }

  pending(): Upload | undefined {
    return this.current;
  }

  /**
   * Starts an upload, or resumes the pending one when digest, size and kind are the same. Returns the
   * offset the studio continues from.
   */
  async begin(digest: Uint8Array, size: number, kind: UploadKind): Promise<number> {
    const c = this.current;
    if (c !== undefined && bytesEqual(c.digest, digest) && c.size === size && c.kind === kind) return c.offset;
    if (size === 0) throw new ProtocolError('bad-message', 'BEGIN announces an empty upload');
    if (size > this.limit) throw new ProtocolError('too-large', `the upload has ${size} bytes; this board stores at most ${this.limit} (its --storage-limit): send a smaller package or raise the limit`);
    await this.discard();
    // The empty part file first, then the record: a record never names bytes that are not there.
    await this.fs.write(path.join(this.dir, PART), new Uint8Array(0));
    await this.fs.sync(path.join(this.dir, PART));
    this.current = { digest, size, kind, offset: 0 };
    await this.persist();
    return 0;
  }

  /**
   * Takes a chunk when it starts at or before the contiguous offset and ends after it, and only its
   * new bytes are written. Returns the contiguous offset, with `gap` when the chunk started beyond it.
   */
  async write(offset: number, bytes: Uint8Array): Promise<{ offset: number; gap: boolean }> {
    const c = this.current;
    if (c === undefined) throw new ProtocolError('no-upload', 'CHUNK without a BEGIN: start the upload again');
    if (offset + bytes.length > c.size) throw new ProtocolError('bad-message', `CHUNK ${offset}+${bytes.length} runs past the ${c.size}-byte upload`);
    if (offset > c.offset || offset + bytes.length <= c.offset) return { offset: c.offset, gap: offset > c.offset };
    const fresh = bytes.subarray(c.offset - offset);
    await this.fs.writeAt(path.join(this.dir, PART), c.offset, fresh);
    this.current = { ...c, offset: c.offset + fresh.length };
    const due = this.current.offset - this.persisted >= PERSIST_EVERY || performance.now() - this.persistedAt >= PERSIST_INTERVAL_MS;
    if (due || this.current.offset === c.size) await this.persist();
    return { offset: this.current.offset, gap: false };
  }

  /** Records the contiguous offset now (the link went quiet, or the session ends). */
  async flush(): Promise<void> {
    if (this.current !== undefined && this.current.offset > this.persisted) await this.persist();
  }

  /** The whole upload, read into memory for the commit checks. */
  async bytes(): Promise<Uint8Array> {
    const c = this.current;
    if (c === undefined || c.offset < c.size) throw new ProtocolError('incomplete', 'the upload is not complete');
    const bytes = await this.fs.read(path.join(this.dir, PART));
    if (bytes === undefined || bytes.length < c.size) throw new ProtocolError('storage', `${PART} lost bytes it held: push the package again`);
    return bytes.subarray(0, c.size);
  }

  /** Forgets the pending upload; the record goes first, so a crash never leaves a record without its bytes. */
  async discard(): Promise<void> {
    this.current = undefined;
    this.persisted = 0;
    await this.fs.remove(path.join(this.dir, STATE));
    await this.fs.remove(path.join(this.dir, PART));
    await this.fs.syncDir(this.dir);
  }

  private async persist(): Promise<void> {
    const c = this.current;
    if (c === undefined) return;
    // Data before state: fsync the bytes, then record how many there are.
    await this.fs.sync(path.join(this.dir, PART));
    const record: UploadRecord = { format: 'reframe-agent-upload', version: 1, digest: toHex(c.digest), size: c.size, kind: c.kind, offset: c.offset };
    await replaceDurably(this.fs, this.dir, STATE, new TextEncoder().encode(`${JSON.stringify(record)}\n`));
    this.persisted = c.offset;
    this.persistedAt = performance.now();
  }
}

export function openUploadStore(dir: string, o: UploadStoreOptions): Promise<UploadStore> {
  return UploadStore.open(dir, o);
}
