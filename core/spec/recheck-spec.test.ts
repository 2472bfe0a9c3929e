import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../graph/model-graph.js';
import { findPreset } from '../zoo/presets.js';
import { withParamModes } from './edit-spec.js';
import { checkSpecValue, type LoadedSpec } from './load-spec.js';
import type { ParamSpec } from './param-spec.js';
import { recheckSpecValue } from './recheck-spec.js';
import type { SpecDocument } from './spec-document.js';

function loaded(id: string): LoadedSpec {
  const result = checkSpecValue(findPreset(id)!.build());
  if (!result.ok) throw new Error(`${id} must check`);
  return result;
}

const SEEDED: ParamSpec = { mode: 'seeded', dist: 'uniform', init: 'kaiming', fan: 'fan_in', gain: Math.SQRT2, seed: '0x1234' };
const MODES: readonly ParamSpec[] = [SEEDED, { mode: 'frozen' }, { mode: 'learnable' }];

const weighted = (graph: ModelGraph) => graph.nodes.filter((n) => n.params.some((p) => p.param === 'weight') && (n.op === 'conv' || n.op === 'dense'));

describe('recheckSpecValue', () => {
  // A full check of every edit to compare with: seconds on a busy two-core machine.
  it('gives what a full check gives for every mode of every conv and dense weight, revising only that node', { timeout: 30_000 }, () => {
    for (const id of ['resnet8-fashion', 'reframe-resnet8-fashion', 'tiny']) {
      const prev = loaded(id);
      for (const node of weighted(prev.graph)) {
        for (const spec of MODES) {
          const next = withParamModes(prev.doc, { [`${node.name}.weight`]: spec });
          const { result, revision } = recheckSpecValue(prev, next);
          expect(result).toEqual(checkSpecValue(next));
          expect(revision).toEqual({ from: prev.graph, specIndices: [node.specIndex] });
          if (!result.ok) throw new Error('must check');
          // Only the revised node is new; the rest of the earlier graph is the same objects.
          const renewed = result.graph.nodes.filter((g, p) => g !== prev.graph.nodes[p]).map((g) => g.name);
          expect(renewed).toEqual([node.name]);
        }
      }
    }
  });

  it('chains: a revision of a revision still equals a full check of the last document', () => {
    let current = loaded('resnet8-fashion');
    let doc: SpecDocument = current.doc;
    for (const [name, spec] of [['layer1.0.conv1', SEEDED], ['fc', { mode: 'frozen' }], ['layer1.0.conv1', { mode: 'learnable' }], ['conv1', SEEDED]] as const) {
      doc = withParamModes(doc, { [`${name}.weight`]: spec });
      const { result, revision } = recheckSpecValue(current, doc);
      expect(revision?.specIndices).toHaveLength(1);
      if (!result.ok) throw new Error('must check');
      current = result;
      doc = result.doc;
    }
    expect(current).toEqual(checkSpecValue(doc));
  });

  it('checks in full, with no revision, when the structure or the document around the nodes changed', () => {
    const prev = loaded('resnet8-fashion');
    const wider = { ...prev.doc, nodes: prev.doc.nodes.map((n) => (n.name === 'conv1' && n.op === 'conv' ? { ...n, outChannels: 8 } : n)) };
    const renamed = { ...prev.doc, name: 'renamed' };
    const shorter = { ...prev.doc, nodes: prev.doc.nodes.slice(0, -1) };
    for (const next of [wider, renamed, shorter, 'not a spec', null]) {
      const { result, revision } = recheckSpecValue(prev, next);
      expect(revision).toBeUndefined();
      expect(result).toEqual(checkSpecValue(next));
    }
  });

  it('checks in full when a revised node has a problem, so every issue is reported as a full check reports it', () => {
    const prev = loaded('resnet8-fashion');
    const noSeed = withParamModes(prev.doc, { 'conv1.weight': { mode: 'seeded', dist: 'normal', init: 'kaiming', gain: 1 } as unknown as ParamSpec });
    const noBias = withParamModes(prev.doc, { 'conv1.bias': { mode: 'frozen' } });
    for (const next of [noSeed, noBias]) {
      const { result, revision } = recheckSpecValue(prev, next);
      expect(revision).toBeUndefined();
      expect(result.ok).toBe(false);
      expect(result).toEqual(checkSpecValue(next));
    }
  });

  it('checks in full when tensors are given to a node whose op has none', () => {
    const prev = loaded('resnet8-fashion');
    const next = { ...prev.doc, nodes: prev.doc.nodes.map((n) => (n.op === 'relu' ? { ...n, params: { weight: { mode: 'frozen' } } } : n)) };
    const { result, revision } = recheckSpecValue(prev, next);
    expect(revision).toBeUndefined();
    expect(result.ok).toBe(false);
    expect(result).toEqual(checkSpecValue(next));
  });

  it('keeps the earlier graph when nothing changed', () => {
    const prev = loaded('tiny');
    const { result, revision } = recheckSpecValue(prev, { ...prev.doc, nodes: [...prev.doc.nodes] });
    expect(result.ok && result.graph).toBe(prev.graph);
    expect(revision?.specIndices).toEqual([]);
  });
});
