import { describe, expect, it } from 'vitest';
import { serializeSpec } from '../../../core/spec/serialize-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { predictLayers } from './predicted-layers.js';

describe('predictLayers', () => {
  it('gives each layer of a spec its FLOPs and share, by node name', () => {
    const layers = predictLayers(serializeSpec(findPreset('tiny')!.build()))!;
    const conv = layers.get('conv1')!;
    expect(conv.flops).toBeGreaterThan(0);
    expect([...layers.values()].reduce((s, l) => s + l.share, 0)).toBeCloseTo(1, 10);
    expect(layers.get('layer1.0.nl1.pw')!.share).toBeGreaterThan(0);
  });

  it('has nothing to say about a spec that does not check', () => {
    expect(predictLayers('{"format": "reframe-spec"}')).toBeUndefined();
  });
});
