import { Bonjour, type Service, type ServiceConfig } from 'bonjour-service';

/** mDNS service type of a board agent: `_reframe._tcp` (docs/protocol.md, "Discovery"). */
export const AGENT_SERVICE_TYPE = 'reframe';

export interface MdnsOptions {
  /**
   * Address of the one interface to use (e.g. `127.0.0.1`); default every interface. Tests use
   * loopback so no packet leaves the machine.
   */
  readonly interface?: string;
  /** Advertising is best effort: problems (a name clash, port 5353 refused) are reported here. */
  readonly onError?: (error: Error) => void;
}

export interface AgentAdvert {
  /** The board's name, as INFO reports it. */
  readonly name: string;
  readonly port: number;
  readonly runtime: string;
  /** Protocol version (docs/protocol.md). */
  readonly version: string;
}

export interface FoundAgent {
  readonly name: string;
  /** An address the answer came from (reachable by definition), else one the agent announced. */
  readonly host: string;
  readonly port: number;
  readonly runtime: string;
  readonly version: string;
}

function bonjourFor(o: MdnsOptions): Bonjour {
  // multicast-dns binds to the interface address when given one, and a socket bound to 127.0.0.1
  // never receives packets sent to 224.0.0.251: bind the wildcard and choose the interface apart.
  const config = o.interface === undefined ? {} : { interface: o.interface, bind: '0.0.0.0' };
  // Bonjour hands its first argument to multicast-dns as is; its type names only the service defaults.
  return new Bonjour(config as unknown as Partial<ServiceConfig>, (error: Error) => o.onError?.(error));
}

/** Announces a board agent on the local network until stop() (which sends goodbyes first). */
export function advertiseAgent(a: AgentAdvert & MdnsOptions): { stop(): Promise<void> } {
  const bonjour = bonjourFor(a);
  const service = bonjour.publish({
    name: a.name,
    type: AGENT_SERVICE_TYPE,
    protocol: 'tcp',
    port: a.port,
    txt: { name: a.name, runtime: a.runtime, version: a.version },
  });
  service.on('error', (error: Error) => a.onError?.(error));
  let stopped: Promise<void> | undefined;
  return {
    stop: () =>
      (stopped ??= new Promise<void>((resolve) => {
        bonjour.unpublishAll(() => bonjour.destroy(() => resolve()));
      })),
  };
}

function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  return undefined;
}

/** What a browser's service record says about an agent; undefined when it lacks a port or an address. */
export function agentFromService(s: Service): FoundAgent | undefined {
  const txt = (s.txt ?? {}) as Record<string, unknown>;
  const addresses = s.addresses ?? [];
  const host = s.referer?.address ?? addresses.find((a) => !a.includes(':')) ?? addresses[0] ?? (s.host === '' ? undefined : s.host);
  if (host === undefined || !(s.port > 0)) return undefined;
  return {
    name: text(txt['name']) ?? s.name,
    host,
    port: s.port,
    runtime: text(txt['runtime']) ?? 'unknown runtime',
    version: text(txt['version']) ?? '?',
  };
}

/** One entry per host and port (an agent answers on every interface), sorted by name. */
export function agentsFromServices(services: readonly Service[]): FoundAgent[] {
  const byAddress = new Map<string, FoundAgent>();
  for (const s of services) {
    const a = agentFromService(s);
    if (a !== undefined) byAddress.set(`${a.host}|${a.port}`, a);
  }
  return [...byAddress.values()].sort((x, y) => x.name.localeCompare(y.name) || x.host.localeCompare(y.host) || x.port - y.port);
}

/** Listens for agents for `timeoutMs` and returns those that answered. */
export function browseAgents(timeoutMs: number, o: MdnsOptions = {}): Promise<FoundAgent[]> {
  const bonjour = bonjourFor(o);
  const browser = bonjour.find({ type: AGENT_SERVICE_TYPE, protocol: 'tcp' });
  return new Promise((resolve) => {
    setTimeout(() => {
      // The browser's list, not every 'up' seen: an agent that said goodbye meanwhile is gone.
      const found = agentsFromServices(browser.services);
      browser.stop();
      bonjour.destroy(() => resolve(found));
    }, timeoutMs);
  });
}
