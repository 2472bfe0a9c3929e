import { isIP } from 'node:net';
import type { EnginePreference } from '../../core/node/engine/tf-engine.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { advertiseAgent } from '../discovery/mdns.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { openSerial } from '../transport/serial-transport.js';
import { listenTcp, type TcpListener } from '../transport/tcp-transport.js';
import { throttle } from '../transport/throttled-transport.js';
import type { Transport } from '../transport/transport.js';
import { AgentInference } from './agent-inference.js';
import { BoardAgent, type Notice } from './board-agent.js';
import type { CommitPolicy } from './commit-checks.js';
import { openSlotStore } from './slot-store.js';
import { openUploadStore } from './upload-store.js';

export interface AgentServerOptions {
  /** The directory holding the slots and the pending upload. */
  readonly store: string;
  readonly name: string;
  readonly requireSignature: boolean;
  readonly verifier: CommitPolicy['verifier'];
  /** The largest upload or package the board stores, in bytes. */
  readonly storageLimit: number;
  /** Pace the agent's own writes to baud ÷ 10 bytes per second (8N1), as a UART would. */
  readonly baud?: number;
  readonly engine?: EnginePreference;
  /** TCP: how long a session must have been silent before a new connection takes its place (default 15 s). */
  readonly takeoverSilenceMs?: number;
  /** Sentences for the person running the agent. */
  readonly report: (sentence: string) => void;
}

export interface RunningAgent {
  /** `serial /dev/ttyUSB0` or `tcp 0.0.0.0:5577`. */
  readonly where: string;
  readonly agent: BoardAgent;
  /** `active: 3f5a…` or `active: none`, for the ready line. */
  describeActive(): string;
  /** Ends the session (recording the upload's progress), stops listening and advertising. */
  stop(): Promise<void>;
}

async function openAgent(o: AgentServerOptions): Promise<{ agent: BoardAgent; inference: AgentInference; active: () => string }> {
  const notices: Notice[] = [];
  const log = (level: Notice['level'], text: string): void => {
    notices.push({ level, text });
    o.report(text);
  };
  const slots = await openSlotStore(o.store, { log });
  const uploads = await openUploadStore(o.store, { limit: o.storageLimit, log });
  const inference = await AgentInference.start(o.engine ?? 'auto');
  const agent = new BoardAgent({
    slots,
    uploads,
    inference,
    policy: { requireSignature: o.requireSignature, verifier: o.verifier, maxBytes: o.storageLimit },
    name: o.name,
    notices,
    report: o.report,
  });
  const active = (): string => {
    const d = slots.state().active;
    return `active: ${d === undefined ? 'none' : `${toHex(d).slice(0, 16)}…`}`;
  };
  return { agent, inference, active };
}

const paced = (t: Transport, baud: number | undefined): Transport => (baud === undefined ? t : throttle(t, baud / 10));

/**
 * The agent on a serial port. When the port goes away (a USB board unplugged, the pty's socat gone)
 * it is opened again every quarter second until it is back: a board keeps serving whoever plugs in, and
 * a replugged cable costs little of the resume.
 */
export async function serveSerial(path: string, o: AgentServerOptions): Promise<RunningAgent> {
  const open = (): Promise<Transport> => openSerial(path, { ...(o.baud === undefined ? {} : { baud: o.baud, throttle: true }) });
  // Open the port before anything slow, so a wrong path fails at once.
  let transport: Transport | undefined = await open();
  const { agent, inference, active } = await openAgent(o);
  let stopping = false;
  let wake: () => void = () => undefined;
  const loop = (async () => {
    while (!stopping) {
      if (transport === undefined) {
        try {
          transport = await open();
          o.report(`serial ${path} is back`);
        } catch {
          // A ref'd timer: while the port is gone, it is what keeps the agent alive.
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, REOPEN_MS);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
          continue;
        }
      }
      await agent.serve(transport);
      transport = undefined;
      if (!stopping) o.report(`serial ${path} went away; opening it again until it is back`);
    }
  })();
  return {
    where: `serial ${path}`,
    agent,
    describeActive: active,
    async stop() {
      stopping = true;
      wake();
      await agent.stop();
      await transport?.close().catch(() => undefined);
      await loop;
      inference.dispose();
    },
  };
}

const REOPEN_MS = 250;

/**
 * A session silent this long gives way to a new connection: a studio that vanished without closing
 * (Wi-Fi gone, laptop asleep) must not lock the board until the agent restarts. The studio itself
 * never stays silent that long mid-push: it resends within a second.
 */
export const TAKEOVER_SILENCE_MS = 15_000;

/** The agent on TCP: one studio at a time, a second connection gets ERROR busy; advertised over mDNS. */
export async function serveTcp(host: string, port: number, o: AgentServerOptions & { readonly mdns: boolean }): Promise<RunningAgent & { readonly port: number }> {
  const { agent, inference, active } = await openAgent(o);
  let listener: TcpListener;
  try {
    listener = await listenTcp(host, port, (t) => {
      const link = paced(t, o.baud);
      if (!agent.busy) return void agent.serve(link);
      if (agent.silentMs < (o.takeoverSilenceMs ?? TAKEOVER_SILENCE_MS)) return void agent.refuse(link);
      o.report(`the current studio has been silent for ${(agent.silentMs / 1000).toFixed(0)} s: serving ${link.label} instead`);
      void agent.stop().then(() => agent.serve(link));
    });
  } catch (error) {
    inference.dispose();
    throw error;
  }
  const bound = listener.port;
  const wildcard = host === '0.0.0.0' || host === '::' || host === '';
  const advert = o.mdns
    ? advertiseAgent({
        name: o.name,
        port: bound,
        runtime: agent.runtime,
        version: String(PROTOCOL_VERSION),
        // Listening on one address: announce on that interface only.
        ...(!wildcard && isIP(host) !== 0 ? { interface: host } : {}),
        onError: (error) => o.report(`mDNS announcement failed (${error.message}); studios can still connect by address`),
      })
    : undefined;
  return {
    where: `tcp ${host.includes(':') ? `[${host}]` : host}:${bound}`,
    port: bound,
    agent,
    describeActive: active,
    async stop() {
      await agent.stop();
      await listener.close();
      await advert?.stop();
      inference.dispose();
    },
  };
}
