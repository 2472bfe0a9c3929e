import type { ModelGraph } from '../graph/model-graph.js';
import { OPS } from '../ops/op-registry.js';
import { ACTIVATION_BYTES } from './weight-dtype.js';

export interface ActivationPlan {
  /** Bytes of each node's own output buffer (0 for views such as flatten). */
  readonly outputBytes: readonly number[];
  /** Bytes live while node i runs: its inputs, its output, its workspace and every buffer still awaited. */
  readonly liveBytes: readonly number[];
  readonly peakBytes: number;
  /** Position of the first node at which the peak is reached. */
  readonly peakAt: number;
}

/**
 * The schedule the budget assumes (docs/budget.md): nodes run one at a time in graph order; each output
 * gets its own buffer when its node starts and frees it after its last consumer has run; graph outputs
 * stay to the end; views share their input's buffer. No in-place ops, so any runtime can meet the figure.
 */
export function planActivations(graph: ModelGraph): ActivationPlan {
  const n = graph.nodes.length;
  const owner = new Int32Array(n); // the node whose buffer node i's output lives in
  const size = new Float64Array(n);
  const workspace = new Float64Array(n);
  const outputBytes: number[] = [];
  graph.nodes.forEach((node, i) => {
    const mem = OPS[node.op].memory(node.attrs, node.inputShapes, node.outputShape);
    const alias = mem.aliasesInput ? node.inputs[0] : undefined;
    owner[i] = alias === undefined ? i : (owner[alias] as number);
    size[i] = alias === undefined ? mem.outputElements * ACTIVATION_BYTES : 0;
    workspace[i] = mem.workspaceElements * ACTIVATION_BYTES;
    outputBytes.push(size[i] as number);
  });

  const lastUse = Int32Array.from({ length: n }, (_, i) => i);
  graph.nodes.forEach((node, i) => {
    for (const input of node.inputs) {
      const buffer = owner[input] as number;
      lastUse[buffer] = Math.max(lastUse[buffer] as number, i);
    }
  });
  for (const out of graph.outputs) lastUse[owner[out] as number] = n;

  const freedAfter: number[][] = Array.from({ length: n + 1 }, () => []);
  for (let b = 0; b < n; b++) if (owner[b] === b) freedAfter[lastUse[b] as number]?.push(b);

  const liveBytes: number[] = [];
  let live = 0;
  let peakBytes = 0;
  let peakAt = 0;
  for (let i = 0; i < n; i++) {
    live += size[i] as number;
    const during = live + (workspace[i] as number);
    liveBytes.push(during);
    if (during > peakBytes) {
      peakBytes = during;
      peakAt = i;
    }
    for (const b of freedAfter[i] ?? []) live -= size[b] as number;
  }
  return { outputBytes, liveBytes, peakBytes, peakAt };
}
