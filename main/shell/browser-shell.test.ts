import { mkdir, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiClient } from '../contract/rpc.js';
import { studioChannel, websocketChannel } from '../contract/studio-channel.js';
import { scratchServices } from '../services/studio-services.fixture.js';
import { startBrowserShell, type BrowserShell } from './browser-shell.js';
import { RENDERER_CSP } from './renderer-app.js';

// The browser's WebSocket, for the contract's channel: `ws` implements the same interface.
beforeAll(() => {
  (globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;
});

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function shell(withApp = true, o: Parameters<typeof scratchServices>[0] = {}): Promise<{ shell: BrowserShell; workspace: string }> {
  const s = await scratchServices(o);
  cleanup.push(s.remove);
  let appDir: string | undefined;
  if (withApp) {
    appDir = path.join(s.dir, 'app');
    await mkdir(path.join(appDir, 'assets'), { recursive: true });
    await writeFile(path.join(appDir, 'index.html'), '<!doctype html><title>studio</title>');
    await writeFile(path.join(appDir, 'assets', 'main.js'), 'export {};');
    await writeFile(path.join(s.dir, 'secret.txt'), 'not for the browser');
  }
  const sh = await startBrowserShell({ services: s.services, appDir });
  cleanup.push(() => sh.close());
  return { shell: sh, workspace: s.services.workspace };
}

function get(port: number, urlPath: string, host = `127.0.0.1:${port}`): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: urlPath, headers: { host } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** How a raw WebSocket attempt ends: opened then closed with a code, or refused with an HTTP status. */
function attempt(url: string, origin?: string): Promise<{ closed?: number; refused?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.on('close', (code) => resolve({ closed: code }));
    ws.on('unexpected-response', (_req, res) => {
      resolve({ refused: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', () => undefined);
  });
}

describe('the browser shell', () => {
  it('serves the renderer bundle with its policy, and nothing outside it', async () => {
    const { shell: sh } = await shell();
    expect(sh.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${sh.port}/\\?token=[\\w-]{32}$`));
    const page = await get(sh.port, '/');
    expect(page).toMatchObject({ status: 200, body: '<!doctype html><title>studio</title>' });
    expect(page.headers['content-security-policy']).toBe(RENDERER_CSP);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect((await get(sh.port, '/assets/main.js')).headers['content-type']).toBe('text/javascript; charset=utf-8');
    for (const sneaky of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/..%2f..%2fsecret.txt', '/%00']) expect((await get(sh.port, sneaky)).status).toBe(404);
    // DNS rebinding: a page of another name that resolves here is not answered.
    expect((await get(sh.port, '/', `evil.example:${sh.port}`)).status).toBe(421);
  });

  it('says how to build the window when the bundle is missing', async () => {
    const { shell: sh } = await shell(false);
    const page = await get(sh.port, '/');
    expect(page.status).toBe(200);
    expect(page.body).toContain('npm run build:renderer');
  });

  it('carries StudioApi over the WebSocket for a page holding the token', async () => {
    const { shell: sh, workspace } = await shell();
    const location = new URL(sh.url);
    const client = createApiClient(studioChannel({ location: { protocol: location.protocol, host: location.host, search: location.search } }));
    cleanup.push(async () => client.close());
    expect(await client.api.appInfo()).toMatchObject({ shell: 'browser', workspace });
    expect(sh.connections).toBe(1);
    await client.api.saveSpec('a.json', '{"x":1}');
    expect((await client.api.openSpec('a.json')).text).toBe('{"x":1}');
    const error = await client.api.openSpec('missing.json').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'StudioApiError', code: 'not-found', hint: expect.any(String) });
  });

  it('turns away a wrong or missing token, another origin, and other paths', async () => {
    const { shell: sh } = await shell();
    const ws = `ws://127.0.0.1:${sh.port}`;
    const origin = `http://127.0.0.1:${sh.port}`;
    expect(await attempt(`${ws}/rpc?token=${sh.token}`.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')), origin)).toEqual({ closed: 4401 });
    expect(await attempt(`${ws}/rpc`, origin)).toEqual({ closed: 4401 });
    expect(await attempt(`${ws}/rpc?token=${sh.token}`, 'http://evil.example')).toEqual({ refused: 403 });
    expect(await attempt(`${ws}/other?token=${sh.token}`, origin)).toEqual({ refused: 404 });

    // The contract's channel explains a refusal to the page.
    const client = createApiClient(websocketChannel(`${ws}/rpc?token=wrong`));
    await expect(client.api.appInfo()).rejects.toMatchObject({ code: 'unauthorized', hint: expect.stringContaining('address the studio printed') });
  });

  it('drops its windows when it stops', async () => {
    let asked: () => void = () => undefined;
    const browsing = new Promise<void>((resolve) => (asked = resolve));
    // An mDNS search that is still listening when the shell stops.
    const { shell: sh } = await shell(true, { browse: () => (asked(), new Promise(() => undefined)) });
    const client = createApiClient(websocketChannel(`ws://127.0.0.1:${sh.port}/rpc?token=${sh.token}`));
    const waiting = client.api.listBoards(5_000);
    await browsing;
    await sh.close();
    await expect(waiting).rejects.toMatchObject({ code: 'disconnected' });
  });
});
