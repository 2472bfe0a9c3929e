import { readFile, stat } from 'node:fs/promises';
import { contentType, RENDERER_CSP, staticFile } from '../shell/renderer-app.js';
import { APP_ORIGIN } from './ipc-names.js';

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>ReFrame Studio</title>
<p>The studio's window has not been built yet: run <code>npm run build:renderer</code>, then start the studio again.</p>`;

/**
 * Answers `studio://app/<path>` from the renderer bundle, with the CSP header the browser shell sends
 * too. Other hosts and paths outside the bundle are 404: the window can load nothing else.
 */
export function appProtocolHandler(appDir: string | undefined): (request: Request) => Promise<Response> {
  const headers = (type: string): Record<string, string> => ({ 'content-type': type, 'content-security-policy': RENDERER_CSP, 'x-content-type-options': 'nosniff' });
  return async (request) => {
    const url = new URL(request.url);
    if (`${url.protocol}//${url.host}` !== APP_ORIGIN || request.method !== 'GET') return new Response('not found', { status: 404, headers: headers('text/plain') });
    if (appDir === undefined) return new Response(NOT_BUILT, { status: url.pathname === '/' || url.pathname === '/index.html' ? 200 : 404, headers: headers('text/html; charset=utf-8') });
    const file = staticFile(appDir, url.pathname);
    const info = file === undefined ? undefined : await stat(file).catch(() => undefined);
    if (file === undefined || info === undefined || !info.isFile()) return new Response('not found', { status: 404, headers: headers('text/plain') });
    return new Response(new Uint8Array(await readFile(file)), { status: 200, headers: headers(contentType(file)) });
  };
}
