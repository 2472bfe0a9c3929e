import type { Transport } from '../../devices/transport/transport.js';

/** A transport that counts the bytes written through it: frames, COBS and CRC included. */
export interface CountedTransport extends Transport {
  readonly bytesWritten: number;
}

export function counted(t: Transport): CountedTransport {
  let written = 0;
  return {
    label: t.label,
    get bytesWritten() {
      return written;
    },
    write: (bytes) => {
      written += bytes.length;
      return t.write(bytes);
    },
    onData: (listener) => t.onData(listener),
    onClose: (listener) => t.onClose(listener),
    close: () => t.close(),
  };
}
