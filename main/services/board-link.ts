import path from 'node:path';
import type { BoardTarget, RememberedBoardData } from '../contract/studio-api.js';
import { BoardClient } from '../../devices/link/board-client.js';
import { DEFAULT_BAUD, openSerial } from '../../devices/transport/serial-transport.js';
import { connectTcp } from '../../devices/transport/tcp-transport.js';
import type { Transport } from '../../devices/transport/transport.js';
import { rememberBoard, type RememberedBoard } from '../cli/board-memory.js';
import type { StudioContext } from './studio-context.js';

/** Opens the byte stream to a board; tests give one that returns an in-memory pair. */
export type BoardConnector = (target: BoardTarget) => Promise<Transport>;

export const connectBoard: BoardConnector = (target) =>
  target.kind === 'serial' ? openSerial(target.path, { baud: target.baud ?? DEFAULT_BAUD, throttle: target.throttle === true }) : connectTcp(target.host, target.port);

/** An open link to a board, after the handshake. */
export interface BoardLink {
  readonly client: BoardClient;
  readonly target: BoardTarget;
  /** Bytes per second of the line when it has one (serial: baud ÷ 10). */
  readonly lineRate: number | undefined;
}

export function addressOf(target: BoardTarget): string {
  return target.kind === 'serial' ? target.path : target.host.includes(':') ? `[${target.host}]:${target.port}` : `${target.host}:${target.port}`;
}

/** A remembered board as a target the UI can hand back. */
export function rememberedTarget(b: RememberedBoard): BoardTarget | undefined {
  if (b.kind === 'serial') return { kind: 'serial', path: b.address, ...(b.baud === undefined ? {} : { baud: b.baud }) };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(b.address) ?? /^([^:]+):(\d+)$/.exec(b.address);
  return m?.[1] === undefined ? undefined : { kind: 'tcp', host: m[1], port: Number(m[2]) };
}

export function rememberedData(b: RememberedBoard, present: boolean | null): RememberedBoardData | undefined {
  const target = rememberedTarget(b);
  return target === undefined ? undefined : { target, name: b.name, runtime: b.runtime, lastSeen: b.lastSeen, present };
}

export function boardsFileOf(ctx: StudioContext): string {
  return path.join(ctx.configDir, 'boards.json');
}

/**
 * Opens a link, shakes hands, remembers the board (as `reframe devices` does), runs the action, and
 * always closes the link: a board serves one studio at a time.
 */
export async function withBoard<T>(ctx: StudioContext, connect: BoardConnector, target: BoardTarget, action: (link: BoardLink) => Promise<T>): Promise<T> {
  const transport = await connect(target);
  let client: BoardClient;
  try {
    client = await BoardClient.connect(transport);
  } catch (error) {
    await transport.close();
    throw error;
  }
  try {
    const info = client.lastInfo;
    const remembered: RememberedBoard = {
      kind: target.kind,
      address: addressOf(target),
      ...(target.kind === 'serial' ? { baud: target.baud ?? DEFAULT_BAUD } : {}),
      name: info.name,
      runtime: info.runtime,
      lastSeen: new Date().toISOString(),
    };
    // Remembering is a convenience: an unwritable config folder must not stop the action.
    await rememberBoard(remembered, boardsFileOf(ctx)).catch(() => undefined);
    const lineRate = target.kind === 'serial' ? (target.baud ?? DEFAULT_BAUD) / 10 : undefined;
    return await action({ client, target, lineRate });
  } finally {
    await client.close();
  }
}
