import type { PushResultData, StudioApi } from '../contract/studio-api.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { makeDelta } from '../../core/package/delta-package.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { DEFAULT_WINDOW, pushPackage, type DeltaOffer } from '../../devices/link/push.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';
import { withBoard, type BoardConnector } from './board-link.js';
import { stateData } from './board-service.js';
import { isDeltaBytes } from './package-details.js';
import { checkId, checkPushRequest } from './request-checks.js';
import { describeStudioError, ServiceError } from './service-error.js';
import { newId, resolvePath, type StudioContext } from './studio-context.js';

/** A socket has room for more than a serial line (DESIGN.md §7), as `reframe push` uses. */
const TCP_WINDOW = 64 * 1024;
/** Progress events at most this often by default; the last one always goes. */
const PROGRESS_EVENT_MS = 100;

type PushApi = Pick<StudioApi, 'pushPackage' | 'cancelPush'>;

export interface PushService extends PushApi {
  /** Cancels every push and waits for them to stop. */
  dispose(): Promise<void>;
}

/** A delta offer for whichever of the given packages the board runs. */
async function deltaSource(target: Uint8Array, files: readonly string[]): Promise<((active: Uint8Array) => DeltaOffer | undefined) | undefined> {
  if (files.length === 0) return undefined;
  const bases = await Promise.all(files.map((f) => readPackageFile(f)));
  const byDigest = new Map(bases.map((b) => [toHex(fileDigest(b)), b]));
  return (active) => {
    const base = byDigest.get(toHex(active));
    return base === undefined ? undefined : { delta: makeDelta(base, target), base };
  };
}

/**
 * Pushes: each one checks the package first, then runs over its own link with progress as `push.*`
 * events; cancelling stops between chunks and the board keeps what it has, so the same push resumes.
 */
export function createPushService(ctx: StudioContext, connect: BoardConnector, o: { readonly progressEveryMs?: number } = {}): PushService {
  const every = o.progressEveryMs ?? PROGRESS_EVENT_MS;
  const active = new Map<string, { readonly abort: AbortController; readonly settled: Promise<void> }>();

  return {
    async pushPackage(given) {
      const request = checkPushRequest(given);
      const file = resolvePath(ctx, request.packagePath);
      const bytes = await readPackageFile(file);
      if (isDeltaBytes(bytes)) throw new ServiceError('is-delta', `${file} is a delta`, 'push the full package: the studio makes a delta itself when the board runs one of the packages you name as bases');
      // The board runs every check too; failing here saves a transfer and names the check at once.
      decodePackage(bytes);
      const delta = await deltaSource(bytes, (request.deltaFrom ?? []).map((f) => resolvePath(ctx, f)));
      const pushId = newId('push');
      const abort = new AbortController();
      let last = 0;
      const settled = withBoard(ctx, connect, request.target, async (link) => {
        const started = performance.now();
        const r = await pushPackage(link.client, bytes, {
          window: request.window ?? (request.target.kind === 'tcp' ? TCP_WINDOW : DEFAULT_WINDOW),
          ...(link.lineRate === undefined ? {} : { lineRate: link.lineRate }),
          ...(delta === undefined ? {} : { delta }),
          signal: abort.signal,
          onProgress: (p) => {
            const now = performance.now();
            if (now - last < every && p.acked < p.total) return;
            last = now;
            ctx.events.emit('push.progress', { pushId, sent: p.sent, acked: p.acked, total: p.total, bytesPerSecond: p.bytesPerSecond, etaSeconds: p.etaSeconds ?? null, resumedFrom: p.resumedFrom, kind: p.kind });
          },
        });
        const seconds = (performance.now() - started) / 1000;
        const result: PushResultData = {
          kind: r.kind,
          packageBytes: bytes.length,
          bytesSent: r.bytesSent,
          resumedFrom: r.resumedFrom,
          seconds: r.seconds,
          bytesPerSecond: seconds > 0 ? r.bytesSent / seconds : 0,
          state: stateData(r.state),
          board: link.client.lastInfo.name,
        };
        return result;
      }).then(
        (result) => {
          // Gone from the running pushes before anyone hears it ended: a listener may push again at once.
          active.delete(pushId);
          ctx.events.emit('push.done', { pushId, result });
        },
        (error: unknown) => {
          active.delete(pushId);
          ctx.events.emit('push.failed', { pushId, error: describeStudioError(error) });
        },
      );
      active.set(pushId, { abort, settled });
      return { pushId };
    },

    async cancelPush(given) {
      const pushId = checkId(given);
      const p = active.get(pushId);
      if (p === undefined) throw new ServiceError('not-running', `push ${pushId} is not running`, 'it has finished or failed already');
      p.abort.abort();
    },

    async dispose() {
      const pushes = [...active.values()];
      for (const p of pushes) p.abort.abort();
      await Promise.all(pushes.map((p) => p.settled));
    },
  };
}
