import { computeBudget } from '../../core/budget/compute-budget.js';
import type { WeightDtype } from '../../core/budget/weight-dtype.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { loadSigner } from '../../core/node/package-keys.js';
import { readWeightsFile } from '../../core/node/read-weights.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { mergeValues } from '../../core/package/initial-values.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { formatBytes } from '../../core/format/quantity.js';
import { loadModel } from './load-model.js';
import { inputNormalizeOf, withInputNormalize } from '../../core/graph/input-normalize.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';

export interface PackOptions {
  readonly weights?: string;
  readonly dtype: WeightDtype;
  readonly sign?: string;
  readonly spec: boolean;
  readonly out: string;
}

/** `reframe pack`: builds, re-reads (every check) and only then writes the package, atomically. */
export async function packCommand(model: string, o: PackOptions): Promise<string> {
  let { graph } = await loadModel(model);
  // A trained package's input normalises raw pixels; re-packing its weights must keep that, or the
  // new package would expect inputs normalised outside it.
  const carried = o.weights?.endsWith('.rfpk') === true && inputNormalizeOf(graph) === undefined ? inputNormalizeOf(decodePackage(await readPackageFile(o.weights)).graph) : undefined;
  if (carried !== undefined) graph = withInputNormalize(graph, carried);
  const values = mergeValues(graph, o.weights === undefined ? new Map() : await readWeightsFile(o.weights));
  const signer = o.sign === undefined ? undefined : await loadSigner(o.sign);
  const bytes = encodePackage(graph, values, { dtype: o.dtype, includeSpec: o.spec, ...(signer === undefined ? {} : { signer }) });
  const pkg = decodePackage(bytes);
  await writeFileAtomically(o.out, bytes);
  const full = computeBudget(graph).totals.fullModelBytes;
  const seeded = pkg.tensors.filter((t) => t.seeded !== undefined).length;
  return [
    `wrote ${o.out}: ${bytes.length.toLocaleString('en-US')} bytes (${formatBytes(bytes.length)}), ${((100 * bytes.length) / full).toFixed(1)}% of the fp32 model (${formatBytes(full)})`,
    `  ${pkg.tensors.length} tensors (${seeded} seeded), weights ${o.dtype}${o.weights === undefined ? ' (untrained: default initial values)' : ` from ${o.weights}`}${carried === undefined ? '' : ', with its input normalisation'}`,
    `  sha256 ${toHex(pkg.digest)} (content)${signer === undefined ? '' : `, signed by key ${signer.keyIdHex}`}; file sha256 ${toHex(fileDigest(bytes))} (what boards name it by)`,
    '',
  ].join('\n');
}
