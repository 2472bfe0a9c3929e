import { buildGraph } from '../graph/build-graph.js';
import type { ModelGraph } from '../graph/model-graph.js';
import type { SpecNode } from '../spec/spec-document.js';

/** A five-node graph small enough to work out every budget figure by hand (see the budget tests). */
export function handCountedGraph(): ModelGraph {
  const nodes: SpecNode[] = [
    { name: 'x', op: 'input', shape: [1, 4, 4] },
    {
      name: 'a',
      op: 'conv',
      inputs: ['x'],
      outChannels: 2,
      kernel: 3,
      padding: 1,
      bias: false,
      params: { weight: { mode: 'seeded', dist: 'normal', init: 'kaiming', gain: 1, seed: '0x1' } },
    },
    { name: 'b', op: 'relu', inputs: ['a'] },
    { name: 'c', op: 'add', inputs: ['b', 'a'] },
    { name: 'f', op: 'flatten', inputs: ['c'] },
    { name: 'y', op: 'dense', inputs: ['f'], outFeatures: 3, bias: true, params: { bias: { mode: 'frozen' } } },
  ];
  const built = buildGraph({ format: 'reframe-spec', version: 1, name: 'hand', nodes, outputs: ['y'] });
  if (!built.ok) throw new Error(built.issues.map((i) => i.message).join('\n'));
  return built.graph;
}
