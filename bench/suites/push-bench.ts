import { createRequire } from 'node:module';
import { encodePackage } from '../../core/package/encode-package.js';
import { initialValues } from '../../core/package/initial-values.js';
import { checkSpecValue } from '../../core/spec/load-spec.js';
import { findPreset } from '../../core/zoo/presets.js';
import { DEFAULT_WINDOW, pushPackage } from '../../devices/link/push.js';
import type { BenchFigure } from '../bench-result.js';
import { openAgentLink, type AgentLink, type LinkKind } from '../support/agent-link.js';
import { PushClock } from '../support/push-clock.js';

const PRESET = 'reframe-resnet18-cifar';
/** int8: 1.26 MB crosses 115200 baud in ~110 s; fp32 (4.5 MB) would take 390 s per run. */
const DTYPE = 'int8';
const BAUDS = [115_200, 921_600] as const;
/** The window `reframe push` uses on TCP (main/cli/push-command.ts); serial keeps DEFAULT_WINDOW. */
const TCP_WINDOW = 64 * 1024;
const ESPTOOL = 'esptool reaches about 49% of the line at 921600 baud (issue [4])';
/** The baud of the cut-and-resume runs. */
const CUT_BAUD = 921_600;

const SERIALPORT = (createRequire(import.meta.url)('serialport/package.json') as { version: string }).version;

/** The board package `reframe pack reframe-resnet18-cifar --dtype int8` writes (spec included). */
function boardPackage(): Uint8Array {
  const r = checkSpecValue(findPreset(PRESET)!.build());
  if (!r.ok) throw new Error(`${PRESET} must build`);
  return encodePackage(r.graph, initialValues(r.graph), { dtype: DTYPE });
}

/** 8N1: ten bits on the line per byte. */
const lineRate = (baud: number): number => baud / 10;
const windowOf = (kind: LinkKind): number => (kind === 'serial' ? DEFAULT_WINDOW : TCP_WINDOW);
const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function engineOf(kind: LinkKind): string {
  const agent = 'in-process agent on a fresh store';
  return kind === 'serial'
    ? `serialport ${SERIALPORT} over a socat pty, paced to baud/10 B/s both ways; ${agent}`
    : `TCP on 127.0.0.1 (Node ${process.version}), paced to baud/10 B/s both ways; ${agent}`;
}

function say(text: string): void {
  process.stderr.write(`push bench: ${text}\n`);
}

async function withLink<T>(kind: LinkKind, baud: number, run: (link: AgentLink) => Promise<T>): Promise<T> {
  const link = await openAgentLink(kind, baud);
  try {
    return await run(link);
  } finally {
    await link.stop();
  }
}

/**
 * Payload bytes ÷ seconds from the first CHUNK to the last ACK, against the line rate. The board's
 * COMMIT (hash, decode, regenerate and check every seeded tensor, write a slot) comes after and is
 * reported apart: it is the board's work, not the link's.
 */
function efficiency(pkg: Uint8Array, kind: LinkKind, baud: number): Promise<BenchFigure> {
  say(`${kind} ${baud} baud: ${pkg.length.toLocaleString('en-US')} bytes, about ${Math.round(pkg.length / lineRate(baud))} s`);
  return withLink(kind, baud, async (link) => {
    const { client, wire } = await link.connect();
    const clock = new PushClock(() => wire.bytesWritten);
    const window = windowOf(kind);
    const r = await pushPackage(client, pkg, { window, lineRate: lineRate(baud), onProgress: clock.onProgress });
    const finished = performance.now();
    const payload = pkg.length - r.resumedFrom;
    const seconds = clock.seconds;
    const wireBytes = clock.wireAtDone - clock.wireAtStart;
    return {
      suite: 'push',
      name: `push efficiency ${kind} ${baud} (${PRESET} ${DTYPE}, whole package)`,
      value: (100 * payload) / seconds / lineRate(baud),
      unit: '%',
      goal: { op: '>=', value: 95 },
      engine: engineOf(kind),
      detail: {
        measured: 'package bytes / seconds from the first CHUNK to the last ACK, over baud/10 B/s',
        bytes: payload,
        seconds: round(seconds),
        lineSeconds: round(payload / lineRate(baud)),
        commitSeconds: round((finished - clock.doneAt!) / 1000),
        resentBytes: r.bytesSent - payload,
        window,
        chunkSize: Math.min(client.maxChunk, window),
        wireBytes,
        framingPercent: round((100 * payload) / wireBytes, 2),
        lineBusyPercent: round((100 * wireBytes) / seconds / lineRate(baud), 2),
        esptool: ESPTOOL,
      },
    };
  });
}

/**
 * A push cut at about half, then the same push again: milliseconds from the studio opening the link
 * again to the first ACK past the offset the board kept. On serial the cut is the cable pulled (socat
 * killed, then started again); the agent opens its port again once a second, which is most of it.
 */
function resumeAfterCut(pkg: Uint8Array, kind: LinkKind): Promise<BenchFigure> {
  say(`${kind} ${CUT_BAUD} baud: cut at half, then resume`);
  return withLink(kind, CUT_BAUD, async (link) => {
    const options = { window: windowOf(kind), lineRate: lineRate(CUT_BAUD) };
    const first = await link.connect();
    const before = new PushClock(() => first.wire.bytesWritten);
    let cutting: Promise<void> | undefined;
    const lost = await pushPackage(first.client, pkg, {
      ...options,
      onProgress: (p) => {
        before.onProgress(p);
        if (cutting === undefined && p.acked >= pkg.length / 2) cutting = link.cut(first);
      },
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    await cutting;
    if (lost === undefined) throw new Error(`the ${kind} push finished before the cut`);
    await first.client.close().catch(() => undefined);
    await link.restore();

    const reconnecting = performance.now();
    const second = await link.connect();
    const connected = performance.now();
    const after = new PushClock(() => second.wire.bytesWritten);
    const r = await pushPackage(second.client, pkg, { ...options, onProgress: after.onProgress });
    if (after.firstAdvanceAt === undefined) throw new Error('the resumed push never advanced');
    const back = link.agentLog.find((l) => l.at > reconnecting && l.text.includes('is back'));
    return {
      suite: 'push',
      name: `time to resume after a cut, ${kind} ${CUT_BAUD} (${kind === 'serial' ? 'socat killed and restarted' : 'socket closed'} at half)`,
      value: after.firstAdvanceAt - reconnecting,
      unit: 'ms',
      engine: engineOf(kind),
      detail: {
        measured: 'from opening the link again to the first ACK past the resume offset (the bytes below it are not sent again)',
        cutBy: kind === 'serial' ? 'socat killed (both ptys vanish), then started again on the same paths' : "the studio's socket closed mid-push",
        resumeOffset: r.resumedFrom,
        ackedAtCut: before.acked,
        sentAtCut: before.sent,
        resentAfterCut: Math.max(0, before.sent - r.resumedFrom),
        handshakeMs: round(connected - reconnecting, 1),
        firstAckAfterHandshakeMs: round(after.firstAdvanceAt - connected, 1),
        ...(back === undefined ? {} : { agentReopenedPortMs: round(back.at - reconnecting, 1), agentReopens: 'its port once a second' }),
        busyRefusals: second.busyRefusals,
        resumedPushSeconds: round(r.seconds),
        bytes: pkg.length,
      },
    };
  });
}

/** Push efficiency against the line rate, and the time to resume after a cut (issue [4] "Boards"). */
export async function pushBench(): Promise<BenchFigure[]> {
  const pkg = boardPackage();
  const figures: BenchFigure[] = [];
  for (const kind of ['serial', 'tcp'] as const) for (const baud of BAUDS) figures.push(await efficiency(pkg, kind, baud));
  for (const kind of ['serial', 'tcp'] as const) figures.push(await resumeAfterCut(pkg, kind));
  return figures;
}
