import type { TransportError } from './transport.js';

/** The listener half every transport shares: subscribe with an unsubscribe back, emit to all. */
export abstract class TransportListeners {
  private readonly dataListeners = new Set<(bytes: Uint8Array) => void>();
  private readonly closeListeners = new Set<(error: TransportError) => void>();

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.dataListeners.add(listener);
    return () => this.dataListeners.delete(listener);
  }

  onClose(listener: (error: TransportError) => void): () => void {
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  protected emitData(bytes: Uint8Array): void {
    for (const l of this.dataListeners) l(bytes);
  }

  protected emitClose(error: TransportError): void {
    for (const l of this.closeListeners) l(error);
  }
}
