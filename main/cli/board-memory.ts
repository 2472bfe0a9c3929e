import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { writeFileAtomically } from '../../core/node/atomic-write.js';

/** A board the studio has talked to: ptys are never listed by the OS, so remembered paths count as much as found ones. */
export interface RememberedBoard {
  readonly kind: 'serial' | 'tcp';
  /** A serial path, or host:port. */
  readonly address: string;
  readonly baud?: number;
  readonly name: string;
  readonly runtime: string;
  /** ISO time of the last successful handshake. */
  readonly lastSeen: string;
}

const MAX_REMEMBERED = 50;

/** `$XDG_CONFIG_HOME/reframe/boards.json`, else `~/.config/reframe/boards.json`. */
export function boardsFile(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CONFIG_HOME'];
  const base = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homedir(), '.config');
  return path.join(base, 'reframe', 'boards.json');
}

function isRemembered(x: unknown): x is RememberedBoard {
  if (typeof x !== 'object' || x === null) return false;
  const b = x as Record<string, unknown>;
  return (b['kind'] === 'serial' || b['kind'] === 'tcp') && typeof b['address'] === 'string' && typeof b['name'] === 'string' && typeof b['runtime'] === 'string' && typeof b['lastSeen'] === 'string';
}

/** The remembered boards, most recent first; a missing or unreadable file is an empty memory, not an error. */
export async function loadRememberedBoards(file = boardsFile()): Promise<RememberedBoard[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch {
    return [];
  }
  const list = typeof parsed === 'object' && parsed !== null ? (parsed as { boards?: unknown }).boards : undefined;
  return Array.isArray(list) ? list.filter(isRemembered).sort((a, b) => b.lastSeen.localeCompare(a.lastSeen)) : [];
}

/** Records a board after a handshake (one entry per kind and address), written atomically. */
export async function rememberBoard(board: RememberedBoard, file = boardsFile()): Promise<void> {
  const others = (await loadRememberedBoards(file)).filter((b) => !(b.kind === board.kind && b.address === board.address));
  const boards = [board, ...others].slice(0, MAX_REMEMBERED);
  await mkdir(path.dirname(file), { recursive: true });
  await writeFileAtomically(file, `${JSON.stringify({ boards }, null, 2)}\n`);
}
