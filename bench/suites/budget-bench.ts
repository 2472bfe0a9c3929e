import { Bench } from 'tinybench';
import { computeBudget } from '../../core/budget/compute-budget.js';
import { buildGraph } from '../../core/graph/build-graph.js';
import { readSpecDocument } from '../../core/spec/read-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import type { BenchFigure } from '../bench-result.js';

/**
 * The studio recomputes the budget on every edit: schema check, graph and shape inference, then the
 * budget itself. Both the whole recompute and the budget step alone are timed on resnet18-cifar.
 */
export async function budgetBench(): Promise<BenchFigure[]> {
  const doc = findPreset('resnet18-cifar')!.build();
  const built = buildGraph(doc);
  if (!built.ok) throw new Error('resnet18-cifar must build');
  const graph = built.graph;
  const bench = new Bench({ time: 1000, warmupTime: 200 });
  bench
    .add('recompute', () => {
      const read = readSpecDocument(doc);
      if (!read.ok) throw new Error('spec must read');
      const g = buildGraph(read.doc);
      if (!g.ok) throw new Error('graph must build');
      computeBudget(g.graph);
    })
    .add('budget-only', () => {
      computeBudget(graph);
    });
  await bench.run();

  const figure = (taskName: string, name: string, goal?: BenchFigure['goal']): BenchFigure => {
    const task = bench.getTask(taskName);
    const result = task?.result;
    if (result === undefined || !('latency' in result)) throw new Error(`benchmark ${taskName} did not finish`);
    return {
      suite: 'budget',
      name,
      value: result.latency.mean,
      unit: 'ms',
      ...(goal === undefined ? {} : { goal }),
      engine: `node ${process.version}`,
      detail: { p50: result.latency.p50, p99: result.latency.p99, samples: result.latency.samplesCount, layers: graph.nodes.length },
    };
  };
  return [
    figure('recompute', 'budget recompute, resnet18-cifar (validate + graph + budget)', { op: '<=', value: 5 }),
    figure('budget-only', 'budget only, resnet18-cifar (graph already built)'),
  ];
}
