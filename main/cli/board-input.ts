import { readFile } from 'node:fs/promises';
import { channelStats } from '../../core/data/channel-stats.js';
import { DatasetError, imageBytes } from '../../core/data/image-dataset.js';
import { inputNormalizeOf } from '../../core/graph/input-normalize.js';
import type { ModelGraph } from '../../core/graph/model-graph.js';
import { openData } from '../../core/node/data/open-data.js';
import { CliError } from './cli-error.js';

export interface BoardInputOptions {
  /** A file of float32 little-endian values, in the model's NCHW order. */
  readonly input?: string;
  /** `demo` or a dataset folder, with `index`. */
  readonly data?: string;
  readonly index?: string;
}

export interface BoardInput {
  readonly values: Float32Array;
  /** What it is, for the report. */
  readonly description: string;
  /** The true class, for a dataset image. */
  readonly label: string | undefined;
}

async function fromFile(file: string): Promise<BoardInput> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    throw new CliError(`cannot read --input ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (bytes.length === 0 || bytes.length % 4 !== 0) throw new CliError(`--input ${file}: ${bytes.length} bytes is not a whole number of float32 values`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const values = Float32Array.from({ length: bytes.length / 4 }, (_, i) => view.getFloat32(i * 4, true));
  return { values, description: `${file} (${values.length} values)`, label: undefined };
}

/**
 * One dataset image as the model takes it, normalised as `reframe eval` does: a model that
 * normalises its own input gets raw pixel values; an older one gets the training part's statistics.
 */
async function fromData(source: string, indexText: string | undefined, graph: ModelGraph): Promise<BoardInput> {
  const index = Number(indexText ?? '0');
  const shape = graph.nodes[0]?.outputShape;
  const data = await openData(source, shape === undefined ? {} : { inputShape: shape });
  const part = data.test ?? data.train;
  if (!Number.isInteger(index) || index < 0 || index >= part.length) throw new CliError(`--index ${indexText}: expected 0 to ${part.length - 1} (${part.length} images in ${data.description})`);
  if (shape !== undefined && part.shape.join('×') !== shape.join('×')) throw new DatasetError(`${data.description}: images are ${part.shape.join('×')} but ${graph.name} takes ${shape.join('×')}`);
  const [c, h, w] = part.shape;
  const raw = new Uint8Array(imageBytes(part.shape));
  const labels = new Int32Array(1);
  await part.readBatch([index], raw, labels);
  const stats = inputNormalizeOf(graph) === undefined ? await channelStats(data.train) : undefined;
  const values = new Float32Array(raw.length);
  for (let ch = 0; ch < c; ch++) {
    const std = stats?.std[ch] ?? 1;
    const scale = stats === undefined ? 1 : 1 / (255 * std);
    const shift = stats === undefined ? 0 : (stats.mean[ch] ?? 0) / std;
    for (let p = ch * h * w; p < (ch + 1) * h * w; p++) values[p] = (raw[p] as number) * scale - shift;
  }
  return { values, description: `image ${index} of ${data.test === undefined ? 'the training part of' : 'the test part of'} ${data.description}`, label: part.classes[labels[0] as number] };
}

/** The input an INFER sends: a float32 file, or a dataset image (which needs the package for shape and normalisation). */
export function boardInput(o: BoardInputOptions, graph: ModelGraph | undefined): Promise<BoardInput> {
  if ((o.input === undefined) === (o.data === undefined)) throw new CliError('give the input with --input <file of float32> or --data <demo|folder> --index <i>, one of them');
  if (o.input !== undefined) {
    if (o.index !== undefined) throw new CliError('--index goes with --data, not --input');
    return fromFile(o.input);
  }
  if (graph === undefined) throw new CliError("--data needs --package <pkg.rfpk>: the studio takes the image's size and normalisation from the model");
  return fromData(o.data as string, o.index, graph);
}
