import { SerialPort } from 'serialport';
import { DISCONNECTED_HINT } from './transport-hints.js';
import { throttle } from './throttled-transport.js';
import { TransportError, type Transport } from './transport.js';
import { TransportListeners } from './transport-listeners.js';

export interface SerialOptions {
  /** Line rate; a pty ignores it (DESIGN.md §7). Default 115200. */
  readonly baud?: number;
  /** Pace writes to baud ÷ 10 bytes per second (8N1), so a pty behaves like a UART. Default false. */
  readonly throttle?: boolean;
}

export const DEFAULT_BAUD = 115200;

/** Why a port would not open, told as what to do: the binding's messages name the errno in words. */
function openFailed(path: string, error: Error): TransportError {
  const text = error.message.replace(/^Error:?\s*/, '');
  let hint = `check the path (\`reframe devices\` lists serial ports) and that you may use it (on Linux, membership of the dialout group)`;
  if (/no such file/i.test(text)) hint = `check the path: \`reframe devices\` lists serial ports; a USB board gets a new path when it is plugged in again`;
  else if (/permission denied|access denied/i.test(text)) hint = `add yourself to the dialout group (\`sudo usermod -aG dialout $USER\`, then log in again) or check the device's permissions`;
  else if (/lock|busy|temporarily unavailable/i.test(text)) hint = `another program has the port open (a serial monitor, another reframe): close it and try again`;
  return new TransportError('open-failed', `cannot open serial port ${path} (${text})`, hint);
}

/**
 * A serial port as a Transport. Writes resolve once the bytes have left the OS buffer (drain).
 * Unplugging (or the pty's other side going away) ends the link with a `disconnected` error.
 */
export async function openSerial(path: string, o: SerialOptions = {}): Promise<Transport> {
  const baud = o.baud ?? DEFAULT_BAUD;
  if (!Number.isInteger(baud) || baud <= 0) throw new RangeError(`a baud rate is a positive integer, not ${baud}`);
  let port: SerialPort;
  try {
    port = new SerialPort({ path, baudRate: baud, autoOpen: false });
  } catch (error) {
    throw openFailed(path, error as Error);
  }
  await new Promise<void>((resolve, reject) => port.open((error) => (error ? reject(openFailed(path, error)) : resolve())));
  const serial = new SerialTransport(port, `serial ${path} at ${baud} baud`);
  return o.throttle === true ? throttle(serial, baud / 10) : serial;
}

class SerialTransport extends TransportListeners implements Transport {
  private ended: TransportError | undefined;

  constructor(
    private readonly port: SerialPort,
    readonly label: string,
  ) {
    super();
    // Always reading: a paused port's poller never notices the line going away, so no close arrives.
    port.on('data', (chunk: Buffer) => {
      const bytes = new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      this.emitData(bytes);
    });
    port.on('close', (error?: Error & { disconnected?: boolean }) => {
      if (this.ended !== undefined) return;
      // A close we did not ask for is the link going away, whether or not the binding flags it.
      const why = error?.disconnected === true ? 'was disconnected' : 'closed by itself';
      this.end(new TransportError('disconnected', `${this.label} ${why}`, DISCONNECTED_HINT));
    });
    // Write errors also reach the write callbacks; without a listener an 'error' event would crash.
    port.on('error', () => undefined);
  }

  write(bytes: Uint8Array): Promise<void> {
    if (this.ended !== undefined) return Promise.reject(this.ended);
    return new Promise((resolve, reject) => {
      let settled = false;
      const failed = (error: Error): void => {
        if (settled) return;
        settled = true;
        // A write that fails because the line went away beats the close event by a few ms: wait for it,
        // so the caller learns `disconnected` rather than a bare write failure.
        const fallback = new TransportError('write-failed', `writing to ${this.label} failed (${error.message})`, DISCONNECTED_HINT);
        if (this.ended !== undefined) return reject(this.ended);
        const timer = setTimeout(() => {
          off();
          reject(this.ended ?? fallback);
        }, 200);
        const off = this.onClose((e) => {
          clearTimeout(timer);
          off();
          reject(e);
        });
      };
      this.port.write(Buffer.from(bytes), (error) => {
        if (error) failed(error);
      });
      this.port.drain((error) => {
        if (error) failed(error);
        else if (!settled) {
          settled = true;
          resolve();
        }
      });
    });
  }

  close(): Promise<void> {
    if (this.ended !== undefined) return Promise.resolve();
    this.ended = new TransportError('closed', `${this.label} is closed`, 'open it again');
    if (!this.port.isOpen) return Promise.resolve();
    return new Promise((resolve) => this.port.close(() => resolve()));
  }

  private end(error: TransportError): void {
    this.ended = error;
    this.emitClose(error);
  }
}
