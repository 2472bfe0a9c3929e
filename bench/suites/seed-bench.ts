import { Bench } from 'tinybench';
import { seededMult } from '../../core/seed/seed-mult.js';
import { regenerate, type SeedDist } from '../../core/seed/seed-stream.js';
import type { BenchFigure } from '../bench-result.js';

/** A 1 M-element tensor, about the largest seeded conv of the ReFrame presets (512·256·3·3 = 1.18 M). */
const ELEMENTS = 1 << 20;
const SHAPE = [256, 256, 4, 4];
const DISTS: readonly SeedDist[] = ['uniform', 'normal', 'sign'];

/**
 * Seeded weights are rebuilt on every package load and, on boards, before every layer; the studio does
 * the same for previews and digests. Regeneration speed in weights/s, into a reused buffer so only the
 * generator is timed.
 */
export async function seedBench(): Promise<BenchFigure[]> {
  const out = new Float32Array(ELEMENTS);
  const bench = new Bench({ time: 1000, warmupTime: 500 });
  for (const dist of DISTS) {
    const mult = seededMult({ dist, init: 'kaiming', gain: Math.SQRT2 }, SHAPE);
    bench.add(dist, () => {
      regenerate({ seed: '0x0123456789abcdef', dist, mult }, ELEMENTS, out);
    });
  }
  await bench.run();

  return DISTS.map((dist) => {
    const result = bench.getTask(dist)?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${dist} did not finish`);
    const perSecond = ELEMENTS / (result.latency.mean / 1000);
    return {
      suite: 'seed',
      name: `regenerate ${dist}, 1 M-element tensor`,
      value: perSecond,
      unit: 'weights/s',
      ...(dist === 'uniform' ? { goal: { op: '>=', value: 100e6 } as const } : {}),
      engine: `node ${process.version}`,
      detail: { elements: ELEMENTS, meanMs: result.latency.mean, p99Ms: result.latency.p99, samples: result.latency.samplesCount },
    };
  });
}
