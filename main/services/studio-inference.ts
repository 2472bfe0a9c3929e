import type * as tfc from '@tensorflow/tfjs';
import type { DecodedPackage } from '../../core/package/decode-package.js';
import { readTensor } from '../../core/package/read-tensor.js';

/**
 * The studio's own logits for a batch of inputs, through the same engine training uses. The engine is
 * loaded on first use only: tfjs costs a second and much memory, and most sessions never need it here.
 */
export async function studioLogits(pkg: DecodedPackage, inputs: readonly Float32Array[]): Promise<{ engine: string; logits: Float32Array[] }> {
  const [{ initEngine }, { buildTfModel }] = await Promise.all([import('../../core/node/engine/tf-engine.js'), import('../../core/node/engine/tf-model.js')]);
  const engine = await initEngine('auto');
  const shape = pkg.graph.nodes[0]?.outputShape ?? [];
  const size = shape.reduce((a, b) => a * b, 1);
  const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  const model = buildTfModel(engine, pkg.graph, values);
  try {
    const batch = new Float32Array(size * inputs.length);
    inputs.forEach((x, i) => batch.set(x, i * size));
    const out = engine.tf.tidy(() => model.forward(engine.tf.tensor(batch, [inputs.length, ...shape]), false) as tfc.Tensor);
    const flat = new Float32Array(await out.data());
    out.dispose();
    const k = flat.length / inputs.length;
    return { engine: engine.name, logits: inputs.map((_, i) => flat.slice(i * k, (i + 1) * k)) };
  } finally {
    model.dispose();
  }
}
