import { fillPhiloxWords } from '../seed/philox.js';
import { seedKey } from '../seed/seed-stream.js';

const BLOCK = 1024;

/**
 * Random numbers for data order and augmentation, from the project's own Philox stream so a training
 * run is reproducible from its seed on every engine (never Math.random).
 */
export class SeededRandom {
  private readonly key: readonly [number, number];
  private readonly words = new Uint32Array(BLOCK);
  private next = BLOCK;
  private position: number;

  /** `stream` picks an independent sequence for the same seed (e.g. the epoch number). */
  constructor(seed: string | bigint, stream = 0) {
    this.key = seedKey(seed);
    // Streams sit 2^40 words apart: far more than any epoch draws.
    this.position = stream * 2 ** 40;
  }

  u32(): number {
    if (this.next === BLOCK) {
      fillPhiloxWords(this.key, this.position, this.words);
      this.position += BLOCK;
      this.next = 0;
    }
    return this.words[this.next++] as number;
  }

  /** An integer in [0, n), without modulo bias (rejection of the top partial range). */
  below(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) throw new RangeError(`below(${n}): n must be an integer in 1..2^32`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.u32();
      if (x < limit) return x % n;
    }
  }

  /** True with probability 1/2. */
  coin(): boolean {
    return (this.u32() & 1) === 1;
  }

  /** Fisher–Yates: a uniformly random permutation of 0..n-1. */
  permutation(n: number): number[] {
    const out = Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = this.below(i + 1);
      [out[i], out[j]] = [out[j] as number, out[i] as number];
    }
    return out;
  }
}
