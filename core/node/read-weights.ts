import { decodePackage } from '../package/decode-package.js';
import { readTensor } from '../package/read-tensor.js';
import { readPackageFile } from './package-files.js';
import { readSafetensors, WeightsFileError } from './safetensors.js';

/**
 * Stored tensor values from a weights file: a `.safetensors` file, or a seed package (whose learnable,
 * frozen and state tensors are read back; its seeded ones are not weights).
 */
export async function readWeightsFile(path: string): Promise<Map<string, Float32Array>> {
  if (path.endsWith('.safetensors')) return readSafetensors(path);
  if (path.endsWith('.rfpk')) {
    const pkg = decodePackage(await readPackageFile(path));
    return new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  }
  throw new WeightsFileError(`${path}: weights must be a .safetensors file or a .rfpk package`);
}
