import type { FullPackageDetails, PackageDetails, PackageDiff, PackageEntry, StudioApi, TensorInfo, TensorModeName } from '../../../main/contract/studio-api.js';
import { Loadable } from '../api/loadable.svelte.js';
import { summarizeDiff, type DiffSummary } from './diff-summary.js';
import { dtypeSizes, type DtypeSize } from './dtype-sizes.js';
import { LatestCall } from './latest-call.svelte.js';

export type PackagesApi = Pick<StudioApi, 'listPackages' | 'inspectPackage' | 'diffPackages' | 'deletePackage'>;

export type ModeFilter = TensorModeName | 'all';

/**
 * The Packages view's state: the workspace's packages, one inspected (tensors, digests, sizes by mode
 * and per dtype), two compared, and a delete that waits for a confirmation.
 */
export class PackagesState {
  readonly list: Loadable<readonly PackageEntry[]> = new Loadable(() => this.#api.listPackages());

  /** The package inspected, by path. */
  inspected = $state<string | undefined>(undefined);
  readonly inspection = new LatestCall<PackageDetails>();
  /** Which tensors the table shows. */
  modeFilter = $state<ModeFilter>('all');

  diffA = $state<string | undefined>(undefined);
  diffB = $state<string | undefined>(undefined);
  readonly comparison = new LatestCall<PackageDiff>();

  /** The package a delete waits on a confirmation for, by path. */
  deleteCandidate = $state<string | undefined>(undefined);
  readonly deletion = new LatestCall<void>();

  readonly #api: PackagesApi;

  constructor(api: PackagesApi) {
    this.#api = api;
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  /** The full packages that decode: the ones two can be compared among. */
  readonly comparable: readonly PackageEntry[] = $derived((this.list.value ?? []).filter((p) => p.kind === 'full' && p.problem === null));

  readonly details: PackageDetails | undefined = $derived(this.inspection.value);

  readonly full: FullPackageDetails | undefined = $derived(this.details?.kind === 'full' ? this.details : undefined);

  readonly tensors: readonly TensorInfo[] = $derived.by(() => {
    const all = this.full?.tensors ?? [];
    const mode = this.modeFilter;
    return mode === 'all' ? all : all.filter((t) => t.mode === mode);
  });

  /** What the inspected package would weigh at fp32, fp16 and int8; undefined when it carries no spec. */
  readonly dtypeSizes: readonly DtypeSize[] | undefined = $derived(this.full === undefined ? undefined : dtypeSizes(this.full));

  readonly diffSummary: DiffSummary | undefined = $derived(this.comparison.value === undefined ? undefined : summarizeDiff(this.comparison.value));

  /** Why Compare cannot go now, as a sentence; undefined when it can. */
  readonly compareProblem: string | undefined = $derived.by(() => {
    if (this.diffA === undefined || this.diffB === undefined) return 'choose package A and package B';
    if (this.diffA === this.diffB) return 'choose two different packages';
    return undefined;
  });

  inspect(path: string): Promise<boolean> {
    this.inspected = path;
    this.modeFilter = 'all';
    return this.inspection.run(() => this.#api.inspectPackage(path));
  }

  closeInspection(): void {
    this.inspected = undefined;
    this.inspection.clear();
  }

  compare(): Promise<boolean> {
    const [a, b] = [this.diffA, this.diffB];
    if (a === undefined || b === undefined || this.compareProblem !== undefined) return Promise.resolve(false);
    return this.comparison.run(() => this.#api.diffPackages(a, b));
  }

  /** Swaps A and B and compares again. */
  swap(): Promise<boolean> {
    [this.diffA, this.diffB] = [this.diffB, this.diffA];
    return this.compareProblem === undefined ? this.compare() : Promise.resolve(false);
  }

  askDelete(path: string): void {
    this.deleteCandidate = path;
    this.deletion.clear();
  }

  cancelDelete(): void {
    this.deleteCandidate = undefined;
  }

  /** Deletes the package waiting on a confirmation, and forgets it wherever the view still shows it. */
  async confirmDelete(): Promise<boolean> {
    const path = this.deleteCandidate;
    if (path === undefined) return false;
    const ok = await this.deletion.run(() => this.#api.deletePackage(path));
    if (!ok) return false;
    this.deleteCandidate = undefined;
    if (this.inspected === path) this.closeInspection();
    if (this.diffA === path || this.diffB === path) {
      if (this.diffA === path) this.diffA = undefined;
      if (this.diffB === path) this.diffB = undefined;
      this.comparison.clear();
    }
    await this.list.refresh();
    return true;
  }
}
