import { errorText, type ErrorText } from './error-text.js';

/** One API answer a view shows: loading, the value, or the error; `refresh()` asks again. */
export class Loadable<T> {
  value = $state.raw<T | undefined>(undefined);
  error = $state.raw<ErrorText | undefined>(undefined);
  loading = $state(false);
  readonly #fetch: () => Promise<T>;
  #generation = 0;

  constructor(fetch: () => Promise<T>) {
    this.#fetch = fetch;
  }

  async refresh(): Promise<void> {
    // Only the latest request's answer lands: a slow older one must not overwrite a newer one.
    const generation = ++this.#generation;
    this.loading = true;
    try {
      const value = await this.#fetch();
      if (generation !== this.#generation) return;
      this.value = value;
      this.error = undefined;
    } catch (error) {
      if (generation !== this.#generation) return;
      this.error = errorText(error);
    } finally {
      if (generation === this.#generation) this.loading = false;
    }
  }
}
