import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RecentFile } from '../contract/studio-api.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';

const MAX_RECENT = 20;

function isRecent(x: unknown): x is RecentFile {
  if (typeof x !== 'object' || x === null) return false;
  const r = x as Record<string, unknown>;
  return typeof r['path'] === 'string' && (r['kind'] === 'spec' || r['kind'] === 'package') && typeof r['used'] === 'string';
}

/** Files opened or saved through the studio, most recent first, kept in one JSON file written atomically. */
export class RecentFiles {
  // Writes go one after another: two saves at once must not lose an entry.
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  /** The list; a missing or unreadable file is an empty list, not an error. */
  async list(): Promise<RecentFile[]> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return [];
    }
    const files = typeof parsed === 'object' && parsed !== null ? (parsed as { files?: unknown }).files : undefined;
    return Array.isArray(files) ? files.filter(isRecent).sort((a, b) => b.used.localeCompare(a.used)) : [];
  }

  touch(file: string, kind: RecentFile['kind'], now = new Date()): Promise<void> {
    const next = this.queue.then(async () => {
      const others = (await this.list()).filter((f) => f.path !== file);
      const files = [{ path: file, kind, used: now.toISOString() }, ...others].slice(0, MAX_RECENT);
      await mkdir(path.dirname(this.file), { recursive: true });
      await writeFileAtomically(this.file, `${JSON.stringify({ files }, null, 2)}\n`);
    });
    this.queue = next.catch(() => undefined);
    return next;
  }
}
