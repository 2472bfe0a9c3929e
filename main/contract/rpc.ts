// The one generic proxy that carries StudioApi over any message channel (Electron IPC, a WebSocket, an
// in-memory pair in tests). Calls and events are data; no channel has a hand-written method.
import {
  isStudioEvent,
  isStudioMethod,
  STUDIO_METHOD_ARITY,
  type StudioApi,
  type StudioErrorData,
  type StudioEventName,
  type StudioEvents,
  type StudioMethodName,
} from './studio-api.js';

export type RpcMessage =
  | { readonly kind: 'call'; readonly id: number; readonly method: StudioMethodName; readonly args: readonly unknown[] }
  | { readonly kind: 'result'; readonly id: number; readonly value: unknown }
  | { readonly kind: 'error'; readonly id: number; readonly error: StudioErrorData }
  | { readonly kind: 'event'; readonly event: StudioEventName; readonly payload: unknown }
  | { readonly kind: 'subscribe'; readonly event: StudioEventName }
  | { readonly kind: 'unsubscribe'; readonly event: StudioEventName };

/** Messages that go from the UI to the studio; the rest go the other way. */
export type RpcRequest = Extract<RpcMessage, { kind: 'call' | 'subscribe' | 'unsubscribe' }>;

/** A two-way message pipe. The Electron preload's `window.studio` is one; so is websocketChannel(). */
export interface Channel {
  send(message: RpcMessage): void;
  onMessage(listener: (message: RpcMessage) => void): () => void;
  /** When the pipe ends for good (a WebSocket closes): waiting calls fail instead of hanging. */
  onClose?(listener: (error: StudioErrorData) => void): () => void;
}

/** Subscribing to the studio's events: services implement it, serveApi forwards what a client asked for. */
export interface StudioEventSource {
  on<E extends StudioEventName>(event: E, listener: (payload: StudioEvents[E]) => void): () => void;
}

/** What a failed call rejects with on the UI side: the code, the sentence, and what to do. */
export class StudioApiError extends Error implements StudioErrorData {
  readonly code: string;
  readonly hint: string;
  readonly issues?: NonNullable<StudioErrorData['issues']>;

  constructor(data: StudioErrorData) {
    super(data.message);
    this.name = 'StudioApiError';
    this.code = data.code;
    this.hint = data.hint;
    if (data.issues !== undefined) this.issues = data.issues;
  }
}

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isId = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Whether a call names a method of StudioApi with an argument count it takes. */
export function arityAccepts(method: StudioMethodName, count: number): boolean {
  const [fewest, most] = STUDIO_METHOD_ARITY[method];
  return count >= fewest && count <= most;
}

function isErrorData(x: unknown): x is StudioErrorData {
  return isRecord(x) && typeof x['code'] === 'string' && typeof x['message'] === 'string' && typeof x['hint'] === 'string';
}

/**
 * The message, when `x` is a well-formed one (any kind); undefined otherwise. Every side checks what it
 * receives: the server and the preload must not trust the renderer, nor the renderer a stray socket.
 */
export function parseRpcMessage(x: unknown): RpcMessage | undefined {
  if (!isRecord(x)) return undefined;
  switch (x['kind']) {
    case 'call':
      return isId(x['id']) && isStudioMethod(x['method']) && Array.isArray(x['args']) && arityAccepts(x['method'], x['args'].length)
        ? { kind: 'call', id: x['id'], method: x['method'], args: x['args'] as unknown[] }
        : undefined;
    case 'result':
      return isId(x['id']) ? { kind: 'result', id: x['id'], value: x['value'] } : undefined;
    case 'error':
      return isId(x['id']) && isErrorData(x['error']) ? { kind: 'error', id: x['id'], error: x['error'] } : undefined;
    case 'event':
      return isStudioEvent(x['event']) ? { kind: 'event', event: x['event'], payload: x['payload'] } : undefined;
    case 'subscribe':
    case 'unsubscribe':
      return isStudioEvent(x['event']) ? { kind: x['kind'], event: x['event'] } : undefined;
    default:
      return undefined;
  }
}

/** A message the UI may send: a well-formed call, subscribe or unsubscribe. */
export function parseRpcRequest(x: unknown): RpcRequest | undefined {
  const m = parseRpcMessage(x);
  return m !== undefined && (m.kind === 'call' || m.kind === 'subscribe' || m.kind === 'unsubscribe') ? m : undefined;
}

export interface ApiClient {
  readonly api: StudioApi;
  /** Listens to one event; returns the function that stops listening. */
  on<E extends StudioEventName>(event: E, listener: (payload: StudioEvents[E]) => void): () => void;
  /** Stops listening to the channel; calls still waiting fail. */
  close(): void;
}

const CLOSED: StudioErrorData = {
  code: 'disconnected',
  message: 'the connection to the studio was closed',
  hint: 'reload the window; if that fails, the studio stopped: start it again with `npm start`',
};

/**
 * StudioApi over a channel, as a JS Proxy: any method of STUDIO_METHODS becomes a numbered call whose
 * promise settles with the matching result or error. Events are subscribed on the far side only while
 * someone here listens.
 */
export function createApiClient(channel: Channel): ApiClient {
  let nextId = 1;
  let closed: StudioErrorData | undefined;
  const waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  const listeners = new Map<StudioEventName, Set<(payload: never) => void>>();

  const fail = (error: StudioErrorData): void => {
    if (closed !== undefined) return;
    closed = error;
    const calls = [...waiting.values()];
    waiting.clear();
    for (const c of calls) c.reject(new StudioApiError(error));
  };

  const stopMessages = channel.onMessage((raw) => {
    const m = parseRpcMessage(raw);
    if (m === undefined) return;
    if (m.kind === 'result' || m.kind === 'error') {
      const call = waiting.get(m.id);
      if (call === undefined) return;
      waiting.delete(m.id);
      if (m.kind === 'result') call.resolve(m.value);
      else call.reject(new StudioApiError(m.error));
    } else if (m.kind === 'event') {
      for (const l of [...(listeners.get(m.event) ?? [])]) (l as (p: unknown) => void)(m.payload);
    }
  });
  const stopClose = channel.onClose?.((error) => fail(error));

  const call = (method: StudioMethodName, given: readonly unknown[]): Promise<unknown> => {
    if (closed !== undefined) return Promise.reject(new StudioApiError(closed));
    // Trailing undefined would become null in JSON: an optional argument left out is not sent.
    const args = [...given];
    while (args.length > 0 && args[args.length - 1] === undefined) args.pop();
    if (!arityAccepts(method, args.length)) {
      const [fewest, most] = STUDIO_METHOD_ARITY[method];
      return Promise.reject(new StudioApiError({ code: 'bad-call', message: `${method} takes ${fewest === most ? fewest : `${fewest} to ${most}`} argument(s), not ${args.length}`, hint: 'this is a bug in the studio UI: report it' }));
    }
    const id = nextId++;
    return new Promise((resolve, reject) => {
      waiting.set(id, { resolve, reject });
      try {
        channel.send({ kind: 'call', id, method, args });
      } catch (error) {
        waiting.delete(id);
        reject(new StudioApiError({ code: 'send-failed', message: `could not send ${method} to the studio: ${error instanceof Error ? error.message : String(error)}`, hint: CLOSED.hint }));
      }
    });
  };

  const methods = new Map<StudioMethodName, (...args: unknown[]) => Promise<unknown>>();
  const api = new Proxy({} as StudioApi, {
    get(_target, property) {
      // Only contract methods exist: `then` and the like stay undefined, so the proxy is not thenable.
      if (!isStudioMethod(property)) return undefined;
      let f = methods.get(property);
      if (f === undefined) {
        f = (...args: unknown[]) => call(property, args);
        methods.set(property, f);
      }
      return f;
    },
    has: (_target, property) => isStudioMethod(property),
  });

  return {
    api,
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      if (set.size === 0 && closed === undefined) channel.send({ kind: 'subscribe', event });
      set.add(listener as (payload: never) => void);
      return () => {
        const s = listeners.get(event);
        if (s === undefined || !s.delete(listener as (payload: never) => void)) return;
        if (s.size === 0 && closed === undefined) channel.send({ kind: 'unsubscribe', event });
      };
    },
    close() {
      stopMessages();
      stopClose?.();
      fail(CLOSED);
    },
  };
}

export interface ServeOptions {
  /** Turns what a method threw into the data that crosses; the default keeps code/message/hint when present. */
  readonly describeError?: (error: unknown) => StudioErrorData;
}

/** The error as data: its code, message and hint when it has them, else an internal error. */
export function defaultErrorData(error: unknown): StudioErrorData {
  if (isErrorData(error)) return { code: error.code, message: error.message, hint: error.hint };
  const message = error instanceof Error ? error.message : String(error);
  const code = isRecord(error) && typeof error['code'] === 'string' ? error['code'] : 'internal';
  return { code, message, hint: 'try again; if it repeats, report the sentence above' };
}

/**
 * Serves an implementation of StudioApi on a channel: checks each call's method and argument count,
 * runs it, sends its result or its error as data, and forwards the events the client subscribed to.
 * Returns the function that stops serving (and drops the subscriptions).
 */
export function serveApi(impl: StudioApi, channel: Channel, events: StudioEventSource, o: ServeOptions = {}): () => void {
  const describe = o.describeError ?? defaultErrorData;
  const subscriptions = new Map<StudioEventName, () => void>();
  let stopped = false;

  const send = (m: RpcMessage): void => {
    if (stopped) return;
    try {
      channel.send(m);
    } catch {
      // A peer that went away mid-answer: nothing is waiting for this message any more.
    }
  };

  const handle = async (m: Extract<RpcMessage, { kind: 'call' }>): Promise<void> => {
    try {
      const f = impl[m.method] as (...args: unknown[]) => Promise<unknown>;
      const value = await f.apply(impl, [...m.args]);
      send({ kind: 'result', id: m.id, value });
    } catch (error) {
      send({ kind: 'error', id: m.id, error: describe(error) });
    }
  };

  const stopMessages = channel.onMessage((raw) => {
    const m = parseRpcRequest(raw);
    if (m === undefined) {
      // A call we can name but not run still gets an answer, so the caller does not wait forever.
      if (isRecord(raw) && raw['kind'] === 'call' && isId(raw['id'])) {
        const method = String(raw['method']);
        const why = isStudioMethod(method) ? `${method} was called with the wrong number of arguments` : `"${method}" is not a method of the studio`;
        send({ kind: 'error', id: raw['id'], error: { code: 'bad-call', message: why, hint: 'the UI and the studio are different versions: reload the window' } });
      }
      return;
    }
    if (m.kind === 'call') void handle(m);
    else if (m.kind === 'subscribe') {
      if (!subscriptions.has(m.event)) subscriptions.set(m.event, events.on(m.event, (payload) => send({ kind: 'event', event: m.event, payload })));
    } else {
      subscriptions.get(m.event)?.();
      subscriptions.delete(m.event);
    }
  });

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    stopMessages();
    stopClose?.();
    for (const off of subscriptions.values()) off();
    subscriptions.clear();
  };
  const stopClose = channel.onClose?.(() => stop());
  return stop;
}
