import { describe, expect, it } from 'vitest';
import { PRESETS } from '../zoo/presets.js';
import { loadSpecText } from './load-spec.js';
import { serializeSpec } from './serialize-spec.js';

describe('serializeSpec', () => {
  it.each(PRESETS.map((p) => p.id))('round-trips %s byte for byte', (id) => {
    const text = serializeSpec(PRESETS.find((p) => p.id === id)!.build());
    expect(serializeSpec(loadSpecText(text).doc)).toBe(text);
  });

  it('writes keys in canonical order and one node per line', () => {
    const text = [
      '{',
      '  "outputs": ["y"],',
      '  "nodes": [',
      '    {"op": "input", "shape": [1, 4, 4], "name": "x"},',
      '    {"bias": false, "kernel": 3, "inputs": ["x"], "op": "conv", "name": "y", "outChannels": 2, "params": {"weight": {"seed": "0x1", "gain": 1, "dist": "sign", "mode": "seeded", "init": "xavier"}}}',
      '  ],',
      '  "name": "t",',
      '  "version": 1,',
      '  "format": "reframe-spec"',
      '}',
    ].join('\n');
    expect(serializeSpec(loadSpecText(text).doc)).toBe(
      [
        '{',
        '  "format": "reframe-spec",',
        '  "version": 1,',
        '  "name": "t",',
        '  "nodes": [',
        '    {"name": "x", "op": "input", "shape": [1, 4, 4]},',
        '    {"name": "y", "op": "conv", "inputs": ["x"], "outChannels": 2, "kernel": 3, "bias": false, "params": {"weight": {"mode": "seeded", "dist": "sign", "init": "xavier", "gain": 1, "seed": "0x1"}}}',
        '  ],',
        '  "outputs": ["y"]',
        '}',
        '',
      ].join('\n'),
    );
  });

  it('never writes defaults the author left out', () => {
    const text = serializeSpec(PRESETS.find((p) => p.id === 'tiny')!.build());
    expect(text).not.toContain('"eps"');
    expect(text).not.toContain('"countIncludePad"');
  });
});
