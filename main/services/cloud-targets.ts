import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CloudTargetData } from '../contract/studio-api.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { ServiceError } from './service-error.js';

/** A remembered cloud training service with its bearer token: a secret, so the file is the user's alone. */
export interface StoredCloudTarget {
  readonly url: string;
  readonly token: string;
  /** ISO time it was saved. */
  readonly saved: string;
}

const MAX_TARGETS = 20;
/** Read and write for the owner only: the file holds bearer tokens. */
const SECRET_FILE_MODE = 0o600;
/** Tokens shorter than this get no hint: four characters of a short token give too much away. */
const MIN_HINTED_TOKEN = 12;

const URL_HINT = 'give the address `reframe cloud serve` prints, e.g. http://127.0.0.1:8080';

/**
 * A cloud service's URL in the one form the studio keys it by: http(s), no credentials, query or
 * fragment, no trailing slash. A bad URL gets a sentence saying what is wrong with it.
 */
export function normalizeCloudUrl(text: string): string {
  let u: URL;
  try {
    u = new URL(text.trim());
  } catch {
    throw new ServiceError('bad-cloud-url', `"${text}" is not a URL`, URL_HINT);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new ServiceError('bad-cloud-url', `${text}: a cloud training service is reached over http or https, not ${u.protocol.slice(0, -1)}`, URL_HINT);
  if (u.username !== '' || u.password !== '') throw new ServiceError('bad-cloud-url', `${u.host}: the URL carries a user name or password`, 'leave them out of the URL and give the token in its own field');
  if (u.search !== '' || u.hash !== '') throw new ServiceError('bad-cloud-url', `${text}: the URL of a cloud service has no query or fragment`, URL_HINT);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** What the renderer may see of a remembered cloud: the token's last characters at most. */
export function cloudTargetData(t: StoredCloudTarget): CloudTargetData {
  return { url: t.url, tokenHint: t.token.length >= MIN_HINTED_TOKEN ? t.token.slice(-4) : '', saved: t.saved };
}

function isStored(x: unknown): x is StoredCloudTarget {
  if (typeof x !== 'object' || x === null) return false;
  const t = x as Record<string, unknown>;
  return typeof t['url'] === 'string' && typeof t['token'] === 'string' && t['token'] !== '' && typeof t['saved'] === 'string';
}

/**
 * The cloud services the studio remembers, in one JSON file in its settings folder
 * (`$XDG_CONFIG_HOME/reframe/cloud-targets.json`), written atomically and readable by the owner only.
 */
export class CloudTargetStore {
  // Writes go one after another: two saves at once must not lose an entry.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string) {}

  /** Most recently saved first; a missing or unreadable file is an empty memory, not an error. */
  async list(): Promise<StoredCloudTarget[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return [];
    }
    const list = typeof parsed === 'object' && parsed !== null ? (parsed as { targets?: unknown }).targets : undefined;
    return Array.isArray(list) ? list.filter(isStored).sort((a, b) => b.saved.localeCompare(a.saved)) : [];
  }

  /** The token kept for a URL (in any spelling normalizeCloudUrl accepts), or undefined. */
  async tokenFor(url: string): Promise<string | undefined> {
    const key = normalizeCloudUrl(url);
    return (await this.list()).find((t) => t.url === key)?.token;
  }

  /** Remembers a URL and its token, replacing what the URL had. */
  save(url: string, token: string, now = new Date()): Promise<StoredCloudTarget> {
    const target: StoredCloudTarget = { url: normalizeCloudUrl(url), token, saved: now.toISOString() };
    return this.write((others) => [target, ...others.filter((t) => t.url !== target.url)].slice(0, MAX_TARGETS)).then(() => target);
  }

  /** Forgets a URL and its token; false when it was not remembered. */
  async forget(url: string): Promise<boolean> {
    const key = normalizeCloudUrl(url);
    let found = false;
    await this.write((all) => {
      found = all.some((t) => t.url === key);
      return all.filter((t) => t.url !== key);
    });
    return found;
  }

  private write(change: (all: StoredCloudTarget[]) => StoredCloudTarget[]): Promise<void> {
    const next = this.queue.then(async () => {
      const targets = change(await this.list());
      await mkdir(path.dirname(this.file), { recursive: true, mode: 0o700 });
      await writeFileAtomically(this.file, `${JSON.stringify({ targets }, null, 2)}\n`, SECRET_FILE_MODE);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
