import { inspectDelta } from '../../core/package/delta-package.js';
import { readContainer } from '../../core/package/read-container.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { BoardClient, BoardState } from './board-client.js';
import { BoardTimeoutError } from './board-timeout-error.js';
import { PushError } from './push-error.js';
import { fileDigest } from '../protocol/file-digest.js';

/** Default unacknowledged bytes: 8 KiB never deadlocked serialport against an echoing board (DESIGN.md §7). */
export const DEFAULT_WINDOW = 8 * 1024;
/** Rewinds after this many ack timeouts in a row, then gives up. */
const MAX_TIMEOUTS = 5;

export type PushKind = 'full' | 'delta' | 'already-active' | 'activated-previous';

export interface PushProgress {
  /** Bytes of the upload written so far (the furthest offset sent). */
  readonly sent: number;
  /** Bytes the board holds contiguously. */
  readonly acked: number;
  readonly total: number;
  /** Acknowledged bytes per second since this push began sending. */
  readonly bytesPerSecond: number;
  /** Seconds to the end at that rate; undefined until there is a rate. */
  readonly etaSeconds: number | undefined;
  readonly resumedFrom: number;
  readonly kind: 'full' | 'delta';
}

/** A delta that turns the board's active package (`base`) into the package being pushed. */
export interface DeltaOffer {
  readonly delta: Uint8Array;
  /** The base package's bytes: the push checks it is what the board runs and what the delta names. */
  readonly base: Uint8Array;
}

export interface PushOptions {
  /** Most bytes written but not yet acknowledged (default 8 KiB; 64 KiB suits TCP). */
  readonly window?: number;
  /** Largest CHUNK payload; capped at min(board maxMessage − 8, 4096) and at the window. */
  readonly chunkSize?: number;
  /** Rewind when no ACK advances for this long (default max(1 s, 4 × window ÷ lineRate)). */
  readonly ackTimeoutMs?: number;
  /** Bytes per second the line carries, when known (serial: baud ÷ 10). */
  readonly lineRate?: number;
  /** A delta from the package the board runs (given its SHA-256) to this one, if the studio has one. */
  readonly delta?: (activeDigest: Uint8Array) => DeltaOffer | undefined | Promise<DeltaOffer | undefined>;
  readonly onProgress?: (p: PushProgress) => void;
  /** Stops between chunks; the board keeps what it has, so the same push resumes later. */
  readonly signal?: AbortSignal;
}

export interface PushResult {
  readonly kind: PushKind;
  /** CHUNK bytes written, resends included. */
  readonly bytesSent: number;
  /** Where the upload started: non-zero when the board already held part of it. */
  readonly resumedFrom: number;
  readonly seconds: number;
  readonly state: BoardState;
}

function sameDigest(a: Uint8Array | undefined, b: Uint8Array): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

function short(d: Uint8Array): string {
  return `${toHex(d).slice(0, 16)}…`;
}

/** The delta, once it is shown to lead from the board's active package to this one. */
function checkedDelta(offer: DeltaOffer, active: Uint8Array, target: Uint8Array): Uint8Array {
  const hint = 'make the delta again from the package the board runs (`reframe delta <base> <new>`), or push without --delta-from';
  if (!sameDigest(active, fileDigest(offer.base))) throw new PushError('bad-delta', `the delta's base is not the package the board runs (${short(active)})`, hint);
  const d = inspectDelta(offer.delta);
  if (d.baseDigest !== toHex(readContainer(offer.base).digest)) throw new PushError('bad-delta', `the delta was made for another base (${d.baseDigest.slice(0, 16)}…)`, hint);
  if (d.targetDigest !== toHex(readContainer(target).digest)) throw new PushError('bad-delta', `the delta builds another package (${d.targetDigest.slice(0, 16)}…), not the one being pushed`, hint);
  return offer.delta;
}

/**
 * Sends a package to a board (docs/protocol.md "Sessions", steps 2–5): nothing when the board holds
 * it already, a delta when one is offered from the board's active package, otherwise the package;
 * BEGIN resumes a pending upload; windowed go-back-N CHUNKs; COMMIT, and a check that the package
 * is now the active one.
 */
export async function pushPackage(client: BoardClient, bytes: Uint8Array, o: PushOptions = {}): Promise<PushResult> {
  const started = performance.now();
  const seconds = (): number => (performance.now() - started) / 1000;
  const target = fileDigest(bytes);
  const info = await client.info();
  if (sameDigest(info.active, target)) return { kind: 'already-active', bytesSent: 0, resumedFrom: 0, seconds: seconds(), state: { active: info.active, previous: info.previous } };
  if (sameDigest(info.previous, target)) {
    const state = await client.activate(target);
    checkActive(state, target);
    return { kind: 'activated-previous', bytesSent: 0, resumedFrom: 0, seconds: seconds(), state };
  }

  let upload = bytes;
  let kind: 'full' | 'delta' = 'full';
  if (o.delta !== undefined && info.active !== undefined && info.capabilities.delta) {
    const offer = await o.delta(info.active);
    // After retraining every tensor changes and a delta can outgrow the package: send the smaller.
    if (offer !== undefined && checkedDelta(offer, info.active, bytes).length < bytes.length) {
      upload = offer.delta;
      kind = 'delta';
    }
  }
  const digest = fileDigest(upload);
  const resumedFrom = await client.begin(digest, upload.length, kind);
  if (resumedFrom > upload.length) throw new ProtocolError('bad-message', `the board says it holds ${resumedFrom} bytes of a ${upload.length}-byte upload`);
  const bytesSent = await sendWindowed(client, upload, resumedFrom, kind, o);
  const state = await client.commit(digest);
  checkActive(state, target);
  return { kind, bytesSent, resumedFrom, seconds: seconds(), state };
}

function checkActive(state: BoardState, target: Uint8Array): void {
  if (!sameDigest(state.active, target)) {
    throw new PushError('not-activated', `the board accepted the upload but runs ${state.active === undefined ? 'no package' : short(state.active)}, not ${short(target)}`, 'run `reframe board info` to see what it holds, then push again');
  }
}

interface ChunkTag {
  /** Order of sending: an ACK for chunk s means every chunk before s is answered or lost. */
  readonly seq: number;
  /** Rewinds so far when it was sent: only a GAP for a chunk sent since the last rewind rewinds again. */
  readonly epoch: number;
}

/** Go-back-N over CHUNK/ACK; returns the CHUNK bytes written. */
async function sendWindowed(client: BoardClient, upload: Uint8Array, from: number, kind: 'full' | 'delta', o: PushOptions): Promise<number> {
  const total = upload.length;
  const window = Math.max(1, o.window ?? DEFAULT_WINDOW);
  const chunk = Math.max(1, Math.min(o.chunkSize ?? Infinity, client.maxChunk, window));
  const ackTimeoutMs = o.ackTimeoutMs ?? Math.max(1000, o.lineRate === undefined ? 0 : (4 * window * 1000) / o.lineRate);
  const started = performance.now();

  let acked = from;
  let next = from;
  let furthest = from;
  let written = 0;
  let epoch = 0;
  let seq = 0;
  let timeouts = 0;
  let lastAdvance = performance.now();
  let failure: Error | undefined;
  /** Bytes of each chunk written and not yet answered, by seq. */
  const inflight = new Map<number, number>();
  let inflightBytes = 0;
  let kicked = false;
  let wake: (() => void) | undefined;
  const kick = (): void => {
    kicked = true;
    wake?.();
  };

  const report = (): void => {
    if (o.onProgress === undefined) return;
    const elapsed = (performance.now() - started) / 1000;
    const rate = elapsed > 0 ? (acked - from) / elapsed : 0;
    o.onProgress({ sent: furthest, acked, total, bytesPerSecond: rate, etaSeconds: rate > 0 ? (total - acked) / rate : undefined, resumedFrom: from, kind });
  };

  const stream = client.chunkStream<ChunkTag>(
    (offset, gap, tag) => {
      // Frames arrive in order: chunks sent before this one and still unanswered were lost.
      for (const [s, n] of inflight) {
        if (s > tag.seq) break;
        inflight.delete(s);
        inflightBytes -= n;
      }
      if (offset > total) failure ??= new ProtocolError('bad-message', `the board acknowledged ${offset} bytes of a ${total}-byte upload`);
      if (offset > acked) {
        acked = offset;
        timeouts = 0;
        lastAdvance = performance.now();
        report();
      }
      if (next < acked) next = acked;
      if (gap && tag.epoch === epoch) {
        next = acked;
        epoch++;
      }
      kick();
    },
    (error) => {
      failure ??= error;
      kick();
    },
  );
  const onAbort = (): void => kick();
  o.signal?.addEventListener('abort', onAbort);
  report();

  try {
    while (acked < total) {
      if (failure !== undefined) throw failure;
      if (o.signal?.aborted === true) {
        throw new PushError('cancelled', `push cancelled at byte ${acked} of ${total}`, 'the board keeps what it received: run the same push again to resume');
      }
      const len = Math.min(chunk, total - next);
      if (next < total && inflightBytes + len <= window) {
        const at = next;
        seq++;
        inflight.set(seq, len);
        inflightBytes += len;
        next += len;
        furthest = Math.max(furthest, next);
        written += len;
        await stream.send(at, upload.subarray(at, at + len), { seq, epoch });
        continue;
      }
      const left = lastAdvance + ackTimeoutMs - performance.now();
      if (left <= 0) {
        timeouts++;
        if (timeouts >= MAX_TIMEOUTS) {
          throw new BoardTimeoutError(`the board stopped answering at byte ${acked} of ${total}`, 'check it is powered and attached, then run the same push again to resume');
        }
        // Go back: whatever was in flight is presumed lost.
        inflight.clear();
        inflightBytes = 0;
        next = acked;
        epoch++;
        lastAdvance = performance.now();
        continue;
      }
      if (!kicked) {
        await new Promise<void>((resolve) => {
          wake = resolve;
          const timer = setTimeout(resolve, Math.ceil(left));
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        wake = undefined;
      }
      kicked = false;
    }
  } finally {
    stream.close();
    o.signal?.removeEventListener('abort', onAbort);
  }
  return written;
}
