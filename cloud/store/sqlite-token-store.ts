import { createHash, randomBytes } from 'node:crypto';
import type { TokenStore } from './job-store.js';
import type { ServiceDatabase } from './service-database.js';

/** Tokens say what they are (a leaked one is easy to spot in a log or a secret scanner). */
export const TOKEN_PREFIX = 'rf_';

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

interface TokenRow {
  id: string;
  name: string;
  created_at: string;
  revoked_at: string | null;
}

/**
 * Bearer tokens in the service's SQLite file. Only the SHA-256 of a token is stored: 256 random bits
 * need no slow hash, and a lookup by hash compares no secret byte by byte.
 */
export class SqliteTokenStore implements TokenStore {
  private readonly q;

  constructor(db: ServiceDatabase) {
    this.q = {
      insert: db.prepare<[string, string, string, string]>(`INSERT INTO tokens (id, name, hash, created_at) VALUES (?, ?, ?, ?)`),
      verify: db.prepare<[string], { id: string }>(`SELECT id FROM tokens WHERE hash = ? AND revoked_at IS NULL`),
      list: db.prepare<[], TokenRow>(`SELECT id, name, created_at, revoked_at FROM tokens ORDER BY created_at, id`),
      revoke: db.prepare<[string, string]>(`UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`),
      exists: db.prepare<[string], { id: string }>(`SELECT id FROM tokens WHERE id = ?`),
      active: db.prepare<[], { n: number }>(`SELECT count(*) AS n FROM tokens WHERE revoked_at IS NULL`),
    };
  }

  create(name: string): { readonly id: string; readonly token: string } {
    const clean = name.trim();
    if (clean === '' || clean.length > 100) throw new RangeError('a token name must be 1 to 100 characters');
    const id = `tok_${randomBytes(6).toString('hex')}`;
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
    this.q.insert.run(id, clean, hash(token), new Date().toISOString());
    return { id, token };
  }

  verify(token: string): string | undefined {
    if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return undefined;
    return this.q.verify.get(hash(token))?.id;
  }

  list(): { readonly id: string; readonly name: string; readonly createdAt: string; readonly revokedAt?: string }[] {
    return this.q.list.all().map((r) => ({ id: r.id, name: r.name, createdAt: r.created_at, ...(r.revoked_at === null ? {} : { revokedAt: r.revoked_at }) }));
  }

  revoke(id: string): boolean {
    if (this.q.revoke.run(new Date().toISOString(), id).changes > 0) return true;
    // Revoking twice is not an error: the token is revoked either way.
    return this.q.exists.get(id) !== undefined;
  }

  /** Tokens that still work: none means nobody can use the service yet. */
  activeCount(): number {
    return this.q.active.get()?.n ?? 0;
  }
}
