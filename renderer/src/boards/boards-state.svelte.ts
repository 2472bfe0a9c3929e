import type { ApiClient } from '../../../main/contract/rpc.js';
import type {
  BenchResultData,
  BoardInfoData,
  BoardList,
  BoardTarget,
  PackageEntry,
  StudioApi,
  TestInferenceResult,
} from '../../../main/contract/studio-api.js';
import { errorText, type ErrorText } from '../api/error-text.js';
import { JobEvents } from '../api/job-events.js';
import { Loadable } from '../api/loadable.svelte.js';
import { DEFAULT_BAUD, isTarget, networkTarget, serialTarget } from './board-target.js';
import { predictLayers, type PredictedLayer } from './predicted-layers.js';
import { PushProgress } from './push-progress.svelte.js';

export type BoardsApi = Pick<
  StudioApi,
  | 'listBoards'
  | 'boardInfo'
  | 'listPackages'
  | 'inspectPackage'
  | 'pushPackage'
  | 'cancelPush'
  | 'activatePackage'
  | 'rollbackBoard'
  | 'testInference'
  | 'benchBoard'
>;

/** What a board action is doing, for the button that shows it. */
export type BoardAction = 'info' | 'activate' | 'rollback' | 'infer' | 'bench' | 'push';

/** Test images the studio and the board compare by default; the contract allows 1 to 100. */
const DEFAULT_TEST_IMAGES = 10;
const BENCH_RUNS = 10;

/**
 * The Boards view's state: the boards the studio can see, the one chosen, what it reports, a push to
 * it with live progress, and the checks after (activate, rollback, test inference, per-layer bench).
 */
export class BoardsState {
  readonly list: Loadable<BoardList>;
  readonly packages: Loadable<readonly PackageEntry[]>;

  /** The manual target form: a serial path and baud, or a network host:port. */
  manualKind = $state<'serial' | 'tcp'>('serial');
  manualPath = $state('');
  manualBaud = $state(DEFAULT_BAUD);
  manualAddress = $state('');

  target = $state.raw<BoardTarget | undefined>(undefined);
  info = $state.raw<BoardInfoData | undefined>(undefined);
  /** The package to push, by path. */
  packagePath = $state<string | undefined>(undefined);
  push = $state.raw<PushProgress | undefined>(undefined);
  testImages = $state(DEFAULT_TEST_IMAGES);
  inference = $state.raw<TestInferenceResult | undefined>(undefined);
  bench = $state.raw<BenchResultData | undefined>(undefined);
  /** The budget's FLOPs per layer of the package benchmarked, by name; undefined when its spec is not at hand. */
  predicted = $state.raw<ReadonlyMap<string, PredictedLayer> | undefined>(undefined);
  /** The board action on its way; one at a time, since a board serves one link at a time. */
  busy = $state<BoardAction | undefined>(undefined);
  error = $state.raw<ErrorText | undefined>(undefined);

  readonly #api: BoardsApi;
  readonly #events = new JobEvents();
  readonly #off: readonly (() => void)[];

  constructor(api: BoardsApi, on: ApiClient['on']) {
    this.#api = api;
    this.list = new Loadable(() => api.listBoards());
    this.packages = new Loadable(async () => (await api.listPackages()).filter((p) => p.kind === 'full' && p.problem === null));
    const deliver = (pushId: string, apply: (p: PushProgress) => void): void =>
      this.#events.deliver(pushId, () => {
        if (this.push?.pushId === pushId) apply(this.push);
      });
    this.#off = [
      on('push.progress', (e) => deliver(e.pushId, (p) => p.onProgress(e))),
      on('push.done', (e) =>
        deliver(e.pushId, (p) => {
          p.onDone(e.result);
          // Verify: ask the board what it runs now, on a new link, as a person would.
          void this.refreshInfo();
        }),
      ),
      on('push.failed', (e) =>
        deliver(e.pushId, (p) => {
          p.onFailed(e.error);
          void this.refreshInfo();
        }),
      ),
      on('boards.changed', (e) => {
        const list = this.list.value;
        if (list !== undefined) this.list.value = { ...list, serial: e.serial };
      }),
    ];
  }

  /** Looks for boards and lists the workspace's packages. */
  refresh(): Promise<void> {
    return Promise.all([this.list.refresh(), this.packages.refresh()]).then(() => undefined);
  }

  readonly pushing = $derived(this.push !== undefined && !this.push.finished);

  /** The chosen package as the workspace lists it (its sha256 is what the board reports when active). */
  readonly chosenPackage: PackageEntry | undefined = $derived.by(() => this.packages.value?.find((p) => p.path === this.packagePath));

  /** The board reports the pushed package active: the push is verified. */
  readonly verified = $derived.by(() => {
    const push = this.push;
    if (push?.phase !== 'done' || this.info === undefined) return false;
    const sha = this.packages.value?.find((p) => p.path === push.packagePath)?.sha256;
    return sha !== undefined && this.info.active === sha;
  });

  /** Why Push cannot go now, as a sentence; undefined when it can. */
  readonly pushProblem: string | undefined = $derived.by(() => {
    if (this.target === undefined) return 'choose a board first';
    if (this.packagePath === undefined) return 'choose a package to push';
    if (this.pushing) return 'a push is going';
    if (this.busy !== undefined) return 'wait for the board to answer';
    return undefined;
  });

  choosePackage(path: string): void {
    this.packagePath = path;
  }

  /** Uses this board from now on and asks what it holds. */
  async choose(target: BoardTarget): Promise<boolean> {
    this.target = target;
    this.info = undefined;
    this.inference = undefined;
    this.bench = undefined;
    this.predicted = undefined;
    const known = await this.refreshInfo();
    // The board is remembered now: the list shows it from here on.
    if (known) void this.list.refresh();
    return known;
  }

  /** Uses the board the manual form names. */
  async chooseManual(): Promise<boolean> {
    const t = this.manualKind === 'serial' ? serialTarget(this.manualPath, this.manualBaud) : networkTarget(this.manualAddress);
    if (!isTarget(t)) {
      this.error = t;
      return false;
    }
    return this.choose(t);
  }

  refreshInfo(): Promise<boolean> {
    return this.#onBoard('info', async (t) => {
      this.info = await this.#api.boardInfo(t);
    });
  }

  /** Sends the chosen package; a push after a cancel or a cut resumes where the board's copy ends. */
  async startPush(): Promise<boolean> {
    const target = this.target;
    const packagePath = this.packagePath;
    if (target === undefined || packagePath === undefined || this.pushProblem !== undefined) return false;
    const push = new PushProgress(packagePath);
    this.push = push;
    this.error = undefined;
    this.#events.starting();
    try {
      const { pushId } = await this.#api.pushPackage({ target, packagePath });
      push.pushId = pushId;
      this.#events.started(pushId);
      return true;
    } catch (error) {
      this.#events.failed();
      const e = errorText(error);
      push.onFailed({ code: 'refused', ...e });
      return false;
    }
  }

  async cancelPush(): Promise<boolean> {
    const push = this.push;
    if (push?.pushId === undefined || push.finished) return false;
    push.cancelling();
    try {
      await this.#api.cancelPush(push.pushId);
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    }
  }

  activate(digest: string): Promise<boolean> {
    return this.#onBoard('activate', async (t) => {
      await this.#api.activatePackage(t, digest);
      this.info = await this.#api.boardInfo(t);
    });
  }

  rollback(): Promise<boolean> {
    return this.#onBoard('rollback', async (t) => {
      await this.#api.rollbackBoard(t);
      this.info = await this.#api.boardInfo(t);
    });
  }

  /** The package the board should be running: the workspace's copy of its active one, else the chosen one. */
  readonly testPackage: string | undefined = $derived(this.info?.activePackage ?? this.packagePath);

  runTestInference(): Promise<boolean> {
    const packagePath = this.testPackage;
    return this.#onBoard('infer', async (target) => {
      if (packagePath === undefined) throw Object.assign(new Error('the board runs no package from this workspace'), { hint: 'push a package to it first' });
      this.inference = await this.#api.testInference({ target, packagePath, images: this.testImages });
    });
  }

  /** Times each layer on the board, beside what the budget predicts for the workspace's copy of its package. */
  runBench(): Promise<boolean> {
    const packagePath = this.info?.activePackage ?? undefined;
    return this.#onBoard('bench', async (t) => {
      const bench = await this.#api.benchBoard(t, BENCH_RUNS);
      const details = packagePath === undefined ? undefined : await this.#api.inspectPackage(packagePath);
      this.predicted = details?.kind === 'full' && details.specText !== null ? predictLayers(details.specText) : undefined;
      this.bench = bench;
    });
  }

  dispose(): void {
    for (const off of this.#off) off();
  }

  async #onBoard(action: BoardAction, work: (target: BoardTarget) => Promise<void>): Promise<boolean> {
    const target = this.target;
    if (target === undefined) {
      this.error = { message: 'no board chosen', hint: 'pick a board from the lists, or type its port or address' };
      return false;
    }
    if (this.pushing) {
      // A board serves one link at a time: a second one would stall the push.
      this.error = { message: 'a push to this board is going', hint: 'wait for it to end, or cancel it' };
      return false;
    }
    this.busy = action;
    this.error = undefined;
    try {
      await work(target);
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    } finally {
      this.busy = undefined;
    }
  }
}
