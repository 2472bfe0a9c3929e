import path from 'node:path';
import { bytesEqual, toHex } from '../../core/package/tensor-digest.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { nodeStoreFs, replaceDurably, tempName, type StoreFs } from './store-fs.js';
import { fileDigest } from '../protocol/file-digest.js';

export type SlotName = 'a' | 'b';
const SLOTS: readonly SlotName[] = ['a', 'b'];

/** active.json: which slot is active and the SHA-256 each slot must have (docs/protocol.md, "What a board persists"). */
interface SlotPointer {
  readonly format: 'reframe-agent-slots';
  readonly version: 1;
  readonly active: SlotName | null;
  readonly slots: Readonly<Record<SlotName, string | null>>;
}

const POINTER = 'active.json';
const slotFile = (s: SlotName): string => `slot-${s}.rfpk`;

export interface HeldPackage {
  readonly digest: Uint8Array;
  readonly bytes: Uint8Array;
}

/** Digests of the active and the previous package; undefined for none. */
export interface SlotState {
  readonly active: Uint8Array | undefined;
  readonly previous: Uint8Array | undefined;
}

export type StoreLog = (level: 'info' | 'warn' | 'error', text: string) => void;

export interface SlotStoreOptions {
  readonly fs?: StoreFs;
  /** Told what open() found wrong (a slot that does not match its record, an unreadable pointer). */
  readonly log?: StoreLog;
}

const short = (hex: string): string => `${hex.slice(0, 16)}…`;

function parsePointer(bytes: Uint8Array): SlotPointer | undefined {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
  const p = v as Partial<SlotPointer> | null;
  const digestOk = (d: unknown): boolean => d === null || (typeof d === 'string' && /^[0-9a-f]{64}$/.test(d));
  if (p === null || typeof p !== 'object' || p.format !== 'reframe-agent-slots' || p.version !== 1) return undefined;
  if (!(p.active === null || p.active === 'a' || p.active === 'b')) return undefined;
  if (typeof p.slots !== 'object' || p.slots === null || !digestOk(p.slots.a) || !digestOk(p.slots.b)) return undefined;
  return { format: p.format, version: 1, active: p.active, slots: { a: p.slots.a, b: p.slots.b } };
}

/**
 * Two package slots and an active pointer in one directory. A commit writes the inactive slot, then
 * replaces the pointer, each durably (temporary file, fsync, rename, directory fsync): a crash or
 * power cut at any moment leaves the old active package or the new one, whole. A slot whose bytes do
 * not hash to the pointer's record is never activated.
 */
export class SlotStore {
  private constructor(
    readonly dir: string,
    private readonly fs: StoreFs,
    /** What the pointer on disk says, with records that failed their check dropped. */
    private pointer: SlotPointer,
  ) {}

  static async open(dir: string, o: SlotStoreOptions = {}): Promise<SlotStore> {
    const fs = o.fs ?? nodeStoreFs;
    const log = o.log ?? (() => undefined);
    await fs.mkdir(dir);
    for (const name of [POINTER, ...SLOTS.map(slotFile)]) await fs.remove(path.join(dir, tempName(name)));
    const raw = await fs.read(path.join(dir, POINTER));
    let pointer: SlotPointer = { format: 'reframe-agent-slots', version: 1, active: null, slots: { a: null, b: null } };
    if (raw !== undefined) {
      const parsed = parsePointer(raw);
      if (parsed === undefined) log('error', `${POINTER} in ${dir} is unreadable; starting with no model (the slot files are left as they are)`);
      else pointer = parsed;
    }
    const slots = { ...pointer.slots };
    for (const s of SLOTS) {
      const want = slots[s];
      if (want === null) continue;
      const bytes = await fs.read(path.join(dir, slotFile(s)));
      if (bytes === undefined || toHex(fileDigest(bytes)) !== want) {
        // A crash between writing a slot and replacing the pointer leaves exactly this: keep the slot out of use.
        log(pointer.active === s ? 'error' : 'warn', `slot ${s} ${bytes === undefined ? 'is missing' : 'does not match its recorded digest'} ${short(want)}; it will not be activated${pointer.active === s ? ' (no model is active: push one)' : ''}`);
        slots[s] = null;
      }
    }
    const active = pointer.active !== null && slots[pointer.active] !== null ? pointer.active : null;
    return new SlotStore(dir, fs, { ...pointer, active, slots });
  }

  state(): SlotState {
    const other = this.otherSlot();
    return { active: this.digestOf(this.pointer.active), previous: this.digestOf(other) };
  }

  /** Whether the package with this digest is active or previous. */
  holds(digest: Uint8Array): boolean {
    return this.slotOf(digest) !== undefined;
  }

  /** Size of the active package in bytes, without reading it; 0 for none. */
  async activeSize(): Promise<number> {
    const s = this.pointer.active;
    return s === null ? 0 : ((await this.fs.size(path.join(this.dir, slotFile(s)))) ?? 0);
  }

  active(): Promise<HeldPackage | undefined> {
    return this.readSlot(this.pointer.active);
  }

  previous(): Promise<HeldPackage | undefined> {
    return this.readSlot(this.otherSlot());
  }

  /**
   * Makes `bytes` (whose SHA-256 is `digest`) the active package; the active one becomes previous.
   * A package the store holds already is activated, not written again.
   */
  async install(bytes: Uint8Array, digest: Uint8Array): Promise<SlotState> {
    if (!bytesEqual(fileDigest(bytes), digest)) throw new ProtocolError('digest-mismatch', 'the package bytes do not hash to the digest given for them');
    if (this.holds(digest)) return this.activate(digest);
    const a = this.pointer.active;
    const target: SlotName = a === 'a' ? 'b' : a === 'b' ? 'a' : this.pointer.slots.a === null ? 'a' : 'b';
    // From the first write on, the target slot no longer holds what the pointer records for it.
    this.pointer = { ...this.pointer, slots: { ...this.pointer.slots, [target]: null } };
    await replaceDurably(this.fs, this.dir, slotFile(target), bytes);
    await this.writePointer({ ...this.pointer, active: target, slots: { ...this.pointer.slots, [target]: toHex(digest) } });
    return this.state();
  }

  /** Makes the held package with this digest active. */
  async activate(digest: Uint8Array): Promise<SlotState> {
    const s = this.slotOf(digest);
    if (s === undefined) throw new ProtocolError('not-found', `this board holds no package ${short(toHex(digest))}; push it first`);
    if (s !== this.pointer.active) await this.writePointer({ ...this.pointer, active: s });
    return this.state();
  }

  /** Makes the previous package active again (the active one becomes previous). */
  async rollback(): Promise<SlotState> {
    const other = this.otherSlot();
    if (other === undefined) throw new ProtocolError('no-previous', 'there is no previous package to roll back to');
    await this.writePointer({ ...this.pointer, active: other });
    return this.state();
  }

  private async writePointer(next: SlotPointer): Promise<void> {
    await replaceDurably(this.fs, this.dir, POINTER, new TextEncoder().encode(`${JSON.stringify(next)}\n`));
    this.pointer = next;
  }

  private otherSlot(): SlotName | undefined {
    const a = this.pointer.active;
    return SLOTS.find((s) => s !== a && this.pointer.slots[s] !== null);
  }

  private slotOf(digest: Uint8Array): SlotName | undefined {
    const hex = toHex(digest);
    return SLOTS.find((s) => this.pointer.slots[s] === hex);
  }

  private digestOf(s: SlotName | undefined | null): Uint8Array | undefined {
    const hex = s === undefined || s === null ? null : this.pointer.slots[s];
    return hex === null ? undefined : Uint8Array.from(hex.match(/../g) as string[], (h) => parseInt(h, 16));
  }

  private async readSlot(s: SlotName | undefined | null): Promise<HeldPackage | undefined> {
    const digest = this.digestOf(s);
    if (s === undefined || s === null || digest === undefined) return undefined;
    const bytes = await this.fs.read(path.join(this.dir, slotFile(s)));
    // Checked on every read: storage that rots after open() must not run a model it did not verify.
    if (bytes === undefined || !bytesEqual(fileDigest(bytes), digest)) {
      throw new ProtocolError('storage', `slot ${s} no longer matches its digest ${short(toHex(digest))}: the board's storage is failing; push the package again`);
    }
    return { digest, bytes };
  }
}

export function openSlotStore(dir: string, o: SlotStoreOptions = {}): Promise<SlotStore> {
  return SlotStore.open(dir, o);
}
