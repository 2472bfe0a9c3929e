import { describe, expect, it } from 'vitest';
import type { PackageDiff } from '../../../main/contract/studio-api.js';
import { summarizeDiff } from './diff-summary.js';

const side = (path: string, bytes: number) => ({ path, model: 'tiny', bytes });

describe('summarizeDiff', () => {
  it('tells another architecture, and a push sends B whole when the delta would be larger', () => {
    const diff: PackageDiff = {
      a: side('/w/a.rfpk', 9000),
      b: side('/w/b.rfpk', 9500),
      nodes: [{ name: 'fc2', change: 'added', before: null, after: 'dense [10] ← fc' }],
      tensors: [
        { name: 'fc2.weight', change: 'added', what: 'learnable [10,10]' },
        { name: 'fc2.bias', change: 'added', what: 'learnable [10]' },
        { name: 'conv1.weight', change: 'removed', what: 'seeded [8,1,3,3]' },
      ],
      unchangedTensors: 4,
      deltaBytes: 9600,
    };
    expect(summarizeDiff(diff)).toEqual({ changed: 0, added: 2, removed: 1, same: 4, sameArchitecture: false, pushBytes: 9500, pushKind: 'full' });
  });
});
