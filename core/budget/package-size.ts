import type { ModelGraph } from '../graph/model-graph.js';
import type { WeightDtype } from './weight-dtype.js';
import { BYTES_PER_ELEMENT } from './weight-dtype.js';

export interface PackageSize {
  readonly bytes: number;
  /** False while the figure is an estimate; the package codec supplies an exact sizer. */
  readonly exact: boolean;
}

/** Sizes the seed package a graph would pack to; injected so the budget stays independent of the codec. */
export type PackageSizer = (graph: ModelGraph, dtype: WeightDtype) => PackageSize;

const HEADER_BYTES = 64;
const BYTES_PER_NODE = 48;
const BYTES_PER_TENSOR_ENTRY = 96;
const INTEGRITY_BYTES = 64;

/**
 * An upper-end estimate until the package format lands: fixed header and integrity trailer, a graph
 * record per node, a table entry per tensor, data for learnable and frozen tensors at the chosen width
 * (int8 adds one float32 scale per output channel), BN running statistics in float32, nothing for seeds.
 */
export const estimatePackageSize: PackageSizer = (graph, dtype) => {
  let bytes = HEADER_BYTES + INTEGRITY_BYTES + graph.nodes.length * BYTES_PER_NODE;
  for (const node of graph.nodes) {
    bytes += node.stateElements * 4;
    if (node.stateElements > 0) bytes += BYTES_PER_TENSOR_ENTRY;
    for (const t of node.params) {
      bytes += BYTES_PER_TENSOR_ENTRY;
      if (t.spec.mode === 'seeded') continue;
      bytes += t.elements * BYTES_PER_ELEMENT[dtype];
      if (dtype === 'int8') bytes += (t.shape[0] ?? 1) * 4;
    }
  }
  return { bytes, exact: false };
};
