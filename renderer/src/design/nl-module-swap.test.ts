import { describe, expect, it } from 'vitest';
import { checkSpecValue } from '../../../core/spec/load-spec.js';
import type { SpecDocument } from '../../../core/spec/spec-document.js';
import { KAIMING_NORMAL_FAN_OUT_RELU } from '../../../core/zoo/nl-module.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { isSwappableConv, nlPrefixOfSeededConv, replaceWithNlModule, restoreConv } from './nl-module-swap.js';

const build = (id: string) => findPreset(id)!.build();
const graphOf = (doc: SpecDocument) => {
  const checked = checkSpecValue(doc);
  if (!checked.ok) throw new Error(JSON.stringify(checked.issues));
  return checked.graph;
};

describe('swapping block convs and NL modules', () => {
  it('turns every block conv of ResNet-8 into the zoo\'s NL-ResNet-8, seeds included', () => {
    let doc = build('resnet8-fashion');
    for (const name of doc.nodes.filter(isSwappableConv).map((n) => n.name)) {
      doc = replaceWithNlModule(doc, graphOf(doc), name, { cnl: 'dw', init: KAIMING_NORMAL_FAN_OUT_RELU });
    }
    expect(doc.nodes).toEqual(build('reframe-resnet8-fashion').nodes);
    expect(doc.outputs).toEqual(['fc']);
  });

  it('turns every NL module back into the plain conv it replaced', () => {
    let doc = build('reframe-resnet8-fashion');
    for (const prefix of doc.nodes.flatMap((n) => nlPrefixOfSeededConv(n) ?? [])) doc = restoreConv(doc, prefix).doc;
    expect(doc.nodes).toEqual(build('resnet8-fashion').nodes);
  });

  it('gives a new module the seed of its slot, counting from the base of the modules already there', () => {
    const reframe = build('reframe-resnet8-fashion');
    const restored = restoreConv(reframe, 'layer2.0.nl2');
    // layer2.0.conv2 is the fourth block conv: base 0x5eed + 3.
    expect(restored.seed).toBe('0x0000000000005ef0');
    const again = replaceWithNlModule(restored.doc, graphOf(restored.doc), 'layer2.0.conv2', { cnl: 'dw', init: KAIMING_NORMAL_FAN_OUT_RELU });
    expect(again.nodes).toEqual(reframe.nodes);
  });

  it('keeps the consumers of the conv wired to the module', () => {
    const doc = build('resnet8-fashion');
    const swapped = replaceWithNlModule(doc, graphOf(doc), 'layer1.0.conv2', { cnl: 8, init: { ...KAIMING_NORMAL_FAN_OUT_RELU, dist: 'sign' } });
    const bn = swapped.nodes.find((n) => n.name === 'layer1.0.bn2');
    expect(bn !== undefined && 'inputs' in bn ? bn.inputs : []).toEqual(['layer1.0.nl2.shuffle']);
    const seeded = swapped.nodes.find((n) => n.name === 'layer1.0.nl2.conv');
    expect(seeded).toMatchObject({ outChannels: 8, groups: 8, params: { weight: { mode: 'seeded', dist: 'sign' } } });
    expect(checkSpecValue(swapped).ok).toBe(true);
  });

  it('refuses what the builder never makes an NL module', () => {
    const doc = build('resnet8-fashion');
    expect(() => replaceWithNlModule(doc, graphOf(doc), 'conv1', { cnl: 'dw', init: KAIMING_NORMAL_FAN_OUT_RELU })).toThrow('not a 3x3 block conv');
    expect(() => replaceWithNlModule(doc, graphOf(doc), 'layer2.0.shortcut.conv', { cnl: 'dw', init: KAIMING_NORMAL_FAN_OUT_RELU })).toThrow('not a 3x3 block conv');
    expect(() => restoreConv(doc, 'layer1.0.nl1')).toThrow('is not an NL module');
  });
});
