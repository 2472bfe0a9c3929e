import { TransportError, type Transport } from './transport.js';

/** What a mock wire does to bytes in one direction: pass, change or drop them (return undefined). */
export type Tamper = (bytes: Uint8Array) => Uint8Array | undefined;

export interface MockWire {
  /** Changes bytes in flight from a to b, or from b to a. */
  tamperAToB?: Tamper;
  tamperBToA?: Tamper;
}

class MockEnd implements Transport {
  peer: MockEnd | undefined;
  private readonly dataListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error: TransportError) => void>();
  private open = true;

  constructor(
    readonly label: string,
    private readonly tamper: () => Tamper | undefined,
  ) {}

  write(bytes: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new TransportError('closed', `${this.label} is closed`, 'open it again'));
    const peer = this.peer;
    const copy = bytes.slice();
    // Delivered on a later turn, as a real stream would, so senders cannot rely on synchronous replies.
    setImmediate(() => {
      const tamper = this.tamper();
      const out = tamper === undefined ? copy : tamper(copy);
      if (out !== undefined && peer?.open === true) for (const l of peer.dataListeners) l(out);
    });
    return Promise.resolve();
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error: TransportError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  close(): Promise<void> {
    this.open = false;
    return Promise.resolve();
  }

  /** The cable is pulled: both ends learn of it, as serialport reports `disconnected`. */
  unplug(): void {
    for (const end of [this, this.peer]) {
      if (end === undefined || !end.open) continue;
      end.open = false;
      const error = new TransportError('disconnected', `${end.label} was disconnected`, 'reconnect the board and run the command again');
      for (const l of end.closeListeners) l(error);
    }
  }
}

export type MockTransport = Transport & { unplug(): void };

/** Two connected in-memory ends; `wire` may corrupt or drop bytes on their way. */
export function createMockPair(wire: MockWire = {}): [MockTransport, MockTransport] {
  const a = new MockEnd('mock a', () => wire.tamperAToB);
  const b = new MockEnd('mock b', () => wire.tamperBToA);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
