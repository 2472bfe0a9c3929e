import type { RecentFile, StudioApi } from '../../../main/contract/studio-api.js';
import { errorText, type ErrorText } from '../api/error-text.js';
import type { DesignState } from './design-state.svelte.js';

/** Opening and saving spec files through StudioApi; the document itself lives in DesignState. */
export class SpecFiles {
  busy = $state(false);
  error = $state.raw<ErrorText | undefined>(undefined);
  recent = $state.raw<readonly RecentFile[]>([]);
  /** The last file written, for the status line. */
  saved = $state.raw<{ readonly path: string; readonly bytes: number } | undefined>(undefined);
  readonly #api: Pick<StudioApi, 'openSpec' | 'saveSpec' | 'recentFiles'>;
  readonly #design: DesignState;

  constructor(api: Pick<StudioApi, 'openSpec' | 'saveSpec' | 'recentFiles'>, design: DesignState) {
    this.#api = api;
    this.#design = design;
  }

  /** The path Save writes to without asking: the file the document came from or was last saved as. */
  get currentPath(): string | undefined {
    const source = this.#design.source;
    return source.kind === 'file' ? source.path : undefined;
  }

  async #run(work: () => Promise<void>): Promise<boolean> {
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

  async refreshRecent(): Promise<void> {
    await this.#run(async () => {
      this.recent = await this.#api.recentFiles();
    });
  }

  /** Reads the file and shows it in the designer, problems and all. */
  async open(path: string): Promise<boolean> {
    const done = await this.#run(async () => {
      const file = await this.#api.openSpec(path.trim());
      this.#design.openText(file.path, file.text);
    });
    if (done) void this.refreshRecent();
    return done;
  }

  async save(path: string | undefined = this.currentPath): Promise<boolean> {
    const target = path?.trim();
    const text = this.#design.specText();
    if (target === undefined || target === '') {
      this.error = { message: 'no file to save to', hint: 'type a path for the spec (e.g. my-model.json) and press Save as' };
      return false;
    }
    if (text === undefined) {
      this.error = { message: 'the model has problems and cannot be saved as a valid spec', hint: 'fix the problems shown in red (or undo) first' };
      return false;
    }
    const done = await this.#run(async () => {
      const result = await this.#api.saveSpec(target, text);
      this.#design.markSaved(result.path);
      this.saved = result;
    });
    if (done) void this.refreshRecent();
    return done;
  }
}
