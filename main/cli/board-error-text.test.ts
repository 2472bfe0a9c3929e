import { describe, expect, it } from 'vitest';
import { BoardTimeoutError } from '../../devices/link/board-timeout-error.js';
import { PushError } from '../../devices/link/push-error.js';
import { ProtocolError } from '../../devices/protocol/protocol-error.js';
import { TransportError } from '../../devices/transport/transport.js';
import { boardErrorText } from './board-error-text.js';

describe('boardErrorText', () => {
  it('gives the sentence and what to do for every link error, and nothing for other errors', () => {
    expect(boardErrorText(new TransportError('open-failed', 'cannot connect to 10.0.0.7:5577 (ECONNREFUSED)', 'start the agent'))).toBe('cannot connect to 10.0.0.7:5577 (ECONNREFUSED); start the agent');
    expect(boardErrorText(new BoardTimeoutError('the board stopped answering at byte 4096 of 9000', 'check it is powered'))).toBe('the board stopped answering at byte 4096 of 9000; check it is powered');
    expect(boardErrorText(new PushError('cancelled', 'push cancelled at byte 5 of 9', 'run it again'))).toBe('push cancelled at byte 5 of 9; run it again');
    expect(boardErrorText(new ProtocolError('busy', 'another studio is connected'))).toBe('board error (busy): another studio is connected; another studio is connected to the board: close it, or wait until it finishes');
    expect(boardErrorText(new Error('other'))).toBeUndefined();
  });
});
