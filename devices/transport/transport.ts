/**
 * A byte stream to or from a board: a serial port, a TCP socket, or the mock beside them. Framing and
 * the protocol sit above; transports know nothing of messages.
 */
export interface Transport {
  /** For people: `serial /dev/ttyUSB0 at 921600 baud`, `tcp 10.0.0.7:5577`. */
  readonly label: string;
  /** Resolves once the bytes are handed to the OS (serial drain, socket write callback). */
  write(bytes: Uint8Array): Promise<void>;
  onData(listener: (bytes: Uint8Array) => void): () => void;
  /** Fires once, when the stream ends for any reason other than our own close(). */
  onClose(listener: (error: TransportError) => void): () => void;
  close(): Promise<void>;
}

export type TransportErrorCode = 'open-failed' | 'disconnected' | 'closed' | 'write-failed';

/** Why a link failed, with what to do about it. */
export class TransportError extends Error {
  constructor(
    readonly code: TransportErrorCode,
    message: string,
    readonly hint: string,
  ) {
    super(`${message}; ${hint}`);
    this.name = 'TransportError';
  }
}
