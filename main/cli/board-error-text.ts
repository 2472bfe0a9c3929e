import { BoardTimeoutError } from '../../devices/link/board-timeout-error.js';
import { PushError } from '../../devices/link/push-error.js';
import { ProtocolError, type ErrorCode } from '../../devices/protocol/protocol-error.js';
import { TransportError } from '../../devices/transport/transport.js';

/** What a person can do about each error a board reports (docs/protocol.md, "Errors"). */
export const BOARD_ERROR_HINTS: Readonly<Record<ErrorCode, string>> = {
  version: "update the board's runtime or the studio so both speak the same protocol version",
  'unknown-type': "the board's runtime is older than this studio: update it",
  'bad-message': 'a studio and board that disagree on the protocol: update whichever is older',
  'no-upload': 'run the same push again: it starts a new upload',
  'too-large': 'free space on the board, or push a smaller package (fp16 or int8: `reframe pack --dtype`)',
  'digest-mismatch': 'the bytes were damaged on their way: run the same push again',
  'package-rejected': 'check the package with `reframe verify <pkg>`, then pack it again',
  signature: 'sign the package with a key the board trusts (`reframe pack --sign <key>`)',
  'delta-base': 'the board runs another package than the delta was made for: push the full package (leave out --delta-from)',
  'regen-mismatch': "the board's runtime regenerates seeded weights differently: update it, and report this",
  'no-model': 'push a package first (`reframe push <pkg>`)',
  'bad-input': "give an input of the model's size (channels × height × width float32 values)",
  'not-found': 'the board does not hold that package: push it instead',
  'no-previous': 'the board holds only one package: there is nothing to roll back to',
  busy: 'another studio is connected to the board: close it, or wait until it finishes',
  storage: "the board's storage failed: free space or check its storage, then try again",
  incomplete: 'run the same push again: it resumes and sends the missing bytes',
  internal: 'try again; if it repeats, restart the board and report the sentence above',
};

/** The sentence and what to do, for errors of the link to a board; undefined for anything else. */
export function boardErrorText(error: unknown): string | undefined {
  if (error instanceof TransportError || error instanceof BoardTimeoutError || error instanceof PushError) return error.message;
  if (error instanceof ProtocolError) return `board error (${error.code}): ${error.message}; ${BOARD_ERROR_HINTS[error.code]}`;
  return undefined;
}
