import { errorText, type ErrorText } from '../api/error-text.js';

/**
 * One action's call: on its way, its answer, or its error. Unlike Loadable it forgets the last answer
 * when asked again (details of another package must not show under this one's name), and only the
 * latest call lands.
 */
export class LatestCall<T> {
  value = $state.raw<T | undefined>(undefined);
  error = $state.raw<ErrorText | undefined>(undefined);
  busy = $state(false);
  #generation = 0;

  async run(work: () => Promise<T>): Promise<boolean> {
    const generation = ++this.#generation;
    this.busy = true;
    this.value = undefined;
    this.error = undefined;
    try {
      const value = await work();
      if (generation === this.#generation) this.value = value;
      return true;
    } catch (error) {
      if (generation === this.#generation) this.error = errorText(error);
      return false;
    } finally {
      if (generation === this.#generation) this.busy = false;
    }
  }

  clear(): void {
    this.#generation++;
    this.value = undefined;
    this.error = undefined;
    this.busy = false;
  }
}
