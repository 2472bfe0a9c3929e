import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boardsFile, loadRememberedBoards, rememberBoard, type RememberedBoard } from './board-memory.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function tempFile(): Promise<string> {
  const d = await mkdtemp(path.join(tmpdir(), 'boards-'));
  dirs.push(d);
  return path.join(d, 'reframe', 'boards.json');
}

const board = (address: string, lastSeen: string, name = 'b'): RememberedBoard => ({ kind: 'serial', address, baud: 115200, name, runtime: 'reframe-agent 0.1.0', lastSeen });

describe('remembered boards', () => {
  it('live under $XDG_CONFIG_HOME/reframe, else ~/.config/reframe', () => {
    expect(boardsFile({ XDG_CONFIG_HOME: '/x/cfg' })).toBe('/x/cfg/reframe/boards.json');
    expect(boardsFile({})).toBe(path.join(homedir(), '.config', 'reframe', 'boards.json'));
    // The XDG spec ignores a relative value.
    expect(boardsFile({ XDG_CONFIG_HOME: 'relative' })).toBe(path.join(homedir(), '.config', 'reframe', 'boards.json'));
  });

  it('keep one entry per address, newest first, and leave no temporary file behind', async () => {
    const file = await tempFile();
    expect(await loadRememberedBoards(file)).toEqual([]);
    await rememberBoard(board('/tmp/a', '2025-01-01T00:00:00.000Z'), file);
    await rememberBoard(board('/tmp/b', '2025-01-02T00:00:00.000Z'), file);
    await rememberBoard(board('/tmp/a', '2025-01-03T00:00:00.000Z', 'renamed'), file);
    const list = await loadRememberedBoards(file);
    expect(list.map((b) => `${b.address} ${b.name}`)).toEqual(['/tmp/a renamed', '/tmp/b b']);
    expect(await readdir(path.dirname(file))).toEqual(['boards.json']);
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('boards');
  });

  it('treat a damaged file as an empty memory and skip malformed entries', async () => {
    const file = await tempFile();
    await rememberBoard(board('/tmp/a', '2025-01-01T00:00:00.000Z'), file);
    await writeFile(file, '{ not json');
    expect(await loadRememberedBoards(file)).toEqual([]);
    await writeFile(file, JSON.stringify({ boards: [{ kind: 'serial' }, board('/tmp/c', '2025-01-01T00:00:00.000Z')] }));
    expect((await loadRememberedBoards(file)).map((b) => b.address)).toEqual(['/tmp/c']);
  });
});
