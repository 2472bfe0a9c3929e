import { channelStats } from '../../core/data/channel-stats.js';
import { inputNormalizeOf } from '../../core/graph/input-normalize.js';
import { openData } from '../../core/node/data/open-data.js';
import { initEngine, type EnginePreference } from '../../core/node/engine/tf-engine.js';
import { buildTfModel } from '../../core/node/engine/tf-model.js';
import { evaluate } from '../../core/node/train/evaluate.js';
import { DatasetError } from '../../core/data/image-dataset.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { confusionTable } from './confusion-table.js';
import { openPackage } from './inspect-command.js';

/**
 * `reframe eval`: a package's accuracy on a dataset's test part (or its training part when it has
 * none). A model without its own input normalisation gets the source training part's statistics.
 */
export async function evalCommand(file: string, o: { data: string; engine: EnginePreference }): Promise<string> {
  const pkg = await openPackage(file);
  const data = await openData(o.data, { ...(pkg.graph.nodes[0] === undefined ? {} : { inputShape: pkg.graph.nodes[0].outputShape }) });
  const input = pkg.graph.nodes[0]?.outputShape ?? [];
  if (data.train.shape.join('×') !== input.join('×')) throw new DatasetError(`${data.description}: images are ${data.train.shape.join('×')} but ${pkg.graph.name} takes ${input.join('×')}`);
  const values = new Map(pkg.tensors.filter((t) => t.seeded === undefined).map((t) => [t.id, readTensor(pkg, t)]));
  const engine = await initEngine(o.engine);
  const model = buildTfModel(engine, pkg.graph, values);
  try {
    const target = data.test ?? data.train;
    // Packages from `reframe train` normalise their own input; older ones were trained on the source's statistics.
    const ev = await evaluate(engine, model, target, inputNormalizeOf(pkg.graph) === undefined ? await channelStats(data.train) : undefined);
    return [
      `${file} (${pkg.graph.name}, ${pkg.weightDtype}): ${(ev.accuracy * 100).toFixed(2)}% accuracy, loss ${ev.loss.toFixed(4)} on ${ev.images} ${data.test === undefined ? 'training' : 'test'} images of ${data.description}, with ${engine.name}`,
      '',
      confusionTable(ev.confusion, target.classes),
      '',
    ].join('\n');
  } finally {
    model.dispose();
  }
}
