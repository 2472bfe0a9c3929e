import { describe, expect, it } from 'vitest';
import { WEIGHT_DTYPES } from '../../../core/budget/weight-dtype.js';
import { dtypeSizes } from './dtype-sizes.js';
import { presetPackage } from './package-details.fixture.js';

describe('dtypeSizes', () => {
  it('gives the size the encoder makes at each dtype, and marks the one the package is in', () => {
    const { details } = presetPackage('tiny', 'fp16', '/w/tiny.rfpk');
    const sizes = dtypeSizes(details)!;
    expect(sizes.map((s) => s.dtype)).toEqual([...WEIGHT_DTYPES]);
    for (const s of sizes) expect(s.bytes).toBe(presetPackage('tiny', s.dtype, '/w/x.rfpk').bytes.length);
    expect(sizes.filter((s) => s.current)).toEqual([{ dtype: 'fp16', bytes: details.sizes.total, current: true }]);
    expect(sizes[0]!.bytes).toBeGreaterThan(sizes[2]!.bytes);
  });

  it('counts the signature block of a signed package and needs the spec the package carries', () => {
    const { details } = presetPackage('tiny', 'fp32', '/w/tiny.rfpk');
    const signed = dtypeSizes({ ...details, signature: { keyId: 'ab'.repeat(8), verified: false } })!;
    expect(signed[0]!.bytes).toBeGreaterThan(details.sizes.total);
    expect(dtypeSizes({ ...details, specText: null })).toBeUndefined();
    expect(dtypeSizes({ ...details, specText: '{"version": 1, "nodes": []}' })).toBeUndefined();
  });
});
