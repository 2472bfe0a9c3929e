import { SingleBar } from 'cli-progress';
import { readPackageFile } from '../../core/node/package-files.js';
import { formatBytes } from '../../core/format/quantity.js';
import { PushedPackages } from '../../devices/link/pushed-packages.js';
import { makeDelta } from '../../core/package/delta-package.js';
import { decodePackage } from '../../core/package/decode-package.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { DEFAULT_WINDOW, pushPackage, type DeltaOffer, type PushProgress } from '../../devices/link/push.js';
import { openBoard, type BoardTargetOptions } from './board-target.js';
import { CliError } from './cli-error.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';

export interface PushCommandOptions extends BoardTargetOptions {
  readonly deltaFrom?: string[];
  readonly window?: string;
  readonly json: boolean;
}

/** Windows that never deadlocked serialport (DESIGN.md §7); a socket has room for more. */
const TCP_WINDOW = 64 * 1024;

const rate = (bytesPerSecond: number): string => `${formatBytes(bytesPerSecond)}/s`;

function windowOf(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 64) throw new CliError(`--window ${text}: expected a whole number of bytes, at least 64`);
  return n;
}

/**
 * Offers a delta when the board runs one of the given bases, or a package this studio pushed before
 * (the cache of pushed packages), so the user rarely has to name the base.
 */
async function deltaSource(target: Uint8Array, files: readonly string[], pushed: PushedPackages): Promise<(active: Uint8Array) => Promise<DeltaOffer | undefined>> {
  const bases = await Promise.all(files.map(async (f) => ({ bytes: await readPackageFile(f), file: f })));
  const byDigest = new Map(bases.map((b) => [toHex(fileDigest(b.bytes)), b.bytes]));
  return async (active) => {
    const base = byDigest.get(toHex(active)) ?? (await pushed.find(active));
    return base === undefined ? undefined : { delta: makeDelta(base, target), base };
  };
}

function progressBar(): { update: (p: PushProgress) => void; stop: () => void } {
  const bar = new SingleBar({ format: '{kind} |{bar}| {acked}/{size} · {speed} · ETA {left}', stream: process.stderr, hideCursor: true });
  let started = false;
  return {
    update: (p) => {
      const fields = { kind: p.kind, acked: formatBytes(p.acked), size: formatBytes(p.total), speed: rate(p.bytesPerSecond), left: p.etaSeconds === undefined ? '-' : `${p.etaSeconds.toFixed(p.etaSeconds < 10 ? 1 : 0)} s` };
      if (!started) {
        bar.start(p.total, p.acked, fields);
        started = true;
      } else bar.update(p.acked, fields);
    },
    stop: () => {
      if (started) bar.stop();
      started = false;
    },
  };
}

/** `reframe push`: sends a package to a board, resuming and using a delta where it can. */
export async function pushCommand(file: string, o: PushCommandOptions, signal?: AbortSignal): Promise<string> {
  const bytes = await readPackageFile(file);
  // The board runs every check too; failing here saves a transfer and names the check at once.
  const pkg = decodePackage(bytes);
  const pushed = new PushedPackages();
  const delta = await deltaSource(bytes, o.deltaFrom ?? [], pushed);
  const board = await openBoard(o);
  const bar = progressBar();
  try {
    const info = board.client.lastInfo;
    const r = await pushPackage(board.client, bytes, {
      window: windowOf(o.window, board.kind === 'tcp' ? TCP_WINDOW : DEFAULT_WINDOW),
      ...(board.lineRate === undefined ? {} : { lineRate: board.lineRate }),
      delta,
      onProgress: bar.update,
      ...(signal === undefined ? {} : { signal }),
    });
    bar.stop();
    // For the next push's delta; a cache that cannot be written costs a full push later, nothing now.
    await pushed.remember(bytes).catch((error: unknown) => process.stderr.write(`note: could not keep a copy in ${pushed.dir} for later deltas (${error instanceof Error ? error.message : String(error)})\n`));
    const effective = r.seconds > 0 ? r.bytesSent / r.seconds : 0;
    if (o.json) {
      return `${JSON.stringify(
        {
          file,
          board: { name: info.name, runtime: info.runtime, link: board.client.label },
          kind: r.kind,
          packageBytes: bytes.length,
          bytesSent: r.bytesSent,
          resumedFrom: r.resumedFrom,
          seconds: r.seconds,
          bytesPerSecond: effective,
          active: r.state.active === undefined ? null : toHex(r.state.active),
          previous: r.state.previous === undefined ? null : toHex(r.state.previous),
        },
        null,
        2,
      )}\n`;
    }
    const what = `${file} (${pkg.graph.name}, sha256 ${toHex(fileDigest(bytes)).slice(0, 16)}…)`;
    const where = `${info.name} over ${board.client.label}`;
    switch (r.kind) {
      case 'already-active':
        return `${where} already runs ${what}: nothing sent\n`;
      case 'activated-previous':
        return `${where} held ${what} as its previous package: activated, nothing sent\n`;
      case 'full':
      case 'delta':
        return `pushed ${what} to ${where}: ${r.kind}, ${r.bytesSent.toLocaleString('en-US')} bytes in ${r.seconds.toFixed(2)} s (${rate(effective)}), resumed from byte ${r.resumedFrom.toLocaleString('en-US')}; now active\n`;
    }
  } finally {
    bar.stop();
    await board.close();
  }
}
