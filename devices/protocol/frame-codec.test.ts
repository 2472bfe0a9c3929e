import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, maxWireBytes } from './frame-codec.js';

const msg = (...b: number[]): Uint8Array => Uint8Array.from(b);

describe('frames', () => {
  it('round-trips messages split at every byte boundary', () => {
    const m1 = msg(1, 0, 7, 0, 0, 0, 0xff);
    const m2 = new Uint8Array(600).map((_, i) => i % 7);
    const wire = new Uint8Array([...encodeFrame(m1), ...encodeFrame(m2)]);
    for (let cut = 0; cut <= wire.length; cut += 13) {
      const d = new FrameDecoder(1024);
      const events = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(events).toEqual([
        { kind: 'frame', message: m1 },
        { kind: 'frame', message: m2 },
      ]);
    }
  });

  it('stays within the wire bound', () => {
    const m = new Uint8Array(1000).fill(3);
    expect(encodeFrame(m).length).toBeLessThanOrEqual(maxWireBytes(1000));
  });

  it('detects every single bit flip', () => {
    const m = msg(4, 0, 9, 0, 16, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8);
    const wire = encodeFrame(m);
    for (let bit = 0; bit < (wire.length - 1) * 8; bit++) {
      const bad = wire.slice();
      bad[bit >> 3] = (bad[bit >> 3] as number) ^ (1 << (bit & 7));
      const events = new FrameDecoder(256).push(bad).filter((e) => e.kind === 'frame');
      // A flip that makes a zero splits the frame; neither half may pass as a message.
      expect(events).toEqual([]);
    }
  });

  it('drops oversized frames with bounded memory and recovers at the next delimiter', () => {
    const d = new FrameDecoder(64);
    const garbage = new Uint8Array(100_000).fill(0x41);
    const good = encodeFrame(msg(1, 0, 1, 0, 1, 0, 0, 1));
    const events = [...d.push(garbage), ...d.push(Uint8Array.of(0)), ...d.push(good)];
    expect(events[0]).toEqual({ kind: 'dropped', reason: 'oversized', bytes: 100_000 });
    expect(events[1]).toEqual({ kind: 'frame', message: msg(1, 0, 1, 0, 1, 0, 0, 1) });
  });

  it('reports garbage between delimiters as corrupt or failing the CRC, and ignores empty frames', () => {
    const d = new FrameDecoder(64);
    expect(d.push(Uint8Array.of(0, 0, 0))).toEqual([]);
    expect(d.push(Uint8Array.of(9, 1, 2, 0))).toEqual([{ kind: 'dropped', reason: 'corrupt', bytes: 3 }]);
    expect(d.push(Uint8Array.of(10, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0))).toEqual([{ kind: 'dropped', reason: 'crc', bytes: 10 }]);
  });
});
