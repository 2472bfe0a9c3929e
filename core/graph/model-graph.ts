import type { Shape } from '../ops/op-def.js';
import type { OpName } from '../ops/op-registry.js';
import type { ParamSpec } from '../spec/param-spec.js';
import type { SpecDocument } from '../spec/spec-document.js';

/** One parameter tensor with its mode resolved (an omitted mode is learnable). */
export interface ParamTensor {
  /** `node.param`, unique in the model, e.g. `layer1.0.nl1.conv.weight`. */
  readonly id: string;
  readonly param: string;
  readonly shape: Shape;
  readonly elements: number;
  readonly spec: ParamSpec;
}

export interface GraphNode {
  /** Position of the node in the spec's `nodes` array, for error paths. */
  readonly specIndex: number;
  readonly name: string;
  readonly op: OpName;
  /** The op's attributes with defaults applied; only that op's functions read them. */
  readonly attrs: unknown;
  /** Positions in `ModelGraph.nodes` of this node's inputs, in order. */
  readonly inputs: readonly number[];
  readonly inputShapes: readonly Shape[];
  readonly outputShape: Shape;
  readonly params: readonly ParamTensor[];
  readonly stateElements: number;
}

/** The validated, shape-inferred model: nodes in execution order, every input before its consumers. */
export interface ModelGraph {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  /** Positions in `nodes` of the graph outputs. */
  readonly outputs: readonly number[];
  readonly doc: SpecDocument;
}

/**
 * How a graph came from an earlier one when only parameter modes changed: the same nodes, shapes and
 * wiring, with the tensors of the nodes at these spec indices resolved again. Whatever depends only on
 * the structure (shapes, MACs, activation memory) carries over; sizes change by those nodes alone.
 */
export interface GraphRevision {
  readonly from: ModelGraph;
  readonly specIndices: readonly number[];
}
