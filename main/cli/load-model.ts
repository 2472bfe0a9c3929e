import { buildGraph } from '../../core/graph/build-graph.js';
import { readSpecFile } from '../../core/node/read-spec-file.js';
import type { LoadedSpec } from '../../core/spec/load-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { findPreset, PRESETS } from '../../core/zoo/presets.js';
import { CliError } from './cli-error.js';

/** A model argument is a preset id, or a path to a spec file when it names no preset. */
export async function loadModel(ref: string): Promise<LoadedSpec> {
  const preset = findPreset(ref);
  if (preset !== undefined) {
    const doc = preset.build();
    const built = buildGraph(doc);
    // A preset that fails its own checks is a bug in the zoo, not the user's mistake.
    if (!built.ok) throw new SpecError(built.issues);
    return { doc, graph: built.graph };
  }
  if (!ref.endsWith('.json') && !ref.includes('/')) {
    throw new CliError(`unknown preset "${ref}" (known: ${PRESETS.map((p) => p.id).join(', ')}); to read a spec file, give its path`);
  }
  return readSpecFile(ref);
}
