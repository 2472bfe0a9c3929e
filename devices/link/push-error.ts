export type PushErrorCode = 'cancelled' | 'bad-delta' | 'not-activated';

/** A push that cannot go on for a reason of the studio's own (the board's reasons are ProtocolErrors). */
export class PushError extends Error {
  constructor(
    readonly code: PushErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(`${message}; ${hint}`);
    this.name = 'PushError';
  }
}
