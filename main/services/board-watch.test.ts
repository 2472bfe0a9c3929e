import { describe, expect, it } from 'vitest';
import type { SerialPortEntry } from '../../devices/discovery/serial-ports.js';
import { watchSerialPorts } from './board-watch.js';
import { EventHub } from './event-hub.js';

const port = (path: string): SerialPortEntry => ({ path, manufacturer: undefined, serialNumber: undefined, vendorId: undefined, productId: undefined });
const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('watchSerialPorts', () => {
  it('polls only while someone listens, and reports changes after the first look', async () => {
    const events = new EventHub();
    let ports = [port('/dev/ttyACM0')];
    let polls = 0;
    const stop = watchSerialPorts(events, () => (polls++, Promise.resolve(ports)), 10);
    await wait(60);
    expect(polls).toBe(0);
    const seen: string[][] = [];
    const off = events.on('boards.changed', (e) => seen.push(e.serial.map((p) => p.path)));
    await wait(60);
    expect(polls).toBeGreaterThan(0);
    expect(seen).toEqual([]);
    ports = [port('/dev/ttyACM0'), port('/dev/ttyUSB0')];
    await wait(60);
    ports = [port('/dev/ttyUSB0')];
    await wait(60);
    expect(seen).toEqual([['/dev/ttyACM0', '/dev/ttyUSB0'], ['/dev/ttyUSB0']]);
    off();
    stop();
    const after = polls;
    await wait(50);
    expect(polls).toBe(after);
  });
});
