import type { CloudTargetData, StudioApi, TrainTarget } from '../../../main/contract/studio-api.js';
import { errorText, type ErrorText } from '../api/error-text.js';
import { Loadable } from '../api/loadable.svelte.js';

export type CloudTargetsApi = Pick<StudioApi, 'listCloudTargets' | 'saveCloudTarget' | 'forgetCloudTarget'>;

/** The target choices that are not a remembered cloud's URL (URLs never start with a colon). */
export const LOCAL_TARGET = ':local';
export const ADD_CLOUD = ':add-cloud';

/** Why the "add a cloud" form cannot be saved yet, as a sentence; undefined when it can. */
function formProblem(url: string, token: string): string | undefined {
  if (url.trim() === '') return 'give the URL of the cloud training service, e.g. http://127.0.0.1:8080';
  let protocol: string;
  try {
    protocol = new URL(url.trim()).protocol;
  } catch {
    return `"${url.trim()}" is not a URL: it starts with http:// or https://`;
  }
  if (protocol !== 'http:' && protocol !== 'https:') return 'the URL starts with http:// or https://';
  if (token.trim() === '') return 'give the token: `reframe cloud token create <name>` prints one where the service runs';
  if (/\s/.test(token.trim())) return 'a token has no spaces or line breaks';
  return undefined;
}

/**
 * Where the Training view's runs go: this machine, a remembered cloud training service, or a new one
 * being added (URL and token, checked by the studio before it remembers them). Tokens go to the studio
 * and never come back: the list carries only their last characters.
 */
export class CloudTargets {
  readonly list: Loadable<readonly CloudTargetData[]>;
  /** LOCAL_TARGET, ADD_CLOUD, or the URL of a remembered cloud. */
  choice = $state<string>(LOCAL_TARGET);
  /** The "add a cloud" form. */
  url = $state('');
  token = $state('');
  /** The studio is checking a cloud before remembering it. */
  saving = $state(false);
  /** Why the last save or forget failed. */
  error = $state.raw<ErrorText | undefined>(undefined);

  readonly #api: CloudTargetsApi;

  constructor(api: CloudTargetsApi) {
    this.#api = api;
    this.list = new Loadable(() => api.listCloudTargets());
  }

  refresh(): Promise<void> {
    return this.list.refresh();
  }

  /** The remembered cloud chosen, if one is. */
  readonly chosen: CloudTargetData | undefined = $derived.by(() => this.list.value?.find((t) => t.url === this.choice));

  readonly isCloud: boolean = $derived(this.choice !== LOCAL_TARGET);

  /** What a run is sent with: only the URL of a remembered cloud (the studio adds its token); undefined while none is chosen. */
  readonly target: TrainTarget | undefined = $derived.by(() => {
    if (this.choice === LOCAL_TARGET) return { kind: 'local' };
    return this.chosen === undefined ? undefined : { kind: 'cloud', url: this.chosen.url };
  });

  readonly formProblem: string | undefined = $derived(formProblem(this.url, this.token));

  /** Why a run cannot go to the target chosen, as a sentence; undefined when it can. */
  readonly problem: string | undefined = $derived.by(() => {
    if (this.choice === ADD_CLOUD) return 'save the cloud first (its URL and token), or choose another target';
    if (this.choice !== LOCAL_TARGET && this.chosen === undefined) return 'the cloud chosen is not remembered (any more): choose another target';
    return undefined;
  });

  /** Has the studio check the form's cloud and remember it; on success it becomes the target. */
  async save(): Promise<boolean> {
    if (this.formProblem !== undefined || this.saving) return false;
    this.saving = true;
    this.error = undefined;
    try {
      const saved = await this.#api.saveCloudTarget({ url: this.url.trim(), token: this.token.trim() });
      this.list.value = [saved, ...(this.list.value ?? []).filter((t) => t.url !== saved.url)];
      this.choice = saved.url;
      this.url = '';
      this.token = '';
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    } finally {
      this.saving = false;
    }
  }

  /** Forgets a remembered cloud and its token (default the one chosen); runs go to this machine again. */
  async forget(url: string | undefined = this.chosen?.url): Promise<boolean> {
    if (url === undefined) return false;
    this.error = undefined;
    try {
      await this.#api.forgetCloudTarget(url);
      this.list.value = (this.list.value ?? []).filter((t) => t.url !== url);
      if (this.choice === url) this.choice = LOCAL_TARGET;
      return true;
    } catch (error) {
      this.error = errorText(error);
      return false;
    }
  }
}
