/**
 * Routes the events of one long job (a training run, a push) to whoever follows it. The studio names
 * the job in the answer to the call that starts it, but its first events can cross that answer on the
 * wire: while a start is on its way, events for jobs not yet known are held, and the ones for the id
 * the answer names are played in order once it lands; the rest (other windows' jobs) are dropped.
 */
export class JobEvents {
  #id: string | undefined;
  #starting = false;
  #early: { readonly id: string; readonly apply: () => void }[] = [];

  /** The job followed now; undefined before the first start or while one is on its way. */
  get id(): string | undefined {
    return this.#id;
  }

  /** A start call is going out: stop following the last job and hold what arrives until it answers. */
  starting(): void {
    this.#id = undefined;
    this.#starting = true;
    this.#early = [];
  }

  /** The start call answered with the job's id: follow it and play its early events. */
  started(id: string): void {
    const early = this.#early;
    this.#early = [];
    this.#starting = false;
    this.#id = id;
    for (const e of early) if (e.id === id) e.apply();
  }

  /** The start call failed: nothing to follow. */
  failed(): void {
    this.#starting = false;
    this.#early = [];
  }

  /** Follows a job whose id is known before its call goes out (a resume). */
  follow(id: string): void {
    this.#starting = false;
    this.#early = [];
    this.#id = id;
  }

  /** An event for job `id`: applied now when it is the job followed, held while a start is on its way. */
  deliver(id: string, apply: () => void): void {
    if (id === this.#id) apply();
    else if (this.#starting) this.#early.push({ id, apply });
  }
}
