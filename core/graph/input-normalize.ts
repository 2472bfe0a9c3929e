import type { ChannelStats } from '../data/channel-stats.js';
import type { InputAttrs, InputNormalize } from '../ops/input.js';
import { checkSpecValue } from '../spec/load-spec.js';
import { SpecError } from '../spec/spec-issue.js';
import type { ModelGraph } from './model-graph.js';

/** The first input's normalisation, if the model normalises its own input. */
export function inputNormalizeOf(graph: ModelGraph): InputNormalize | undefined {
  const input = graph.nodes.find((n) => n.op === 'input');
  return input === undefined ? undefined : (input.attrs as InputAttrs).normalize;
}

/**
 * Dataset statistics (on the 0..1 scale of pixel ÷ 255) as the model's own normalisation of raw pixel
 * values 0..255, so a package carries it and a board feeds what its camera gives. A channel that never
 * varies keeps std 1 rather than dividing by zero.
 */
export function pixelNormalize(stats: ChannelStats): InputNormalize {
  return {
    mean: stats.mean.map((m) => m * 255),
    std: stats.std.map((s) => (s > 0 ? s * 255 : 1)),
  };
}

/** The model with its first input normalising raw values as given, checked like any spec. */
export function withInputNormalize(graph: ModelGraph, normalize: InputNormalize): ModelGraph {
  const at = graph.doc.nodes.findIndex((n) => n.op === 'input');
  if (at < 0) throw new Error(`${graph.name} has no input to normalise`);
  const nodes = graph.doc.nodes.map((n, i) => (i === at ? { ...n, normalize: { mean: [...normalize.mean], std: [...normalize.std] } } : n));
  const result = checkSpecValue({ ...graph.doc, nodes });
  if (!result.ok) throw new SpecError(result.issues);
  return result.graph;
}
