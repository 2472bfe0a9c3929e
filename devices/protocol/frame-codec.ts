import { crc32c } from '../../core/package/crc32c.js';
import { cobsDecode, cobsEncode, cobsMaxEncoded } from './cobs.js';

/** Bytes around a message's payload in a frame body: type, flags, id (4) and the CRC-32C (4). */
export const FRAME_OVERHEAD = 8;

/** The frame size both sides assume before the handshake has told them the peer's. */
export const MIN_FRAME = 256;

/** A frame body: the message bytes with their CRC-32C appended, COBS-encoded, then the 0x00 delimiter. */
export function encodeFrame(message: Uint8Array): Uint8Array {
  const body = new Uint8Array(message.length + 4);
  body.set(message);
  new DataView(body.buffer).setUint32(message.length, crc32c(message), true);
  const enc = cobsEncode(body);
  const wire = new Uint8Array(enc.length + 1);
  wire.set(enc);
  return wire;
}

/** The wire size of a frame whose message has n bytes, at worst. */
export function maxWireBytes(messageBytes: number): number {
  return cobsMaxEncoded(messageBytes + 4) + 1;
}

export type DropReason = 'oversized' | 'corrupt' | 'crc';

export type FrameEvent = { readonly kind: 'frame'; readonly message: Uint8Array } | { readonly kind: 'dropped'; readonly reason: DropReason; readonly bytes: number };

/**
 * Splits a byte stream into checked messages. Memory stays bounded: bytes beyond the longest legal
 * frame are not kept, and the rest of that frame is skipped up to the next delimiter.
 */
export class FrameDecoder {
  private readonly buffer: Uint8Array;
  private length = 0;
  private skipped = 0;
  private skipping = false;

  /** @param maxMessage the longest message (type through payload, without CRC) this side accepts */
  constructor(readonly maxMessage: number) {
    this.buffer = new Uint8Array(cobsMaxEncoded(maxMessage + 4));
  }

  push(bytes: Uint8Array): FrameEvent[] {
    const events: FrameEvent[] = [];
    for (const byte of bytes) {
      if (byte !== 0) {
        if (this.skipping) this.skipped++;
        else if (this.length < this.buffer.length) this.buffer[this.length++] = byte;
        else {
          this.skipping = true;
          this.skipped = this.length + 1;
          this.length = 0;
        }
        continue;
      }
      if (this.skipping) {
        events.push({ kind: 'dropped', reason: 'oversized', bytes: this.skipped });
        this.skipping = false;
        this.skipped = 0;
        continue;
      }
      if (this.length === 0) continue; // back-to-back delimiters: a sender flushing the line
      events.push(this.finish());
      this.length = 0;
    }
    return events;
  }

  private finish(): FrameEvent {
    const encodedBytes = this.length;
    const body = cobsDecode(this.buffer.subarray(0, encodedBytes));
    if (body === undefined || body.length < FRAME_OVERHEAD) return { kind: 'dropped', reason: 'corrupt', bytes: encodedBytes };
    const end = body.length - 4;
    const crc = new DataView(body.buffer, body.byteOffset, body.byteLength).getUint32(end, true);
    if (crc !== crc32c(body, 0, end)) return { kind: 'dropped', reason: 'crc', bytes: encodedBytes };
    return { kind: 'frame', message: body.slice(0, end) };
  }
}
