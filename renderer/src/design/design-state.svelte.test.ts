import { describe, expect, it } from 'vitest';
import { serializeSpec } from '../../../core/spec/serialize-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { DesignState } from './design-state.svelte.js';

const GROUPS_ERROR = [
  '{',
  '  "format": "reframe-spec",',
  '  "version": 1,',
  '  "name": "broken",',
  '  "nodes": [',
  '    {"name": "x", "op": "input", "shape": [64, 8, 8]},',
  '    {"name": "conv", "op": "conv", "inputs": ["x"], "outChannels": 6, "kernel": 3, "padding": 1, "groups": 3, "bias": false},',
  '    {"name": "relu", "op": "relu", "inputs": ["conv"]}',
  '  ],',
  '  "outputs": ["relu"]',
  '}',
].join('\n');

const modeOf = (d: DesignState, key: string) => d.layers.find((l) => l.key === key)?.mode;

describe('DesignState', () => {
  it('shows a preset as stages and blocks of conv and dense layers', () => {
    const d = new DesignState('resnet8-fashion');
    expect(d.issues).toEqual([]);
    expect(d.stages.map((s) => s.stage)).toEqual(['stem', 'layer1', 'layer2', 'layer3', 'head']);
    expect(d.stages[2]?.blocks.map((b) => b.block)).toEqual(['block 0']);
    expect(d.stages[2]?.blocks[0]?.layers.map((l) => l.key)).toEqual(['layer2.0.conv1', 'layer2.0.conv2', 'layer2.0.shortcut.conv']);
    expect(d.layers.find((l) => l.key === 'layer2.0.conv1')).toMatchObject({ detail: '3×3 conv 16→32 /2 · out 32×14×14', params: 16 * 32 * 9, canBeNl: true });
    expect(d.layers.find((l) => l.key === 'fc')).toMatchObject({ op: 'dense', canBeNl: false, mode: { kind: 'learnable' } });
  });

  it('sets a mode, and undo and redo walk the stack of documents', () => {
    const d = new DesignState('resnet8-fashion');
    const before = d.graph;
    d.setMode('layer1.0.conv1', { kind: 'seeded', dist: 'sign' });
    expect(modeOf(d, 'layer1.0.conv1')).toEqual({ kind: 'seeded', dist: 'sign' });
    expect(d.graph).not.toBe(before);
    expect(d.graph?.nodes.find((n) => n.name === 'layer1.0.conv1')?.params[0]?.spec).toMatchObject({ mode: 'seeded', dist: 'sign', init: 'kaiming', fan: 'fan_in' });
    d.setMode('fc', { kind: 'frozen' });
    expect(d.undoLabel).toBe('fc: frozen');

    d.undo();
    expect(modeOf(d, 'fc')).toEqual({ kind: 'learnable' });
    expect(modeOf(d, 'layer1.0.conv1')).toEqual({ kind: 'seeded', dist: 'sign' });
    d.undo();
    expect(modeOf(d, 'layer1.0.conv1')).toEqual({ kind: 'learnable' });
    expect(d.canUndo).toBe(false);
    d.redo();
    expect(modeOf(d, 'layer1.0.conv1')).toEqual({ kind: 'seeded', dist: 'sign' });
    expect(d.redoLabel).toBe('fc: frozen');

    // A new edit after an undo drops the states that were ahead.
    d.setMode('fc', { kind: 'seeded', dist: 'uniform' });
    expect(d.canRedo).toBe(false);
    expect(modeOf(d, 'fc')).toEqual({ kind: 'seeded', dist: 'uniform' });
  });

  it('re-checks only what a mode change touched: the other rows stay the same objects, and undo finds the earlier graph', () => {
    const d = new DesignState('resnet18-cifar');
    const graph = d.graph;
    const rows = d.layers;
    d.setMode('layer4.1.conv2', { kind: 'seeded', dist: 'normal' });
    expect(d.revision).toEqual({ from: graph, specIndices: [rows.find((l) => l.key === 'layer4.1.conv2')!.specIndices[0]] });
    expect(d.layers.filter((l, i) => l !== rows[i]).map((l) => l.key)).toEqual(['layer4.1.conv2']);
    d.undo();
    expect(d.graph).toBe(graph);
    expect(d.layers).toBe(rows);
    // A change of structure is checked in full.
    d.setMode('layer4.1.conv2', { kind: 'nl', cnl: 'dw', dist: 'normal' });
    expect(d.revision).toBeUndefined();
  });

  it('replaces a block conv with an NL module, changes its Cnl keeping its seed, and turns it back', () => {
    const d = new DesignState('resnet8-fashion');
    d.setMode('layer1.0.conv2', { kind: 'nl', cnl: 'dw', dist: 'normal' });
    expect(d.layers.map((l) => l.key)).toContain('layer1.0.nl2');
    expect(d.layers.map((l) => l.key)).not.toContain('layer1.0.conv2');
    const seededConv = () => d.doc?.nodes.find((n) => n.name === 'layer1.0.nl2.conv');
    // The second block-conv slot of the model: the zoo's base seed + 1.
    expect(seededConv()).toMatchObject({ outChannels: 16, groups: 16, params: { weight: { mode: 'seeded', dist: 'normal', seed: '0x0000000000005eee' } } });

    d.setMode('layer1.0.nl2', { kind: 'nl', cnl: 512, dist: 'uniform' });
    expect(modeOf(d, 'layer1.0.nl2')).toEqual({ kind: 'nl', cnl: 512, dist: 'uniform' });
    expect(seededConv()).toMatchObject({ outChannels: 512, groups: 16, params: { weight: { dist: 'uniform', seed: '0x0000000000005eee' } } });

    d.setMode('layer1.0.nl2', { kind: 'learnable' });
    expect(serializeSpec(d.doc!)).toBe(serializeSpec(findPreset('resnet8-fashion')!.build()));
  });

  it('opens a file that does not check and shows each issue beside the layer its path names', () => {
    const d = new DesignState('tiny');
    d.openText('/tmp/broken.json', GROUPS_ERROR);
    expect(d.graph).toBeUndefined();
    expect(d.source).toEqual({ kind: 'file', path: '/tmp/broken.json' });
    const conv = d.layers.find((l) => l.specIndices.includes(1));
    expect(conv?.issues).toEqual([{ code: 'shape', path: 'nodes[1].groups', message: '3 does not divide in_channels 64', line: 7, column: 98 }]);
    expect(conv?.target).toBeUndefined();
    expect(d.documentIssues).toEqual([]);

    d.setMode(conv!.key, { kind: 'learnable' });
    expect(d.notice).toMatch(/^Fix the problems/);
    d.undo();
    expect(d.name).toBe('tiny');
    expect(d.issues).toEqual([]);
  });

  it('puts problems no layer owns above the list, with line and column', () => {
    const d = new DesignState('tiny');
    d.openText('bad.json', GROUPS_ERROR.replace('"outputs": ["relu"]', '"outputs": ["nope"]').replace('"groups": 3', '"groups": 1'));
    expect(d.documentIssues).toEqual([{ code: 'dangling-input', path: 'outputs[0]', message: 'no node named "nope"', line: 10, column: 15 }]);

    d.openText('syntax.json', GROUPS_ERROR.replace('"inputs": ["conv"]}', '"inputs": ["conv"],}'));
    expect(d.documentIssues).toMatchObject([{ code: 'json-syntax', path: '', line: 8 }]);
    // What a tolerant parse can read still lists the layers.
    expect(d.layers.map((l) => l.op)).toEqual(['conv']);
  });

  it('knows when the document differs from the file it was opened from or saved to', () => {
    const d = new DesignState('tiny');
    expect(d.specText()).toBe(serializeSpec(findPreset('tiny')!.build()));
    d.openText('a.json', d.specText()!);
    expect(d.dirty).toBe(false);
    d.setMode('fc', { kind: 'frozen' });
    expect(d.dirty).toBe(true);
    d.markSaved('b.json');
    expect(d.dirty).toBe(false);
    expect(d.source).toEqual({ kind: 'file', path: 'b.json' });
    d.undo();
    expect(d.dirty).toBe(true);
  });

  it('says why a mode cannot be set instead of throwing', () => {
    const d = new DesignState('tiny');
    d.setMode('conv1', { kind: 'nl', cnl: 'dw', dist: 'normal' });
    expect(d.notice).toMatch(/^conv1 cannot be NL module .*not a 3x3 block conv/);
    expect(d.canUndo).toBe(false);
    d.setMode('nope', { kind: 'frozen' });
    expect(d.notice).toBe('no layer "nope" in this model');
  });
});
