import { TransportError, type Transport } from './transport.js';
import { TransportListeners } from './transport-listeners.js';

/** What a mock wire does to bytes in one direction: pass, change or drop them (return undefined). */
export type Tamper = (bytes: Uint8Array) => Uint8Array | undefined;

export interface MockWire {
  /** Changes bytes in flight from a to b, or from b to a. */
  tamperAToB?: Tamper;
  tamperBToA?: Tamper;
}

class MockEnd extends TransportListeners implements Transport {
  peer: MockEnd | undefined;
  private open = true;

  constructor(
    readonly label: string,
    private readonly tamper: () => Tamper | undefined,
  ) {
    super();
  }

  write(bytes: Uint8Array): Promise<void> {
    if (!this.open) return Promise.reject(new TransportError('closed', `${this.label} is closed`, 'open it again'));
    const peer = this.peer;
    const copy = bytes.slice();
    // Delivered on a later turn, as a real stream would, so senders cannot rely on synchronous replies.
    setImmediate(() => {
      const tamper = this.tamper();
      const out = tamper === undefined ? copy : tamper(copy);
      if (out !== undefined && peer?.open === true) peer.emitData(out);
    });
    return Promise.resolve();
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
      end.emitClose(error);
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
