import type { Command } from 'commander';
import { BoardClient } from '../../devices/link/board-client.js';
import { DEFAULT_BAUD, openSerial } from '../../devices/transport/serial-transport.js';
import { connectTcp, DEFAULT_TCP_PORT } from '../../devices/transport/tcp-transport.js';
import type { Transport } from '../../devices/transport/transport.js';
import { rememberBoard } from './board-memory.js';
import { CliError } from './cli-error.js';

/** How a command names its board: a serial path or a network address. */
export interface BoardTargetOptions {
  readonly port?: string;
  readonly baud?: string;
  readonly host?: string;
  readonly throttle?: boolean;
}

export interface OpenBoard {
  readonly client: BoardClient;
  readonly kind: 'serial' | 'tcp';
  /** Bytes per second of the line, when it has one (serial: baud ÷ 10). */
  readonly lineRate: number | undefined;
  close(): Promise<void>;
}

/** Adds --port/--baud/--throttle and --host to a command. */
export function withBoardTarget(cmd: Command): Command {
  return cmd
    .option('--port <path>', 'serial port of the board (e.g. /dev/ttyACM0, or a pty path)')
    .option('--baud <n>', `serial line rate (default ${DEFAULT_BAUD})`)
    .option('--throttle', 'pace writes to baud ÷ 10 bytes/s, as a real UART would (ptys and emulators ignore the baud)', false)
    .option('--host <host[:port]>', `network address of a board agent (default port ${DEFAULT_TCP_PORT})`);
}

/** `host`, `host:port`, `[v6]:port`. */
export function parseHostPort(text: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(text) ?? /^([^:]+)(?::(\d+))?$/.exec(text);
  const port = m?.[2] === undefined ? DEFAULT_TCP_PORT : Number(m[2]);
  if (m === null || m[1] === undefined || !Number.isInteger(port) || port < 1 || port > 65535) throw new CliError(`--host ${text}: expected host, host:port or [ipv6]:port`);
  return { host: m[1], port };
}

function baudOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_BAUD;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) throw new CliError(`--baud ${text}: expected a positive whole number`);
  return n;
}

/** Opens the link and shakes hands; the board is remembered for `reframe devices`. */
export async function openBoard(o: BoardTargetOptions): Promise<OpenBoard> {
  if ((o.port === undefined) === (o.host === undefined)) throw new CliError('name the board with --port <path> (serial) or --host <host[:port]> (network), one of them');
  if (o.host !== undefined && (o.baud !== undefined || o.throttle === true)) throw new CliError('--baud and --throttle are for serial ports (--port)');
  let transport: Transport;
  let address: string;
  let baud: number | undefined;
  if (o.port !== undefined) {
    baud = baudOf(o.baud);
    transport = await openSerial(o.port, { baud, throttle: o.throttle === true });
    address = o.port;
  } else {
    const { host, port } = parseHostPort(o.host as string);
    transport = await connectTcp(host, port);
    address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  }
  let client: BoardClient;
  try {
    client = await BoardClient.connect(transport, { onLog: (level, text) => process.stderr.write(`board ${level}: ${text}\n`) });
  } catch (error) {
    await transport.close();
    throw error;
  }
  const info = client.lastInfo;
  const kind = o.port !== undefined ? 'serial' : 'tcp';
  try {
    await rememberBoard({ kind, address, ...(baud === undefined ? {} : { baud }), name: info.name, runtime: info.runtime, lastSeen: new Date().toISOString() });
  } catch (error) {
    // Remembering is a convenience: an unwritable config folder must not stop a push.
    process.stderr.write(`reframe: could not remember the board (${(error as Error).message})\n`);
  }
  return { client, kind, lineRate: baud === undefined ? undefined : baud / 10, close: () => client.close() };
}
