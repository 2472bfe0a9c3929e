import type { SerialPortEntry } from '../../devices/discovery/serial-ports.js';
import { serialPortData } from './board-service.js';
import type { EventHub } from './event-hub.js';

/**
 * Emits `boards.changed` when the OS's serial ports change (a board plugged in or out). It polls only
 * while someone listens: serialport has no hot-plug event, and an idle studio should cost nothing.
 */
export function watchSerialPorts(events: EventHub, list: () => Promise<readonly SerialPortEntry[]>, everyMs: number): () => void {
  let last: string | undefined;
  let busy = false;
  const timer = setInterval(() => {
    if (busy || events.listenerCount('boards.changed') === 0) {
      if (!busy) last = undefined;
      return;
    }
    busy = true;
    list()
      .then((ports) => {
        const key = ports.map((p) => p.path).join('\n');
        // The first look after someone starts listening is the baseline they already asked for.
        if (last !== undefined && key !== last) events.emit('boards.changed', { serial: ports.map(serialPortData) });
        last = key;
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}
