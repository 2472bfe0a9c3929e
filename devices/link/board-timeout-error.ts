/** A board that stays silent: no INFO after the handshake's retries, or no answer to a request in time. */
export class BoardTimeoutError extends Error {
  readonly code = 'timeout';

  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(`${message}; ${hint}`);
    this.name = 'BoardTimeoutError';
  }
}
