import { stat } from 'node:fs/promises';
import { SingleBar } from 'cli-progress';
import type { WeightDtype } from '../../core/budget/weight-dtype.js';
import { openData } from '../../core/node/data/open-data.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import type { EnginePreference } from '../../core/node/engine/tf-engine.js';
import type { OptimizerName } from '../../core/node/train/optimizer.js';
import type { ScheduleName } from '../../core/node/train/lr-schedule.js';
import { runTrainingInWorker } from '../../core/node/train/run-training.js';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import { withInputNormalize } from '../../core/graph/input-normalize.js';
import { encodePackage } from '../../core/package/encode-package.js';
import { formatBytes } from '../../core/format/quantity.js';
import { CliError } from './cli-error.js';
import { confusionTable } from './confusion-table.js';
import { loadModel } from './load-model.js';
import { trainOnCloud } from './cloud-train.js';

export interface TrainCommandOptions {
  readonly data: string;
  readonly epochs: string;
  readonly batch: string;
  readonly lr: string;
  readonly optimizer: OptimizerName;
  readonly momentum: string;
  readonly weightDecay: string;
  readonly schedule: ScheduleName;
  readonly augment: boolean;
  readonly engine: EnginePreference;
  readonly seed: string;
  readonly weights?: string;
  readonly checkpoint?: string;
  readonly resume: boolean;
  readonly dtype: WeightDtype;
  readonly out: string;
  /** Train on a cloud service instead of this machine (token from --token or REFRAME_CLOUD_TOKEN). */
  readonly cloud?: string;
  readonly token?: string;
}

function number(value: string, flag: string, integer: boolean): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new CliError(`${flag} must be a ${integer ? 'whole ' : ''}number ≥ 0, got "${value}"`);
  return n;
}

const seconds = (s: number) => (s < 90 ? `${s.toFixed(0)} s` : `${(s / 60).toFixed(1)} min`);

function checkCloudOptions(o: TrainCommandOptions): void {
  const local = [o.weights === undefined ? undefined : '--weights', o.checkpoint === undefined ? undefined : '--checkpoint', o.resume ? '--resume' : undefined].filter((f) => f !== undefined);
  if (local.length > 0) throw new CliError(`${local.join(', ')} ${local.length === 1 ? 'is' : 'are'} for local training; a cloud job keeps its own checkpoints and resumes by itself after a worker stops`);
  cloudToken(o);
}

function cloudToken(o: TrainCommandOptions): string {
  const token = o.token ?? process.env['REFRAME_CLOUD_TOKEN'];
  if (token === undefined || token === '') throw new CliError('--cloud needs a token: --token <token> or REFRAME_CLOUD_TOKEN (create one with `reframe cloud token create <name>` where the service runs)');
  return token;
}

async function isLocalData(source: string): Promise<boolean> {
  return source === 'demo' || (await stat(source).then(() => true, () => false));
}

/** `reframe train`: trains, shows progress, writes the package. Progress goes to stderr, the summary to stdout. */
export async function trainCommand(model: string, o: TrainCommandOptions, signal?: AbortSignal): Promise<string> {
  if (o.resume && o.checkpoint === undefined) throw new CliError('--resume needs --checkpoint <dir>');
  const epochs = number(o.epochs, '--epochs', true);
  const batchSize = number(o.batch, '--batch', true);
  if (epochs < 1 || batchSize < 1) throw new CliError('--epochs and --batch must be at least 1');
  const { graph, doc } = await loadModel(model);
  if (o.cloud !== undefined) checkCloudOptions(o);
  // Opened here too, to describe it and to report problems before a worker starts (a cloud job's
  // data may live on the service: "service:<name>").
  const data = o.cloud !== undefined && !(await isLocalData(o.data)) ? undefined : await openData(o.data, { ...(graph.nodes[0] === undefined ? {} : { inputShape: graph.nodes[0].outputShape }) });
  const bar = new SingleBar(
    { format: '{phase} |{bar}| {value}/{total} steps · loss {loss} · acc {acc} · {speed} img/s · ETA {eta_formatted}', stream: process.stderr, hideCursor: true, etaBuffer: 50 },
  );
  let line = '';
  const onEvent = (e: TrainEvent) => {
    if (e.type === 'start') {
      line = `training ${graph.name} on ${data?.description ?? o.data} with ${e.engine}${o.cloud === undefined ? '' : ` on ${o.cloud}`}: ${e.trainImages} images, ${e.stepsPerEpoch} steps per epoch, evaluated on ${e.evalImages} ${e.evalName} images`;
      process.stderr.write(`${line}\n`);
      bar.start((e.epochs - e.firstEpoch) * e.stepsPerEpoch, 0, { phase: `epoch ${e.firstEpoch + 1}/${e.epochs}`, loss: '-', acc: '-', speed: '-' });
    } else if (e.type === 'step') {
      bar.increment({ phase: `epoch ${e.epoch + 1}/${epochs}`, loss: e.loss.toFixed(3), acc: `${(e.accuracy * 100).toFixed(1)}%`, speed: e.imagesPerSecond.toFixed(0) });
    } else {
      const r = e.report;
      bar.stop();
      process.stderr.write(`epoch ${r.epoch + 1}: train loss ${r.trainLoss.toFixed(4)} acc ${(r.trainAccuracy * 100).toFixed(2)}%, eval loss ${r.evalLoss.toFixed(4)} acc ${(r.evalAccuracy * 100).toFixed(2)}%, lr ${r.lr.toPrecision(3)}, ${seconds(r.seconds)}${e.checkpoint === undefined ? '' : `, checkpoint ${e.checkpoint}`}\n`);
      if (r.epoch + 1 < epochs) bar.start(bar.getTotal(), bar.getProgress() * bar.getTotal(), { phase: `epoch ${r.epoch + 2}/${epochs}` });
    }
  };
  const started = performance.now();
  if (o.cloud !== undefined) {
    const settings = {
      epochs,
      batchSize,
      lr: number(o.lr, '--lr', false),
      optimizer: { name: o.optimizer, momentum: number(o.momentum, '--momentum', false), weightDecay: number(o.weightDecay, '--weight-decay', false) },
      schedule: o.schedule,
      augment: o.augment,
      seed: o.seed,
      engine: o.engine,
      dtype: o.dtype,
    };
    let r;
    try {
      r = await trainOnCloud({ url: o.cloud, token: cloudToken(o), spec: doc, data: o.data, settings, out: o.out }, onEvent, (l) => process.stderr.write(`${l}\n`), signal);
    } finally {
      bar.stop();
    }
    const c = r.outcome;
    return [
      `${graph.name}: ${(c.accuracy * 100).toFixed(2)}% accuracy on ${c.evalImages} images (loss ${c.loss.toFixed(4)}) after ${c.epochs} epoch(s) in ${seconds((performance.now() - started) / 1000)} (${seconds(c.seconds)} on the service, ${c.engine}); job ${r.jobId}`,
      `wrote ${o.out}: ${r.bytes.toLocaleString('en-US')} bytes (${formatBytes(r.bytes)}), weights ${o.dtype}, sha256 ${c.packageSha256}`,
      '',
    ].join('\n');
  }
  if (data === undefined) throw new CliError(`--data ${o.data}: not found on this machine`);
  let result;
  try {
    result = await runTrainingInWorker(
      {
        spec: doc,
        data: o.data,
        epochs,
        batchSize,
        lr: number(o.lr, '--lr', false),
        optimizer: { name: o.optimizer, momentum: number(o.momentum, '--momentum', false), weightDecay: number(o.weightDecay, '--weight-decay', false) },
        schedule: { name: o.schedule },
        // The standard recipes: CIFAR pads 4 around 32 px and flips; smaller images pad 2.
        ...(o.augment ? { augment: { cropPadding: (graph.nodes[0]?.outputShape[1] ?? 0) >= 32 ? 4 : 2, horizontalFlip: true } } : {}),
        validationFraction: 0.1,
        seed: o.seed,
        engine: o.engine,
        ...(o.weights === undefined ? {} : { weightsFile: o.weights }),
        ...(o.checkpoint === undefined ? {} : { checkpointDir: o.checkpoint }),
        resume: o.resume,
      },
      onEvent,
      signal,
    );
  } finally {
    bar.stop();
  }
  const n = result.inputNormalize;
  const bytes = encodePackage(withInputNormalize(graph, n), result.values, { dtype: o.dtype });
  await writeFileAtomically(o.out, bytes);
  const ev = result.evaluation;
  const total = (performance.now() - started) / 1000;
  const speed = result.history.length === 0 ? 0 : result.history.reduce((s, h) => s + h.imagesPerSecond, 0) / result.history.length;
  return [
    `${graph.name}: ${(ev.accuracy * 100).toFixed(2)}% accuracy on ${ev.images} images (loss ${ev.loss.toFixed(4)}) after ${result.history.length} epoch(s) in ${seconds(total)}; ${speed.toFixed(0)} training images/s with ${result.engine}`,
    `wrote ${o.out}: ${bytes.length.toLocaleString('en-US')} bytes (${formatBytes(bytes.length)}), weights ${o.dtype}; the model takes raw pixels and normalises them: (x − ${n.mean.map((m) => m.toFixed(2)).join(',')}) ÷ ${n.std.map((v) => v.toFixed(2)).join(',')}`,
    '',
    confusionTable(ev.confusion, data.train.classes),
    '',
  ].join('\n');
}
