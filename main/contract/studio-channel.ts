import type { Channel, RpcMessage } from './rpc.js';
import type { StudioErrorData } from './studio-api.js';

/** Where the browser shell serves the WebSocket; the page's URL carries the token as `?token=`. */
export const RPC_PATH = '/rpc';
/** The query parameter that carries the per-launch token, in the page URL and in the WebSocket URL. */
export const TOKEN_PARAM = 'token';
/** The WebSocket close code for a wrong or missing token (4000–4999 are the application's). */
export const CLOSE_UNAUTHORIZED = 4401;

/**
 * A channel over a WebSocket (the browser's global, so this runs in the renderer): messages are JSON,
 * sends wait for the socket to open, and a close fails every waiting call with a sentence.
 */
export function websocketChannel(url: string): Channel {
  const socket = new WebSocket(url);
  const queue: string[] = [];
  const messageListeners = new Set<(m: RpcMessage) => void>();
  const closeListeners = new Set<(e: StudioErrorData) => void>();
  let ended: StudioErrorData | undefined;

  socket.addEventListener('open', () => {
    for (const text of queue.splice(0)) socket.send(text);
  });
  socket.addEventListener('message', (event: MessageEvent) => {
    if (typeof event.data !== 'string') return;
    let message: unknown;
    try {
      message = JSON.parse(event.data);
    } catch {
      return;
    }
    // The client checks the shape; a listener here only passes it on.
    for (const l of [...messageListeners]) l(message as RpcMessage);
  });
  socket.addEventListener('close', (event: CloseEvent) => {
    ended =
      event.code === CLOSE_UNAUTHORIZED
        ? { code: 'unauthorized', message: 'the studio refused this window: its token is not the one of this launch', hint: 'open the address the studio printed when it started (each launch has a new token)' }
        : { code: 'disconnected', message: `the connection to the studio closed (code ${event.code})`, hint: 'the studio stopped: start it again with `npm start`, then reload this window' };
    for (const l of [...closeListeners]) l(ended);
  });

  return {
    send(message) {
      if (ended !== undefined) throw new Error(ended.message);
      const text = JSON.stringify(message);
      if (socket.readyState === WebSocket.OPEN) socket.send(text);
      else queue.push(text);
    },
    onMessage(listener) {
      messageListeners.add(listener);
      return () => messageListeners.delete(listener);
    },
    onClose(listener) {
      if (ended !== undefined) {
        const e = ended;
        queueMicrotask(() => listener(e));
      }
      closeListeners.add(listener);
      return () => closeListeners.delete(listener);
    },
  };
}

/** The shape the Electron preload exposes as `window.studio`: a channel and nothing else. */
export interface StudioBridge {
  send(message: RpcMessage): void;
  onMessage(listener: (message: RpcMessage) => void): () => void;
}

/**
 * The renderer's channel: the preload's `window.studio` inside Electron, otherwise a WebSocket back to
 * the browser shell that served the page, with the token from the page's own URL.
 */
export function studioChannel(where: { readonly studio?: StudioBridge; readonly location: { readonly protocol: string; readonly host: string; readonly search: string } } = globalThis as never): Channel {
  if (where.studio !== undefined) return where.studio;
  const token = new URLSearchParams(where.location.search).get(TOKEN_PARAM);
  if (token === null || token === '') {
    throw new Error('this page has no studio token in its address; open the address the studio printed when it started');
  }
  const scheme = where.location.protocol === 'https:' ? 'wss:' : 'ws:';
  return websocketChannel(`${scheme}//${where.location.host}${RPC_PATH}?${TOKEN_PARAM}=${encodeURIComponent(token)}`);
}
