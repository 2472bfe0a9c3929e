import { access } from 'node:fs/promises';
import { readPackageFile } from '../../core/node/package-files.js';
import { formatBytes } from '../../core/format/quantity.js';
import { toHex } from '../../core/package/tensor-digest.js';
import type { BoardState } from '../../devices/link/board-client.js';
import type { BoardInfo } from '../../devices/protocol/messages.js';
import { openBoard, type BoardTargetOptions, type OpenBoard } from './board-target.js';
import { CliError } from './cli-error.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import { ProtocolError } from '../../devices/protocol/protocol-error.js';

const digestText = (d: Uint8Array | undefined): string => (d === undefined ? 'none' : toHex(d));

/** Runs one action on a board and always closes the link. */
export async function withBoard<T>(o: BoardTargetOptions, action: (board: OpenBoard) => Promise<T>): Promise<T> {
  const board = await openBoard(o);
  try {
    return await action(board);
  } finally {
    await board.close();
  }
}

export function boardInfoJson(info: BoardInfo, link: string): unknown {
  return {
    name: info.name,
    runtime: info.runtime,
    link,
    version: info.version,
    maxMessage: info.maxMessage,
    capabilities: info.capabilities,
    ramBytes: info.ramBytes,
    storageBytes: info.storageBytes,
    active: info.active === undefined ? null : toHex(info.active),
    previous: info.previous === undefined ? null : toHex(info.previous),
    pending: info.pending === undefined ? null : { digest: toHex(info.pending.digest), size: info.pending.size, offset: info.pending.offset },
  };
}

/** INFO as a person reads it. */
export function formatBoardInfo(info: BoardInfo, link: string): string {
  const caps = info.capabilities;
  const can = [caps.infer && 'infer', caps.bench && 'bench', caps.delta && 'delta', caps.persistentResume && 'resume survives a restart'].filter((x): x is string => typeof x === 'string');
  const rows: [string, string][] = [
    ['runtime', info.runtime],
    ['protocol', `version ${info.version}, messages up to ${info.maxMessage.toLocaleString('en-US')} bytes`],
    ['can', `${can.length === 0 ? 'nothing beyond storing packages' : can.join(', ')}; ${caps.signatureRequired ? 'requires signed packages' : 'accepts unsigned packages'}`],
    ['memory', `RAM ${info.ramBytes === 0 ? 'unknown' : formatBytes(info.ramBytes)}, storage ${info.storageBytes === 0 ? 'unknown' : formatBytes(info.storageBytes)}`],
    ['active', digestText(info.active)],
    ['previous', digestText(info.previous)],
    ['pending upload', info.pending === undefined ? 'none' : `${info.pending.offset.toLocaleString('en-US')} of ${info.pending.size.toLocaleString('en-US')} bytes of ${toHex(info.pending.digest).slice(0, 16)}… (the same push resumes it)`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return `${info.name} over ${link}\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`;
}

function formatState(what: string, s: BoardState): string {
  return `${what}\n  active    ${digestText(s.active)}\n  previous  ${digestText(s.previous)}\n`;
}

/** `reframe board info`. */
export function boardInfoCommand(o: BoardTargetOptions & { json: boolean }): Promise<string> {
  return withBoard(o, async (b) => {
    const info = await b.client.info();
    return o.json ? `${JSON.stringify(boardInfoJson(info, b.client.label), null, 2)}\n` : formatBoardInfo(info, b.client.label);
  });
}

/** A digest given as 64 hex digits, a unique prefix of one the board holds, or a package file. */
async function resolveDigest(text: string, info: BoardInfo): Promise<Uint8Array> {
  const held = [info.active, info.previous].filter((d): d is Uint8Array => d !== undefined);
  if (/^[0-9a-f]{8,64}$/i.test(text)) {
    const matches = held.filter((d) => toHex(d).startsWith(text.toLowerCase()));
    if (matches.length === 1) return matches[0] as Uint8Array;
    if (text.length === 64) return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
    // Not a usage mistake: the board was asked and holds no such package (exit 1, like its own not-found).
    if (matches.length === 0) throw new ProtocolError('not-found', `the board holds no package whose file sha256 starts with ${text} (reframe inspect prints a package's file sha256; or give the .rfpk file)`);
  }
  if (await access(text).then(() => true, () => false)) return fileDigest(await readPackageFile(text));
  throw new CliError(`${text}: expected a package's sha256 (64 hex digits, or the start of one the board holds) or a package file`);
}

/** `reframe board activate <digest|pkg>`. */
export function boardActivateCommand(target: string, o: BoardTargetOptions): Promise<string> {
  return withBoard(o, async (b) => {
    const digest = await resolveDigest(target, b.client.lastInfo);
    return formatState(`${b.client.lastInfo.name} activated ${toHex(digest).slice(0, 16)}…`, await b.client.activate(digest));
  });
}

/** `reframe board rollback`. */
export function boardRollbackCommand(o: BoardTargetOptions): Promise<string> {
  return withBoard(o, async (b) => formatState(`${b.client.lastInfo.name} rolled back to its previous package`, await b.client.rollback()));
}
