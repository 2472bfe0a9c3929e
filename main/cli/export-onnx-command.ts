import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { exportOnnx } from '../../core/node/onnx/onnx-export.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { formatBytes } from '../../core/format/quantity.js';
import { openPackage } from './inspect-command.js';

/** `reframe export-onnx`: the package's model as ONNX (opset 13), seeded tensors regenerated. */
export async function exportOnnxCommand(file: string, o: { out: string }): Promise<string> {
  const pkg = await openPackage(file);
  const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  const bytes = exportOnnx(pkg.graph, values, '0.1.0');
  await writeFileAtomically(o.out, bytes);
  const input = pkg.graph.nodes[0];
  return `wrote ${o.out}: ${bytes.length.toLocaleString('en-US')} bytes (${formatBytes(bytes.length)}), ONNX opset 13, input "${input?.name}" [N,${input?.outputShape.join(',')}], inference mode (BatchNorm running statistics)\n`;
}
