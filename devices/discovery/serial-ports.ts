import { SerialPort } from 'serialport';
import { TransportError } from '../transport/transport.js';

export interface SerialPortEntry {
  readonly path: string;
  readonly manufacturer: string | undefined;
  readonly serialNumber: string | undefined;
  /** USB ids as 4 hex digits, when the port is a USB device. */
  readonly vendorId: string | undefined;
  readonly productId: string | undefined;
}

function present(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

/**
 * Serial ports the OS knows (USB CDC, UARTs). Ptys are never listed (DESIGN.md §7): type their path.
 * On Linux the list comes from udev, so a machine without `udevadm` gets a clear error.
 */
export async function listSerialPorts(): Promise<SerialPortEntry[]> {
  let ports: Awaited<ReturnType<typeof SerialPort.list>>;
  try {
    ports = await SerialPort.list();
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    if (/udevadm|ENOENT|spawn/i.test(text)) {
      throw new TransportError('open-failed', `cannot list serial ports: udevadm is missing (${text})`, 'install udev (`sudo apt-get install udev`), or give the port path directly with --port');
    }
    throw new TransportError('open-failed', `cannot list serial ports (${text})`, 'give the port path directly with --port');
  }
  return ports
    .map((p) => ({
      path: p.path,
      manufacturer: present(p.manufacturer),
      serialNumber: present(p.serialNumber),
      vendorId: present(p.vendorId),
      productId: present(p.productId),
    }))
    .sort((a, b) => a.path.localeCompare(b.path));
}
