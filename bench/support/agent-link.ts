import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serveSerial, serveTcp, type AgentServerOptions, type RunningAgent } from '../../devices/agent/agent-server.js';
import { BoardClient } from '../../devices/link/board-client.js';
import { ProtocolError } from '../../devices/protocol/protocol-error.js';
import { openSerial } from '../../devices/transport/serial-transport.js';
import { connectTcp } from '../../devices/transport/tcp-transport.js';
import { throttle } from '../../devices/transport/throttled-transport.js';
import { counted, type CountedTransport } from './counted-transport.js';
import { socatPty, type SocatPty } from './socat-pty.js';

export type LinkKind = 'serial' | 'tcp';

/** The studio's end of a link, after the handshake. */
export interface StudioSide {
  readonly client: BoardClient;
  readonly wire: CountedTransport;
  /** Handshakes the agent turned away (ERROR busy) because it still served the link before. */
  readonly busyRefusals: number;
}

/** A board agent in this process on a fresh store, and the way to reach it. */
export interface AgentLink {
  readonly kind: LinkKind;
  readonly baud: number;
  /** What the agent reported, with when (performance clock). */
  readonly agentLog: readonly { readonly at: number; readonly text: string }[];
  /** Opens the studio's side, paced to baud ÷ 10 B/s, and shakes hands. */
  connect(): Promise<StudioSide>;
  /** Cuts the link under a push: serial kills socat (the cable pulled), TCP closes the studio's socket. */
  cut(side: StudioSide): Promise<void>;
  /** Makes the link usable after a cut: socat again on serial, nothing on TCP. */
  restore(): Promise<void>;
  /** Closes every studio side, stops the agent, removes its store. */
  stop(): Promise<void>;
}

/** Storage limit of the agents: room for the fp32 package too. */
const STORAGE_LIMIT = 64 << 20;
/** How many times a handshake refused as busy is tried again, and how long apart. */
const BUSY_TRIES = 100;
const BUSY_PAUSE_MS = 10;

async function handshake(open: () => Promise<CountedTransport>): Promise<StudioSide> {
  for (let busyRefusals = 0; ; busyRefusals++) {
    const wire = await open();
    try {
      return { client: await BoardClient.connect(wire, { helloTimeoutMs: 5000 }), wire, busyRefusals };
    } catch (error) {
      await wire.close().catch(() => undefined);
      // One link at a time: until the agent has put the previous session away, it answers busy.
      if (!(error instanceof ProtocolError && error.code === 'busy') || busyRefusals + 1 >= BUSY_TRIES) throw error;
      await new Promise((r) => setTimeout(r, BUSY_PAUSE_MS));
    }
  }
}

/** Starts an agent whose own writes are paced to baud ÷ 10 B/s, as a UART's would be, on `kind`. */
export async function openAgentLink(kind: LinkKind, baud: number): Promise<AgentLink> {
  const dir = await mkdtemp(path.join(tmpdir(), 'reframe-push-bench-'));
  const agentLog: { at: number; text: string }[] = [];
  const options: AgentServerOptions = {
    store: path.join(dir, 'store'),
    name: 'bench board',
    requireSignature: false,
    verifier: undefined,
    storageLimit: STORAGE_LIMIT,
    baud,
    engine: 'auto',
    report: (text) => agentLog.push({ at: performance.now(), text }),
  };
  const sides: StudioSide[] = [];
  let pty: SocatPty | undefined;
  let agent: RunningAgent;
  let open: () => Promise<CountedTransport>;
  try {
    if (kind === 'serial') {
      const p = await socatPty(dir);
      pty = p;
      agent = await serveSerial(p.b, options);
      open = async () => counted(await openSerial(p.a, { baud, throttle: true }));
    } else {
      const tcp = await serveTcp('127.0.0.1', 0, { ...options, mdns: false });
      agent = tcp;
      open = async () => counted(throttle(await connectTcp('127.0.0.1', tcp.port), baud / 10));
    }
  } catch (error) {
    await pty?.unplug();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    kind,
    baud,
    agentLog,
    async connect() {
      const side = await handshake(open);
      sides.push(side);
      return side;
    },
    async cut(side) {
      if (pty !== undefined) await pty.unplug();
      else await side.client.close();
    },
    async restore() {
      await pty?.replug();
    },
    async stop() {
      for (const s of sides) await s.client.close().catch(() => undefined);
      await agent.stop();
      await pty?.unplug();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
