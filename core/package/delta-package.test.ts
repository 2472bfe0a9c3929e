import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { applyDelta, inspectDelta, makeDelta } from './delta-package.js';
import { encodePackage } from './encode-package.js';
import { initialValues } from './initial-values.js';
import { SECTION } from './package-constants.js';
import { packPreset, presetGraph, testKeys } from './package-test-support.fixture.js';

function retrained(id: string, changed: readonly string[]) {
  const graph = presetGraph(id);
  const values = initialValues(graph);
  for (const name of changed) values.set(name, values.get(name)!.map((v, i) => v + (i % 3) * 0.01));
  return { graph, values };
}

describe('delta packages', () => {
  it('carry only changed tensors and rebuild the new package byte for byte', () => {
    const base = packPreset('reframe-resnet8-fashion', 'fp32');
    const { graph, values } = retrained('reframe-resnet8-fashion', ['fc.weight', 'layer3.0.nl2.pw.weight']);
    const target = encodePackage(graph, values, { dtype: 'fp32' });
    const delta = makeDelta(base, target);
    const info = inspectDelta(delta);
    expect(info.carried).toBe(2);
    expect(info.reused).toBe(inspectDelta(makeDelta(base, base)).reused - 2);
    // Of the data, only the two changed tensors travel; the graph, table and spec travel whole.
    expect(info.sections.get(SECTION.DATA)!.length).toBe((640 + 64 * 48) * 4);
    const rebuilt = applyDelta(base, delta);
    expect(rebuilt).toEqual(target);
    expect(sha256(rebuilt)).toEqual(sha256(target));
  });

  it('handles a change of dtype and of architecture (everything travels)', () => {
    const base = packPreset('tiny', 'fp32');
    for (const target of [packPreset('tiny', 'int8'), packPreset('reframe-resnet8-fashion', 'fp16')]) {
      expect(applyDelta(base, makeDelta(base, target))).toEqual(target);
    }
  });

  it('refuses the wrong base and a tampered delta', () => {
    const base = packPreset('tiny', 'fp32');
    const other = packPreset('tiny', 'fp16');
    const { graph, values } = retrained('tiny', ['fc.bias']);
    const delta = makeDelta(base, encodePackage(graph, values, { dtype: 'fp32' }));
    expect(() => applyDelta(other, delta)).toThrow(/delta check: made for base [0-9a-f]{16}…, but this base is/);
    const bad = delta.slice();
    bad[bad.length - 40]! ^= 4;
    expect(() => applyDelta(base, bad)).toThrow(/package rejected by the (digest|sections) check/);
  });

  it('can be signed and then requires the key', () => {
    const keys = testKeys();
    const base = packPreset('tiny', 'fp32');
    const target = packPreset('tiny', 'int8', keys.signer);
    const delta = makeDelta(base, target, keys.signer);
    expect(applyDelta(base, delta, { verifier: keys.verifier })).toEqual(target);
    expect(() => applyDelta(base, delta, { verifier: testKeys().verifier })).toThrow('signature check');
  });
});
