import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openServiceDatabase, serviceDatabaseFile, type ServiceDatabase } from './service-database.js';
import { SqliteTokenStore, TOKEN_PREFIX } from './sqlite-token-store.js';

let dir = '';
let db: ServiceDatabase;
let tokens: SqliteTokenStore;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reframe-tokens-'));
  db = openServiceDatabase(dir);
  tokens = new SqliteTokenStore(db);
});
afterEach(async () => {
  if (db.open) db.close();
  await rm(dir, { recursive: true, force: true });
});

describe('SqliteTokenStore', () => {
  it('makes random prefixed tokens that verify to their id', () => {
    const a = tokens.create('alice');
    const b = tokens.create('ci');
    expect(a.token.startsWith(TOKEN_PREFIX)).toBe(true);
    expect(a.token.length).toBeGreaterThanOrEqual(40);
    expect(a.token).not.toBe(b.token);
    expect(tokens.verify(a.token)).toBe(a.id);
    expect(tokens.verify(b.token)).toBe(b.id);
    expect(tokens.verify(`${a.token}x`)).toBeUndefined();
    expect(tokens.verify(a.token.slice(TOKEN_PREFIX.length))).toBeUndefined();
    expect(tokens.verify('')).toBeUndefined();
  });

  it('stores only hashes: the database file never holds a token', async () => {
    const { token } = tokens.create('alice');
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const bytes = await readFile(serviceDatabaseFile(dir));
    expect(bytes.includes(Buffer.from(token))).toBe(false);
    expect(bytes.includes(Buffer.from(token.slice(TOKEN_PREFIX.length, 20)))).toBe(false);
  });

  it('lists names and dates, and a revoked token stops working', () => {
    const a = tokens.create('  alice ');
    const b = tokens.create('ci');
    expect(tokens.activeCount()).toBe(2);
    expect(tokens.revoke(a.id)).toBe(true);
    expect(tokens.revoke(a.id)).toBe(true);
    expect(tokens.revoke('tok_nothing')).toBe(false);
    expect(tokens.verify(a.token)).toBeUndefined();
    expect(tokens.verify(b.token)).toBe(b.id);
    const list = tokens.list();
    expect(list.map((t) => [t.id, t.name, t.revokedAt !== undefined])).toEqual([
      [a.id, 'alice', true],
      [b.id, 'ci', false],
    ]);
    expect(JSON.stringify(list)).not.toContain(TOKEN_PREFIX);
    expect(tokens.activeCount()).toBe(1);
  });

  it('refuses an empty name', () => {
    expect(() => tokens.create('  ')).toThrow(RangeError);
  });
});
