import type { BoardTarget } from '../../../main/contract/studio-api.js';
import type { ErrorText } from '../api/error-text.js';

/** The line rate a serial board gets when none is given; the agent's and `reframe push`'s default. */
export const DEFAULT_BAUD = 115200;

/** How the UI names a board's address: the serial path, or host:port ([v6]:port). */
export function targetLabel(t: BoardTarget): string {
  if (t.kind === 'serial') return t.baud === undefined ? t.path : `${t.path} at ${t.baud} baud`;
  return t.host.includes(':') ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;
}

/** A serial path (and baud) as a target, or what is wrong with it. */
export function serialTarget(path: string, baud: unknown): BoardTarget | ErrorText {
  const p = path.trim();
  if (p === '') return { message: 'no serial port given', hint: 'type the port, e.g. /dev/ttyACM0, COM3 or a pty path' };
  if (typeof baud !== 'number' || !Number.isInteger(baud) || baud <= 0) return { message: `${String(baud)} is not a baud rate`, hint: `give a whole number such as ${DEFAULT_BAUD}` };
  return { kind: 'serial', path: p, baud };
}

/** `host:port` or `[v6]:port` as a target, or what is wrong with it. */
export function networkTarget(address: string): BoardTarget | ErrorText {
  const a = address.trim();
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(a) ?? /^([^:[\]\s]+):(\d+)$/.exec(a);
  const port = Number(m?.[2]);
  if (m?.[1] === undefined || !(port >= 1 && port <= 65535)) {
    return { message: `"${a}" is not host:port`, hint: 'type the board agent\'s address, e.g. 192.168.1.20:5577 or [fe80::1]:5577' };
  }
  return { kind: 'tcp', host: m[1], port };
}

export const isTarget = (x: BoardTarget | ErrorText): x is BoardTarget => 'kind' in x;
