/** Typed errors a board returns, with the numbers they travel as (docs/protocol.md, "Errors"). */
export const ERROR_CODES = {
  version: 1,
  'unknown-type': 2,
  'bad-message': 3,
  'no-upload': 4,
  'too-large': 5,
  'digest-mismatch': 6,
  'package-rejected': 7,
  signature: 8,
  'delta-base': 9,
  'regen-mismatch': 10,
  'no-model': 11,
  'bad-input': 12,
  'not-found': 13,
  'no-previous': 14,
  busy: 15,
  storage: 16,
  incomplete: 17,
  internal: 18,
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

const BY_NUMBER = new Map<number, ErrorCode>(Object.entries(ERROR_CODES).map(([name, n]) => [n, name as ErrorCode]));

export function errorCodeOf(n: number): ErrorCode | undefined {
  return BY_NUMBER.get(n);
}

/** An error the board reported, or a message that breaks the protocol. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }
}
