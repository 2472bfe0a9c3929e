import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { serveApi } from '../contract/rpc.js';
import { CLOSE_UNAUTHORIZED, RPC_PATH, TOKEN_PARAM } from '../contract/studio-channel.js';
import type { StudioServices } from '../services/studio-services.js';
import { contentType, RENDERER_CSP, staticFile } from './renderer-app.js';
import { wsChannel } from './ws-channel.js';

export interface BrowserShellOptions {
  readonly services: StudioServices;
  /** The built renderer (dist/renderer-app); undefined serves a page that says how to build it. */
  readonly appDir: string | undefined;
  /** Default 0: the OS picks a free port. */
  readonly port?: number;
  /** Default a fresh random one: each launch has its own. */
  readonly token?: string;
}

export interface BrowserShell {
  /** The address to open: the page, with the token. */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** Windows connected now. */
  readonly connections: number;
  close(): Promise<void>;
}

/** Big enough for a spec of 16 MB as JSON text, small enough that a stray client cannot exhaust memory. */
const MAX_MESSAGE_BYTES = 40 << 20;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>ReFrame Studio</title>
<p>The studio's window has not been built yet. Run <code>npm run build:renderer</code> (or <code>npm start</code>, which builds it), then reload.</p>`;

function sameToken(given: string | null, token: string): boolean {
  if (given === null) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The browser shell (DESIGN.md §3): the same services as the Electron window, behind an HTTP server on
 * 127.0.0.1 that serves the renderer bundle and a WebSocket that carries StudioApi. Only pages of
 * this server (Host and Origin checked against DNS rebinding and other sites) holding this launch's
 * token get a connection.
 */
export async function startBrowserShell(o: BrowserShellOptions): Promise<BrowserShell> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const hosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const sockets = new Set<WebSocket>();
  const stops = new Map<WebSocket, () => void>();

  const answer = (res: ServerResponse, status: number, body: string | Buffer, type = 'text/plain; charset=utf-8'): void => {
    res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body), 'content-security-policy': RENDERER_CSP, 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' });
    res.end(body);
  };

  const serveFile = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (!hosts().has(req.headers.host ?? '')) return answer(res, 421, 'this server answers only to 127.0.0.1 and localhost\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return answer(res, 405, 'only GET\n');
    const url = new URL(req.url ?? '/', 'http://x');
    if (o.appDir === undefined) return answer(res, url.pathname === '/' ? 200 : 404, NOT_BUILT, 'text/html; charset=utf-8');
    const file = staticFile(o.appDir, url.pathname);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || info === undefined || !info.isFile()) return answer(res, 404, `no ${url.pathname} here\n`);
    answer(res, 200, await readFile(file), contentType(file));
  };

  const server = createServer((req, res) => {
    serveFile(req, res).catch((error: unknown) => {
      if (!res.headersSent) answer(res, 500, `${error instanceof Error ? error.message : String(error)}\n`);
    });
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });

  const refuse = (socket: Duplex, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  };

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = req.headers.origin;
    if (url.pathname !== RPC_PATH) return refuse(socket, 404, 'Not Found');
    if (!hosts().has(req.headers.host ?? '')) return refuse(socket, 421, 'Misdirected Request');
    // Browsers always send Origin on a WebSocket: another site's page is told no before anything else.
    if (origin !== undefined && !hosts().has(origin.replace(/^http:\/\//, ''))) return refuse(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => {
      // A wrong token still gets a WebSocket, closed at once with a code the page can explain.
      if (!sameToken(url.searchParams.get(TOKEN_PARAM), token)) {
        ws.close(CLOSE_UNAUTHORIZED, 'unauthorized');
        return;
      }
      sockets.add(ws);
      stops.set(ws, serveApi(o.services, wsChannel(ws), o.services, { describeError: (e) => o.services.describeError(e) }));
      ws.on('close', () => {
        sockets.delete(ws);
        stops.get(ws)?.();
        stops.delete(ws);
      });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  port = typeof address === 'object' && address !== null ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}/?${TOKEN_PARAM}=${token}`,
    port,
    token,
    get connections() {
      return sockets.size;
    },
    close: async () => {
      for (const ws of sockets) ws.close(1001, 'the studio is stopping');
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
