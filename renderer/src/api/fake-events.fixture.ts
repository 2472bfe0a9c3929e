import type { ApiClient } from '../../../main/contract/rpc.js';
import type { StudioEventName, StudioEvents } from '../../../main/contract/studio-api.js';

/** The studio's side of the events in a state test: `on` is what the state subscribes with. */
export class FakeEvents {
  readonly #listeners = new Map<StudioEventName, Set<(payload: never) => void>>();

  readonly on: ApiClient['on'] = (event, listener) => {
    let set = this.#listeners.get(event);
    if (set === undefined) this.#listeners.set(event, (set = new Set()));
    const l = listener as (payload: never) => void;
    set.add(l);
    return () => void set.delete(l);
  };

  emit<E extends StudioEventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of [...(this.#listeners.get(event) ?? [])]) (l as (p: StudioEvents[E]) => void)(payload);
  }

  listening(event: StudioEventName): number {
    return this.#listeners.get(event)?.size ?? 0;
  }
}

/** A promise with its settle functions outside, to answer a call at the moment a test chooses. */
export function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
