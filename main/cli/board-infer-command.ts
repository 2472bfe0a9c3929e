import type * as tfc from '@tensorflow/tfjs';
import { initEngine, type EnginePreference } from '../../core/node/engine/tf-engine.js';
import { buildTfModel } from '../../core/node/engine/tf-model.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { decodePackage, type DecodedPackage } from '../../core/package/decode-package.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { boardInput, type BoardInputOptions } from './board-input.js';
import type { BoardTargetOptions } from './board-target.js';
import { withBoard } from './board-command.js';
import { CliError } from './cli-error.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';

export interface BoardInferOptions extends BoardTargetOptions, BoardInputOptions {
  readonly package?: string;
  readonly engine: EnginePreference;
  readonly json: boolean;
}

function argmax(v: Float32Array): number {
  let best = 0;
  for (let i = 1; i < v.length; i++) if ((v[i] as number) > (v[best] as number)) best = i;
  return best;
}

/** The same input through the studio's engine. */
async function studioLogits(pkg: DecodedPackage, input: Float32Array, preference: EnginePreference): Promise<{ logits: Float32Array; engine: string }> {
  const shape = pkg.graph.nodes[0]?.outputShape ?? [];
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== input.length) throw new CliError(`the input has ${input.length} values but ${pkg.graph.name} takes ${shape.join('×')} = ${size}`);
  const engine = await initEngine(preference);
  const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  const model = buildTfModel(engine, pkg.graph, values);
  try {
    const out = engine.tf.tidy(() => model.forward(engine.tf.tensor(input, [1, ...shape]), false) as tfc.Tensor);
    const logits = new Float32Array(await out.data());
    out.dispose();
    return { logits, engine: engine.name };
  } finally {
    model.dispose();
  }
}

const list = (v: Float32Array): string => `[${Array.from(v, (x) => x.toFixed(4)).join(', ')}]`;

/** `reframe board infer`: one input through the board's active model, optionally checked against the studio's. */
export async function boardInferCommand(o: BoardInferOptions): Promise<string> {
  const pkgBytes = o.package === undefined ? undefined : await readPackageFile(o.package);
  const pkg = pkgBytes === undefined ? undefined : decodePackage(pkgBytes);
  const input = await boardInput(o, pkg?.graph);
  return withBoard(o, async (b) => {
    const info = b.client.lastInfo;
    const r = await b.client.infer(input.values);
    const lines = [`${info.name}: class ${argmax(r.logits)} in ${(r.micros / 1000).toFixed(2)} ms on ${r.engine}, for ${input.description}${input.label === undefined ? '' : ` (true class ${input.label})`}`, `  logits  ${list(r.logits)}`];
    let compared: { engine: string; logits: Float32Array; maxAbsDiff: number; sameClass: boolean; boardRunsIt: boolean } | undefined;
    if (pkg !== undefined && pkgBytes !== undefined) {
      const studio = await studioLogits(pkg, input.values, o.engine);
      if (studio.logits.length !== r.logits.length) throw new CliError(`the board returned ${r.logits.length} logits, ${o.package} gives ${studio.logits.length}: the board runs another model`);
      const maxAbsDiff = r.logits.reduce((m, v, i) => Math.max(m, Math.abs(v - (studio.logits[i] as number))), 0);
      const boardRunsIt = info.active !== undefined && toHex(info.active) === toHex(fileDigest(pkgBytes));
      compared = { engine: studio.engine, logits: studio.logits, maxAbsDiff, sameClass: argmax(studio.logits) === argmax(r.logits), boardRunsIt };
      lines.push(`studio (${studio.engine}): class ${argmax(studio.logits)}; max |logit difference| ${maxAbsDiff.toExponential(2)}${compared.sameClass ? '' : ' — the classes differ'}`);
      if (!boardRunsIt) lines.push(`  note: the board's active package is not ${o.package} (push it first to compare like with like)`);
    }
    if (o.json) {
      return `${JSON.stringify({ board: info.name, engine: r.engine, micros: r.micros, input: input.description, label: input.label ?? null, logits: Array.from(r.logits), class: argmax(r.logits), studio: compared === undefined ? null : { ...compared, logits: Array.from(compared.logits), class: argmax(compared.logits) } }, null, 2)}\n`;
    }
    return `${lines.join('\n')}\n`;
  });
}
