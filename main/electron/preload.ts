// The sandboxed window's preload: it exposes one object, `window.studio = { send, onMessage }`, and
// forwards only well-formed StudioApi messages (main/contract/rpc.ts) on one IPC channel. No Node, no
// Electron object and no IPC of any other kind reaches the page. Bundled to CommonJS for Electron
// (scripts/start.mjs), because a sandboxed preload cannot load ES modules or other files.
// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- Electron's own types are absent where its optional package is (DESIGN.md §6)
/// <reference path="./electron.d.ts" />
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { parseRpcMessage, parseRpcRequest, type RpcMessage } from '../contract/rpc.js';
import type { StudioBridge } from '../contract/studio-channel.js';
import { STUDIO_IPC_CHANNEL } from './ipc-names.js';

const bridge: StudioBridge = {
  send(message: RpcMessage): void {
    // The page is not trusted to talk to main in any other shape: a call of a contract method with a
    // count of arguments it takes, or a subscription to a contract event.
    const checked = parseRpcRequest(message);
    if (checked === undefined) throw new TypeError('window.studio.send: not a call of a StudioApi method, nor a subscription to one of its events');
    ipcRenderer.send(STUDIO_IPC_CHANNEL, checked);
  },
  onMessage(listener: (message: RpcMessage) => void): () => void {
    if (typeof listener !== 'function') throw new TypeError('window.studio.onMessage takes a function');
    // The page gets the message only: never the IPC event, which would hand it `sender`.
    const handler = (_event: IpcRendererEvent, message: unknown): void => {
      const m = parseRpcMessage(message);
      if (m !== undefined && (m.kind === 'result' || m.kind === 'error' || m.kind === 'event')) listener(m);
    };
    ipcRenderer.on(STUDIO_IPC_CHANNEL, handler);
    return () => void ipcRenderer.removeListener(STUDIO_IPC_CHANNEL, handler);
  },
};

contextBridge.exposeInMainWorld('studio', bridge);
