import { describe, expect, it } from 'vitest';
import { checkSpecText, loadSpecText } from './load-spec.js';
import { SpecError, formatSpecIssue } from './spec-issue.js';

const spec = (nodes: string[], outputs = '["y"]') =>
  ['{', '  "format": "reframe-spec",', '  "version": 1,', '  "name": "t",', '  "nodes": [', nodes.map((n) => `    ${n}`).join(',\n'), '  ],', `  "outputs": ${outputs}`, '}'].join('\n');

describe('checkSpecText', () => {
  it('points at the line and column of the offending value', () => {
    const text = spec(['{"name": "x", "op": "input", "shape": [64, 8, 8]}', '{"name": "y", "op": "conv", "inputs": ["x"], "outChannels": 6, "kernel": 3, "groups": 3, "bias": false}']);
    const result = checkSpecText(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.issues).toEqual([{ code: 'shape', path: 'nodes[1].groups', message: '3 does not divide in_channels 64', line: 7, column: 81 }]);
    expect(formatSpecIssue(result.issues[0]!)).toBe('nodes[1].groups: 3 does not divide in_channels 64 (line 7, column 81)');
  });

  it('reports every schema problem at once', () => {
    const text = spec(['{"name": "x", "op": "input", "shape": [1, 8, 8]}', '{"name": "y", "op": "conv", "inputs": ["x"], "outChannels": 0, "kernel": "3", "bias": false, "strides": 2}']);
    const result = checkSpecText(text);
    if (result.ok) throw new Error('must fail');
    expect(result.issues.map((i) => `${i.path}: ${i.message}`)).toEqual([
      'nodes[1].outChannels: must be ≥ 1, got 0',
      'nodes[1].kernel: "3" is not a valid value here',
      'nodes[1].strides: unknown field',
    ]);
  });

  it('does not cascade: nodes after a broken one are not blamed', () => {
    const text = spec([
      '{"name": "x", "op": "input", "shape": [3, 8, 8]}',
      '{"name": "a", "op": "conv", "inputs": ["x"], "outChannels": 4, "kernel": 3, "groups": 2, "bias": false}',
      '{"name": "y", "op": "relu", "inputs": ["a"]}',
    ]);
    const result = checkSpecText(text);
    if (result.ok) throw new Error('must fail');
    expect(result.issues.map((i) => i.path)).toEqual(['nodes[1].groups']);
  });

  it('accepts nodes in any order and runs them inputs-first', () => {
    const text = spec(['{"name": "y", "op": "relu", "inputs": ["x"]}', '{"name": "x", "op": "input", "shape": [2]}']);
    const { graph } = loadSpecText(text);
    expect(graph.nodes.map((n) => n.name)).toEqual(['x', 'y']);
    expect(graph.nodes[1]!.specIndex).toBe(0);
  });

  it('throws a SpecError that lists each problem on its own line', () => {
    expect(() => loadSpecText('{"format": "reframe-spec"')).toThrow(SpecError);
    try {
      loadSpecText(spec(['{"name": "x", "op": "input", "shape": [2]}'], '["nope", "x"]'));
    } catch (error) {
      expect((error as SpecError).message).toBe('The model spec has a problem:\n  outputs[0]: no node named "nope" (line 8, column 15)');
    }
  });

  it('keeps __proto__ keys as data', () => {
    const result = checkSpecText(spec(['{"name": "x", "op": "input", "shape": [2], "__proto__": {"polluted": true}}']));
    expect(result.ok).toBe(false);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});
