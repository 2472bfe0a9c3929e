import { access } from 'node:fs/promises';
import type { BenchResultData, BoardInfoData, BoardList, BoardStateData, NetworkBoard, SerialPortData, StudioApi } from '../contract/studio-api.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { browseAgents } from '../../devices/discovery/mdns.js';
import { listSerialPorts, type SerialPortEntry } from '../../devices/discovery/serial-ports.js';
import type { BoardState } from '../../devices/link/board-client.js';
import type { BoardInfo } from '../../devices/protocol/messages.js';
import { loadRememberedBoards } from '../cli/board-memory.js';
import { boardsFileOf, rememberedData, withBoard, type BoardConnector } from './board-link.js';
import type { PackageService } from './package-service.js';
import { checkBoardTarget, checkOptionalCount } from './request-checks.js';
import { ServiceError } from './service-error.js';
import type { StudioContext } from './studio-context.js';

type BoardApi = Pick<StudioApi, 'listBoards' | 'boardInfo' | 'activatePackage' | 'rollbackBoard' | 'benchBoard'>;

const DEFAULT_MDNS_MS = 1500;
const DEFAULT_BENCH_RUNS = 10;

export interface BoardServiceOptions {
  readonly connect: BoardConnector;
  /** Serial ports the OS lists; tests give a fixed list. */
  readonly listSerial?: () => Promise<readonly SerialPortEntry[]>;
  /** Agents answering mDNS; tests keep it off the network. */
  readonly browse?: (timeoutMs: number) => Promise<readonly NetworkBoard[]>;
}

const hex = (d: Uint8Array | undefined): string | null => (d === undefined ? null : toHex(d));
const exists = (p: string): Promise<boolean> => access(p).then(() => true, () => false);

export function serialPortData(p: SerialPortEntry): SerialPortData {
  return { path: p.path, manufacturer: p.manufacturer ?? null, serialNumber: p.serialNumber ?? null, vendorId: p.vendorId ?? null, productId: p.productId ?? null };
}

export function stateData(s: BoardState): BoardStateData {
  return { active: hex(s.active), previous: hex(s.previous) };
}

async function infoData(info: BoardInfo, link: string, packages: PackageService): Promise<BoardInfoData> {
  const active = hex(info.active);
  const previous = hex(info.previous);
  return {
    name: info.name,
    runtime: info.runtime,
    link,
    protocolVersion: info.version,
    maxMessage: info.maxMessage,
    capabilities: { ...info.capabilities },
    ramBytes: info.ramBytes,
    storageBytes: info.storageBytes,
    active,
    previous,
    pending: info.pending === undefined ? null : { digest: toHex(info.pending.digest), size: info.pending.size, offset: info.pending.offset },
    activePackage: active === null ? null : ((await packages.findByDigest(active)) ?? null),
    previousPackage: previous === null ? null : ((await packages.findByDigest(previous)) ?? null),
  };
}

/** A digest as 64 hex digits, or the unique start (8+ digits) of one the board holds. */
function resolveDigest(text: unknown, info: BoardInfo): Uint8Array {
  if (typeof text !== 'string' || !/^[0-9a-f]{8,64}$/i.test(text)) {
    throw new ServiceError('bad-digest', `"${String(text)}" is not a package digest`, "give the package's sha256: 64 hex digits, or the start of one the board holds");
  }
  const held = [info.active, info.previous].filter((d): d is Uint8Array => d !== undefined);
  const matches = held.filter((d) => toHex(d).startsWith(text.toLowerCase()));
  if (matches.length === 1) return matches[0] as Uint8Array;
  if (text.length === 64) return Uint8Array.from(text.match(/../g) ?? [], (h) => parseInt(h, 16));
  throw new ServiceError('not-found', `the board holds no package whose sha256 starts with ${text}`, 'push the package instead; the board info lists what it holds');
}

/** Boards: discovery, and the short actions that open a link, do one thing and close it. */
export function createBoardService(ctx: StudioContext, packages: PackageService, o: BoardServiceOptions): BoardApi {
  const listSerial = o.listSerial ?? listSerialPorts;
  const browse = o.browse ?? ((ms: number) => browseAgents(ms));

  return {
    async listBoards(mdnsTimeoutMs): Promise<BoardList> {
      const timeout = checkOptionalCount(mdnsTimeoutMs, 'the mDNS timeout', 0, 30_000) ?? DEFAULT_MDNS_MS;
      const [serial, network, remembered] = await Promise.all([
        listSerial().then(
          (ports) => ({ ports: ports.map(serialPortData), problem: null }),
          (error: unknown) => ({ ports: [] as SerialPortData[], problem: error instanceof Error ? error.message : String(error) }),
        ),
        timeout === 0 ? Promise.resolve([] as NetworkBoard[]) : browse(timeout).then((list) => list.map((a) => ({ ...a }))),
        loadRememberedBoards(boardsFileOf(ctx)).then((list) => Promise.all(list.map(async (b) => rememberedData(b, b.kind === 'serial' ? await exists(b.address) : null)))),
      ]);
      return { serial: serial.ports, serialProblem: serial.problem, network, remembered: remembered.filter((r) => r !== undefined) };
    },

    boardInfo(given) {
      return withBoard(ctx, o.connect, checkBoardTarget(given), async (b) => infoData(await b.client.info(), b.client.label, packages));
    },

    activatePackage(given, digest) {
      return withBoard(ctx, o.connect, checkBoardTarget(given), async (b) => stateData(await b.client.activate(resolveDigest(digest, b.client.lastInfo))));
    },

    rollbackBoard(given) {
      return withBoard(ctx, o.connect, checkBoardTarget(given), async (b) => stateData(await b.client.rollback()));
    },

    benchBoard(given, runsGiven): Promise<BenchResultData> {
      const target = checkBoardTarget(given);
      const runs = checkOptionalCount(runsGiven, 'the number of runs', 1, 65_535) ?? DEFAULT_BENCH_RUNS;
      return withBoard(ctx, o.connect, target, async (b) => {
        const r = await b.client.bench(runs);
        return {
          board: b.client.lastInfo.name,
          engine: r.engine,
          runs: r.runs,
          totalMicros: r.layers.reduce((s, l) => s + l.micros, 0),
          layers: r.layers.map((l) => ({ index: l.index, name: l.name, op: l.op, micros: l.micros })),
        };
      });
    },
  };
}
