// The Electron main process: one sandboxed window on the renderer bundle, and the studio's services
// behind it over the preload's one IPC channel. Started by scripts/start.mjs when the Electron binary
// is present (otherwise the browser shell runs the same services and bundle).
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- Electron's own types are absent where its optional package is (DESIGN.md §6)
/// <reference path="./electron.d.ts" />
import type * as Electron from 'electron';
import { fileURLToPath } from 'node:url';
import { serveApi } from '../contract/rpc.js';
import { createStudioServices } from '../services/studio-services.js';
import { rendererAppDir } from '../shell/renderer-app.js';
import { defaultWorkspace } from '../shell/workspace-dir.js';
import { appProtocolHandler } from './app-protocol.js';
import { ipcChannel } from './ipc-channel.js';
import { APP_ORIGIN, APP_SCHEME } from './ipc-names.js';

// A dynamic import of a computed name: this file compiles where Electron's package is absent.
const electron = (await import('electron' as string)) as typeof Electron;
const { app, BrowserWindow, ipcMain, protocol } = electron;

const workspaceArg = process.argv.find((a) => a.startsWith('--workspace='));
const workspace = workspaceArg === undefined ? defaultWorkspace() : workspaceArg.slice('--workspace='.length);
/** Bundled by scripts/start.mjs: a sandboxed preload must be one CommonJS file. */
const preload = fileURLToPath(new URL('../../electron/preload.cjs', import.meta.url));

// Before `ready`: the app's pages get an origin of their own, treated as secure.
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// No page of any window may navigate away, open windows, attach webviews or ask for permissions.
app.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (e, url) => {
    if (!url.startsWith(`${APP_ORIGIN}/`)) e.preventDefault();
  });
  contents.on('will-redirect', (e) => e.preventDefault());
  contents.on('will-attach-webview', (e) => e.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
});

/** One window, one studio: a second launch quits and leaves the first. */
async function main(): Promise<void> {
  await app.whenReady();
  protocol.handle(APP_SCHEME, appProtocolHandler(await rendererAppDir()));
  const services = await createStudioServices({ workspace, shell: 'electron', watchSerialMs: 3000 });

  const studioWindow = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'ReFrame Studio',
    show: false,
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  studioWindow.webContents.session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  studioWindow.webContents.session.setPermissionCheckHandler(() => false);

  const channel = ipcChannel(ipcMain, studioWindow.webContents, (why) => process.stderr.write(`studio: refused IPC: ${why}\n`));
  const stopServing = serveApi(services, channel, services, { describeError: (e) => services.describeError(e) });
  studioWindow.once('ready-to-show', () => studioWindow.show());
  studioWindow.on('closed', () => {
    stopServing();
    channel.dispose();
  });
  app.on('window-all-closed', () => {
    void services.dispose().finally(() => app.quit());
  });
  await studioWindow.loadURL(`${APP_ORIGIN}/index.html`);
}

if (app.requestSingleInstanceLock()) await main();
else app.quit();
