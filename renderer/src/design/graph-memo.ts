import type { GraphRevision, ModelGraph } from '../../../core/graph/model-graph.js';

/**
 * A value worked out once per checked graph. A graph that is a revision of one already seen (a change of
 * parameter modes) gets its value by revising that one's, which costs the revised nodes only; undo and
 * redo back to a graph find its value again. Held weakly, so values go with their graphs.
 */
export class GraphMemo<T> {
  readonly #values = new WeakMap<ModelGraph, T>();
  readonly #make: (graph: ModelGraph) => T;
  readonly #revise: (earlier: T, revision: GraphRevision, graph: ModelGraph) => T;

  constructor(make: (graph: ModelGraph) => T, revise: (earlier: T, revision: GraphRevision, graph: ModelGraph) => T) {
    this.#make = make;
    this.#revise = revise;
  }

  /** `revision` says how `graph` came from an earlier graph, when it did by a change of modes. */
  of(graph: ModelGraph, revision?: GraphRevision): T {
    let value = this.#values.get(graph);
    if (value === undefined) {
      const earlier = revision === undefined ? undefined : this.#values.get(revision.from);
      value = earlier === undefined || revision === undefined ? this.#make(graph) : this.#revise(earlier, revision, graph);
      this.#values.set(graph, value);
    }
    return value;
  }
}
