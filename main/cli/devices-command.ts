import { access } from 'node:fs/promises';
import { browseAgents, type FoundAgent } from '../../devices/discovery/mdns.js';
import { listSerialPorts, type SerialPortEntry } from '../../devices/discovery/serial-ports.js';
import { loadRememberedBoards, type RememberedBoard } from './board-memory.js';
import { CliError } from './cli-error.js';

export interface DevicesCommandOptions {
  readonly json: boolean;
  readonly timeout: string;
  /** Address of the one network interface to search; default all. */
  readonly interface?: string;
}

interface Remembered extends RememberedBoard {
  /** For a serial path: whether it exists now. Network boards are not probed. */
  readonly present: boolean | undefined;
}

const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

/** `reframe devices`: serial ports, network agents found by mDNS, and boards the studio has talked to. */
export async function devicesCommand(o: DevicesCommandOptions): Promise<string> {
  const timeoutMs = Number(o.timeout);
  if (!Number.isInteger(timeoutMs) || timeoutMs < 0) throw new CliError(`--timeout ${o.timeout}: expected milliseconds`);
  const [serial, agents, remembered] = await Promise.all([
    listSerialPorts().then(
      (ports) => ({ ports, error: undefined }),
      (error: unknown) => ({ ports: [] as SerialPortEntry[], error: (error as Error).message }),
    ),
    timeoutMs === 0 ? Promise.resolve([] as FoundAgent[]) : browseAgents(timeoutMs, o.interface === undefined ? {} : { interface: o.interface }),
    loadRememberedBoards().then((list) => Promise.all(list.map(async (b): Promise<Remembered> => ({ ...b, present: b.kind === 'serial' ? await exists(b.address) : undefined })))),
  ]);
  if (o.json) return `${JSON.stringify({ serialPorts: serial.ports, serialError: serial.error ?? null, agents, remembered }, null, 2)}\n`;

  const lines: string[] = ['serial ports'];
  if (serial.error !== undefined) lines.push(`  (cannot list: ${serial.error})`);
  else if (serial.ports.length === 0) lines.push('  none found (ptys are never listed: give their path with --port)');
  for (const p of serial.ports) {
    const usb = p.vendorId === undefined ? '' : `  usb ${p.vendorId}:${p.productId ?? '?'}`;
    lines.push(`  ${p.path}${p.manufacturer === undefined ? '' : `  ${p.manufacturer}`}${usb}${p.serialNumber === undefined ? '' : `  serial ${p.serialNumber}`}`);
  }
  lines.push(`network agents (mDNS, ${timeoutMs} ms)`);
  if (agents.length === 0) lines.push('  none answered');
  for (const a of agents) lines.push(`  ${a.name}  --host ${a.host.includes(':') ? `[${a.host}]` : a.host}:${a.port}  ${a.runtime}  protocol ${a.version}`);
  lines.push('remembered boards');
  if (remembered.length === 0) lines.push('  none yet (a board is remembered after a push or `reframe board info`)');
  for (const b of remembered) {
    const flag = b.kind === 'tcp' ? '--host' : '--port';
    const state = b.present === undefined ? '' : b.present ? '  present' : '  not present now';
    lines.push(`  ${b.name}  ${flag} ${b.address}${b.baud === undefined ? '' : ` --baud ${b.baud}`}  ${b.runtime}  last seen ${b.lastSeen}${state}`);
  }
  return `${lines.join('\n')}\n`;
}
