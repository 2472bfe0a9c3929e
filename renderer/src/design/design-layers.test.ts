import { describe, expect, it } from 'vitest';
import { checkSpecValue, type LoadedSpec } from '../../../core/spec/load-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { editLayerMode } from './design-check.js';
import { designLayers, groupLayers, reviseLayers } from './design-layers.js';
import { switchKind, type LayerMode } from './layer-mode.js';

function loaded(id: string): LoadedSpec {
  const r = checkSpecValue(findPreset(id)!.build());
  if (!r.ok) throw new Error(`${id} must check`);
  return r;
}

describe('designLayers', () => {
  it('gives an NL module one row standing for all its nodes but the pointwise conv', () => {
    const { doc, graph } = loaded('reframe-resnet8-fashion');
    const rows = designLayers(doc, graph);
    for (const row of rows.filter((r) => r.target?.kind === 'nl')) {
      const own = doc.nodes.flatMap((n, j) => (n.name.startsWith(`${row.key}.`) && n.name !== `${row.key}.pw` ? [j] : []));
      expect(row.specIndices, row.key).toEqual(own);
      expect(row.params).toBe(own.reduce((s, j) => s + (graph.nodes.find((g) => g.specIndex === j)?.params.reduce((t, p) => t + p.elements, 0) ?? 0), 0));
    }
    expect(rows.filter((r) => r.target?.kind === 'nl').map((r) => r.key)).toEqual(['layer1.0.nl1', 'layer1.0.nl2', 'layer2.0.nl1', 'layer2.0.nl2', 'layer3.0.nl1', 'layer3.0.nl2']);
  });
});

describe('reviseLayers', () => {
  it('equals the rows made from scratch after any mode change that keeps the structure, and keeps every other row', () => {
    const start = loaded('reframe-resnet8-fashion');
    const before = designLayers(start.doc, start.graph);
    const changes: LayerMode[] = [{ kind: 'seeded', dist: 'sign' }, { kind: 'frozen' }, { kind: 'learnable' }, { kind: 'nl', cnl: 'dw', dist: 'uniform' }];
    let revised = 0;
    for (const row of before) {
      for (const mode of changes) {
        if (mode.kind === 'nl' && row.target?.kind !== 'nl') continue;
        const { check } = editLayerMode(start, row.target!, mode);
        if (!check.result.ok) throw new Error(`${row.key} → ${mode.kind} must check`);
        if (check.revision === undefined) continue;
        revised++;
        const rows = reviseLayers(before, check.result.doc, check.result.graph, check.revision.specIndices);
        expect(rows, `${row.key} → ${mode.kind}`).toEqual(designLayers(check.result.doc, check.result.graph));
        expect(rows.filter((r, i) => r !== before[i]).map((r) => r.key)).toEqual(check.revision.specIndices.length === 0 ? [] : [row.key]);
      }
    }
    // Seeded, frozen and learnable on every conv and dense, and a new distribution for each NL module
    // (any other mode on a module turns it back into a conv: a new structure).
    const modules = before.filter((r) => r.target?.kind === 'nl').length;
    expect(revised).toBe((before.length - modules) * 3 + modules);
  });

  it('is not used for a swap between a conv and an NL module: that edit changes the structure', () => {
    const start = loaded('resnet8-fashion');
    const { check } = editLayerMode(start, { kind: 'node', name: 'layer1.0.conv1' }, switchKind(undefined, 'nl'));
    expect(check.revision).toBeUndefined();
    expect(check.result.ok).toBe(true);
  });
});

describe('groupLayers', () => {
  it('reuses the blocks and stages whose rows did not change', () => {
    const start = loaded('resnet18-cifar');
    const rows = designLayers(start.doc, start.graph);
    const before = groupLayers(rows);
    const { check } = editLayerMode(start, { kind: 'node', name: 'layer4.1.conv2' }, { kind: 'frozen' });
    if (!check.result.ok || check.revision === undefined) throw new Error('a mode change must revise');
    const after = groupLayers(reviseLayers(rows, check.result.doc, check.result.graph, check.revision.specIndices), before);
    expect(after).toEqual(groupLayers(designLayers(check.result.doc, check.result.graph)));
    expect(after.filter((s, i) => s !== before[i]).map((s) => s.stage)).toEqual(['layer4']);
    const layer4 = after.find((s) => s.stage === 'layer4')!;
    const old4 = before.find((s) => s.stage === 'layer4')!;
    expect(layer4.blocks.map((b, i) => b === old4.blocks[i])).toEqual([true, false]);
    expect(groupLayers(rows, before)).toEqual(before);
  });
});
