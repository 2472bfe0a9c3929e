import { readSpecFile } from '../../core/node/read-spec-file.js';
import { checkSpecValue, type LoadedSpec } from '../../core/spec/load-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { findPreset, PRESETS } from '../../core/zoo/presets.js';
import { CliError } from './cli-error.js';

/** A model argument is a preset id, or a path to a spec file when it names no preset. */
export async function loadModel(ref: string): Promise<LoadedSpec> {
  const preset = findPreset(ref);
  if (preset !== undefined) {
    // Presets go through every check a file would; one that fails is a bug in the zoo.
    const result = checkSpecValue(preset.build());
    if (!result.ok) throw new SpecError(result.issues);
    return { doc: result.doc, graph: result.graph };
  }
  if (!ref.endsWith('.json') && !ref.includes('/')) {
    throw new CliError(`unknown preset "${ref}" (known: ${PRESETS.map((p) => p.id).join(', ')}); to read a spec file, give its path`);
  }
  return readSpecFile(ref);
}
