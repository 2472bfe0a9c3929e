import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RENDERER_CSP } from '../shell/renderer-app.js';
import { appProtocolHandler } from './app-protocol.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'app-protocol-'));
  await writeFile(path.join(dir, 'index.html'), '<!doctype html>');
  await writeFile(path.join(dir, 'main.js'), 'export {};');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('the studio:// protocol', () => {
  it('serves the bundle with the CSP header and nothing else', async () => {
    const handle = appProtocolHandler(dir);
    const page = await handle(new Request('studio://app/'));
    expect(page.status).toBe(200);
    expect(await page.text()).toBe('<!doctype html>');
    expect(page.headers.get('content-security-policy')).toBe(RENDERER_CSP);
    expect((await handle(new Request('studio://app/main.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect((await handle(new Request('studio://other/main.js'))).status).toBe(404);
    expect((await handle(new Request('studio://app/%2e%2e/%2e%2e/etc/passwd'))).status).toBe(404);
    expect((await handle(new Request('studio://app/missing.js'))).status).toBe(404);
  });

  it('says how to build the window when the bundle is missing', async () => {
    const page = await appProtocolHandler(undefined)(new Request('studio://app/index.html'));
    expect(await page.text()).toContain('npm run build:renderer');
  });
});
