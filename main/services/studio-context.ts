import path from 'node:path';
import type { EventHub } from './event-hub.js';
import { ServiceError } from './service-error.js';

/** What every service area shares: where the studio works and where it reports. */
export interface StudioContext {
  /** Absolute: packages, runs and relative paths live here. */
  readonly workspace: string;
  /** Absolute: the user's studio settings (recent files, remembered boards). */
  readonly configDir: string;
  readonly events: EventHub;
}

/** A path from the UI, relative ones taken from the workspace. */
export function resolvePath(ctx: StudioContext, p: string): string {
  return path.resolve(ctx.workspace, p);
}

/** A path that must lie inside the workspace (deleting is only allowed there). */
export function insideWorkspace(ctx: StudioContext, p: string): string {
  const full = resolvePath(ctx, p);
  const rel = path.relative(ctx.workspace, full);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    throw new ServiceError('outside-workspace', `${full} is not inside the workspace ${ctx.workspace}`, 'the studio only deletes files in its workspace: delete others with your file manager');
  }
  return full;
}

/** A short, unique, sortable id: the time and a random tail. */
export function newId(prefix: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${prefix}-${stamp}-${Math.random().toString(36).slice(2, 8)}`;
}
