import { describe, expect, it } from 'vitest';
import { decodeMessage, encodeMessage, type LayerTiming } from '../protocol/messages.js';
import { benchFrames } from './bench-frames.js';

describe('benchFrames', () => {
  const layers: LayerTiming[] = Array.from({ length: 40 }, (_, i) => ({ index: i, name: `stage${i}.block.conv${'x'.repeat(i * 3)}`, op: i % 2 === 0 ? 'conv' : 'batchnorm', micros: i * 1.5 }));

  it('splits layers over frames that fit maxMessage, MORE on all but the last, nothing lost', () => {
    const frames = benchFrames(7, 10, 'tfjs-wasm', layers, 256);
    expect(frames.length).toBeGreaterThan(5);
    for (const f of frames) expect(encodeMessage(f).length).toBeLessThanOrEqual(256);
    expect(frames.map((f) => f.more)).toEqual([...new Array(frames.length - 1).fill(true), false]);
    const back = frames.map((f) => decodeMessage(encodeMessage(f)));
    expect(back.flatMap((m) => (m.type === 'bench-result' ? m.layers : []))).toEqual(layers);
  });

  it('puts everything in one frame when it fits, and cuts a name that could never fit', () => {
    expect(benchFrames(1, 1, 'tfjs-node', layers, 65536)).toHaveLength(1);
    const huge = [{ index: 0, name: 'é'.repeat(300), op: 'conv', micros: 1 }];
    const [f] = benchFrames(1, 1, 'tfjs-node', huge, 256);
    expect(encodeMessage(f!).length).toBeLessThanOrEqual(256);
    expect(f!.layers[0]!.name).toMatch(/^é{100,}$/);
  });
});
