import { describe, expect, it } from 'vitest';
import type { ModelGraph } from '../../../core/graph/model-graph.js';
import { GraphMemo } from './graph-memo.js';

const graph = (name: string) => ({ name, nodes: [], outputs: [], doc: { format: 'reframe-spec', version: 1, name, nodes: [], outputs: [] } }) as ModelGraph;

describe('GraphMemo', () => {
  it('makes a value once per graph, revises from an earlier graph it knows, and makes anew from one it does not', () => {
    const calls: string[] = [];
    const memo = new GraphMemo(
      (g) => (calls.push(`make ${g.name}`), g.name),
      (earlier, r, g) => (calls.push(`revise ${earlier} → ${g.name} at ${r.specIndices.join(',')}`), `${earlier}+${g.name}`),
    );
    const [a, b, c, stranger] = [graph('a'), graph('b'), graph('c'), graph('x')];
    expect(memo.of(a)).toBe('a');
    expect(memo.of(a)).toBe('a');
    expect(memo.of(b, { from: a, specIndices: [3] })).toBe('a+b');
    expect(memo.of(c, { from: stranger, specIndices: [1] })).toBe('c');
    // Undo back to a graph finds its value again, whatever revision is passed along.
    expect(memo.of(b, { from: c, specIndices: [9] })).toBe('a+b');
    expect(calls).toEqual(['make a', 'revise a → b at 3', 'make c']);
  });
});
