import type { LayerTiming, Message } from '../protocol/messages.js';
import { cutUtf8, utf8Length } from './wire-text.js';

type BenchResult = Extract<Message, { type: 'bench-result' }>;

/** Header (4), runs u16, engine str8, count u16. */
const frameBytes = (engine: string): number => 4 + 2 + 1 + utf8Length(engine) + 2;
/** Node index u16, mean micros f32, op str8, name str8. */
const entryBytes = (l: LayerTiming): number => 2 + 4 + 1 + utf8Length(l.op) + 1 + utf8Length(l.name);

/**
 * BENCH-RESULT frames for a benchmark, each at most `maxMessage` bytes (the studio's limit from
 * HELLO), all but the last flagged MORE. A layer whose name alone would not fit has its name cut.
 */
export function benchFrames(id: number, runs: number, engine: string, layers: readonly LayerTiming[], maxMessage: number): BenchResult[] {
  const eng = cutUtf8(engine, 255);
  const base = frameBytes(eng);
  const room = maxMessage - base;
  const frames: LayerTiming[][] = [[]];
  let used = 0;
  for (const layer of layers) {
    const op = cutUtf8(layer.op, 255);
    const fixed = 2 + 4 + 1 + utf8Length(op) + 1;
    const l = { ...layer, op, name: cutUtf8(layer.name, Math.min(255, room - fixed)) };
    const size = entryBytes(l);
    if (used + size > room && used > 0) {
      frames.push([]);
      used = 0;
    }
    (frames[frames.length - 1] as LayerTiming[]).push(l);
    used += size;
  }
  return frames.map((f, i) => ({ type: 'bench-result', id, more: i < frames.length - 1, runs, engine: eng, layers: f }));
}
