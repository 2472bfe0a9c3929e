import type { StudioEventSource } from '../contract/rpc.js';
import type { StudioEventName, StudioEvents } from '../contract/studio-api.js';

/** The studio's events, typed by the contract: services emit, serveApi and tests listen. */
export class EventHub implements StudioEventSource {
  private readonly listeners = new Map<StudioEventName, Set<(payload: never) => void>>();

  on<E extends StudioEventName>(event: E, listener: (payload: StudioEvents[E]) => void): () => void {
    let set = this.listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const l = listener as (payload: never) => void;
    set.add(l);
    return () => void set.delete(l);
  }

  emit<E extends StudioEventName>(event: E, payload: StudioEvents[E]): void {
    for (const l of [...(this.listeners.get(event) ?? [])]) {
      try {
        (l as (p: StudioEvents[E]) => void)(payload);
      } catch {
        // One broken listener (a closed window) must not stop the others or the work that emits.
      }
    }
  }

  listenerCount(event: StudioEventName): number {
    return this.listeners.get(event)?.size ?? 0;
  }
}
