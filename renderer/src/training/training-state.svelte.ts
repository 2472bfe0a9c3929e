import type { ApiClient } from '../../../main/contract/rpc.js';
import type {
  AppInfo,
  EnginePreference,
  OptimizerName,
  RunSummary,
  ScheduleName,
  StudioApi,
  TrainModel,
  TrainRequest,
  WeightDtypeName,
} from '../../../main/contract/studio-api.js';
import { assertNever } from '../../../core/assert-never.js';
import { checkSpecValue } from '../../../core/spec/load-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';
import { errorText, type ErrorText } from '../api/error-text.js';
import { JobEvents } from '../api/job-events.js';
import { Loadable } from '../api/loadable.svelte.js';
import type { DesignState } from '../design/design-state.svelte.js';
import { CloudTargets, type CloudTargetsApi } from './cloud-targets.svelte.js';
import { RunProgress } from './run-progress.svelte.js';

export type TrainingApi = Pick<StudioApi, 'appInfo' | 'startTraining' | 'cancelTraining' | 'resumeTraining' | 'listRuns'> & CloudTargetsApi;
export type Subscribe = ApiClient['on'];

/** The model choice that means "what the designer holds now"; every other choice is a preset id. */
export const DESIGN_MODEL = ':design';
/** `service`: a dataset the cloud service offers by name (only with a cloud target). */
export type DataKind = 'demo' | 'path' | 'service';

/** The embedded demo sample's images (Fashion-MNIST): C×H×W. */
const DEMO_SHAPE = [1, 28, 28] as const;

/** A run on this machine that stopped with a checkpoint short of its last epoch can go on from it (a cloud retries by itself). */
export function canResume(r: RunSummary): boolean {
  return r.cloud === null && (r.status === 'cancelled' || r.status === 'failed' || r.status === 'interrupted') && r.epochsDone > 0 && r.epochsDone < r.epochs;
}

const presetShapes = new Map<string, readonly number[] | undefined>();
function presetInputShape(id: string): readonly number[] | undefined {
  if (!presetShapes.has(id)) {
    const preset = findPreset(id);
    const checked = preset === undefined ? undefined : checkSpecValue(preset.build());
    presetShapes.set(id, checked?.ok === true ? checked.graph.nodes[0]?.outputShape : undefined);
  }
  return presetShapes.get(id);
}

const isCount = (n: unknown, min: number): boolean => typeof n === 'number' && Number.isInteger(n) && n >= min;

/**
 * The Training view's state: the form (model, data, hyperparameters, engine), the run it started or
 * resumed as its events arrive, and the list of runs in the workspace.
 */
export class TrainingState {
  model = $state<string>(DESIGN_MODEL);
  dataKind = $state<DataKind>('demo');
  dataPath = $state('');
  /** The name of a dataset the cloud service offers (its `--datasets` folder). */
  serviceDataset = $state('');
  epochs = $state(10);
  batchSize = $state(64);
  lr = $state(0.05);
  optimizer = $state<OptimizerName>('sgd');
  schedule = $state<ScheduleName>('cosine');
  augment = $state(false);
  engine = $state<EnginePreference>('auto');
  dtype = $state<WeightDtypeName>('fp32');

  /** The run shown: started or resumed here. */
  run = $state.raw<RunProgress | undefined>(undefined);
  /** A start, resume or cancel call is on its way. */
  busy = $state(false);
  /** The last call the studio refused (a bad path, data that does not fit the model). */
  error = $state.raw<ErrorText | undefined>(undefined);
  readonly info: Loadable<AppInfo>;
  readonly runs: Loadable<readonly RunSummary[]>;
  /** Where runs go: this machine or a cloud training service. */
  readonly clouds: CloudTargets;

  readonly #api: TrainingApi;
  readonly #design: DesignState;
  readonly #events = new JobEvents();
  readonly #off: readonly (() => void)[];

  constructor(api: TrainingApi, on: Subscribe, design: DesignState) {
    this.#api = api;
    this.#design = design;
    this.info = new Loadable(() => api.appInfo());
    this.runs = new Loadable(() => api.listRuns());
    this.clouds = new CloudTargets(api);
    const deliver = (runId: string, apply: (run: RunProgress) => void): void =>
      this.#events.deliver(runId, () => {
        if (this.run?.runId === runId) apply(this.run);
      });
    this.#off = [
      on('training.start', (e) => deliver(e.runId, (r) => r.onStart(e))),
      on('training.step', (e) => deliver(e.runId, (r) => r.onStep(e))),
      on('training.epoch', (e) => deliver(e.runId, (r) => r.onEpoch(e.report))),
      on('training.done', (e) =>
        deliver(e.runId, (r) => {
          r.onDone(e);
          void this.runs.refresh();
        }),
      ),
      on('training.failed', (e) =>
        deliver(e.runId, (r) => {
          r.onFailed(e.error);
          void this.runs.refresh();
        }),
      ),
    ];
  }

  /** Fetches what the form needs from the studio: the engines here, the clouds remembered and the runs so far. */
  refresh(): Promise<void> {
    return Promise.all([this.info.refresh(), this.runs.refresh(), this.clouds.refresh()]).then(() => undefined);
  }

  readonly modelName: string = $derived.by(() => (this.model === DESIGN_MODEL ? this.#design.name : this.model));

  /** The model's input as C×H×W, when it is known here. */
  readonly inputShape: readonly number[] | undefined = $derived.by(() =>
    this.model === DESIGN_MODEL ? this.#design.graph?.nodes[0]?.outputShape : presetInputShape(this.model),
  );

  /** Why Start cannot go now, as a sentence; undefined when it can. */
  readonly problem: string | undefined = $derived.by(() => {
    if (this.model === DESIGN_MODEL && this.#design.issues.length > 0) {
      return `the designer's model has ${this.#design.issues.length === 1 ? 'a problem' : `${this.#design.issues.length} problems`}: fix it there, or choose a preset`;
    }
    const cloudProblem = this.clouds.problem;
    if (cloudProblem !== undefined) return cloudProblem;
    if (this.dataKind === 'path' && this.dataPath.trim() === '') {
      return this.clouds.isCloud ? 'give the data folder (it is uploaded): IDX files, CIFAR-10 batches, or images in a folder per class' : 'give the data folder or file: IDX, CIFAR-10, or images in a folder per class';
    }
    if (this.dataKind === 'service' && !this.clouds.isCloud) return 'a dataset the service offers needs a cloud target: choose one, or other data';
    if (this.dataKind === 'service' && this.serviceDataset.trim() === '') return "give the name of a dataset the service offers (a folder in its --datasets)";
    if (!isCount(this.epochs, 1)) return 'epochs must be a whole number from 1';
    if (!isCount(this.batchSize, 1)) return 'the batch size must be a whole number from 1';
    if (!(typeof this.lr === 'number' && Number.isFinite(this.lr) && this.lr > 0)) return 'the learning rate must be a number above 0';
    if (this.run !== undefined && !this.run.finished) return 'a run is going: cancel it or wait for it to end';
    return undefined;
  });

  /** A likely mismatch the studio would refuse, said before the click. */
  readonly dataWarning: string | undefined = $derived.by(() => {
    const shape = this.inputShape;
    if (this.dataKind !== 'demo' || shape === undefined || shape.join('×') === DEMO_SHAPE.join('×')) return undefined;
    return `the demo images are ${DEMO_SHAPE.join('×')} (Fashion-MNIST) but ${this.modelName} takes ${shape.join('×')}: choose a 28×28 model (e.g. tiny, resnet8-fashion) or data of its size`;
  });

  /** The request the form describes; undefined while it has a problem. */
  request(): TrainRequest | undefined {
    if (this.problem !== undefined) return undefined;
    let model: TrainModel;
    if (this.model === DESIGN_MODEL) {
      const text = this.#design.specText();
      if (text === undefined) return undefined;
      model = { kind: 'spec', text };
    } else {
      model = { kind: 'preset', id: this.model };
    }
    const target = this.clouds.target;
    if (target === undefined) return undefined;
    return {
      model,
      data: this.#data(),
      epochs: this.epochs,
      batchSize: this.batchSize,
      lr: this.lr,
      optimizer: this.optimizer,
      schedule: this.schedule,
      augment: this.augment,
      engine: this.engine,
      dtype: this.dtype,
      target,
    };
  }

  #data(): string {
    switch (this.dataKind) {
      case 'demo':
        return 'demo';
      case 'path':
        return this.dataPath.trim();
      case 'service':
        return `service:${this.serviceDataset.trim()}`;
      default:
        return assertNever(this.dataKind);
    }
  }

  async start(): Promise<boolean> {
    const request = this.request();
    if (request === undefined) return false;
    const where = request.target?.kind === 'cloud' ? ` on ${request.target.url}` : '';
    const asked = `${this.modelName} on ${request.data === 'demo' ? 'the demo data' : request.data}${where}`;
    this.#events.starting();
    return this.#call(async () => {
      try {
        const { runId } = await this.#api.startTraining(request);
        this.run = new RunProgress(runId, asked);
        this.#events.started(runId);
      } catch (error) {
        this.#events.failed();
        throw error;
      }
      void this.runs.refresh();
    });
  }

  /** Goes on from the last checkpoint: the run shown, or one from the list. */
  async resume(runId: string | undefined = this.run?.runId): Promise<boolean> {
    const before = this.run;
    if (runId === undefined || (before !== undefined && !before.finished)) return false;
    const run = before?.runId === runId ? before : new RunProgress(runId, this.runs.value?.find((r) => r.runId === runId)?.model ?? runId);
    const undo = run.resuming();
    this.run = run;
    // The id is known before the call: its events are followed from now, even if they beat the answer.
    this.#events.follow(runId);
    const done = await this.#call(async () => {
      await this.#api.resumeTraining(runId);
      void this.runs.refresh();
    });
    if (!done) {
      undo();
      this.run = before;
      if (before !== undefined) this.#events.follow(before.runId);
    }
    return done;
  }

  async cancel(): Promise<boolean> {
    const run = this.run;
    if (run === undefined || run.finished) return false;
    run.cancelling();
    return this.#call(() => this.#api.cancelTraining(run.runId));
  }

  /** Stops listening to the studio's events. */
  dispose(): void {
    for (const off of this.#off) off();
  }

  async #call(work: () => Promise<void>): Promise<boolean> {
    this.busy = true;
    this.error = undefined;
    try {
      await work();
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    } finally {
      this.busy = false;
    }
  }
}
