// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- Electron's own types are absent where its optional package is (DESIGN.md §6)
/// <reference path="./electron.d.ts" />
import type { IpcMain, IpcMainEvent, WebContents } from 'electron';
import type { Channel, RpcMessage } from '../contract/rpc.js';
import type { StudioErrorData } from '../contract/studio-api.js';
import { APP_ORIGIN, STUDIO_IPC_CHANNEL } from './ipc-names.js';

/**
 * Whether a message comes from the window the studio made: its own web contents, its top frame (not
 * an iframe), showing a page of the app's own origin. Anything else is dropped unanswered.
 */
export function isStudioSender(event: IpcMainEvent, contents: WebContents): boolean {
  const frame = event.senderFrame;
  return (
    event.sender === contents &&
    frame !== null &&
    frame.processId === contents.mainFrame.processId &&
    frame.routingId === contents.mainFrame.routingId &&
    (frame.url === APP_ORIGIN || frame.url.startsWith(`${APP_ORIGIN}/`))
  );
}

/**
 * Main's end of the preload's bridge as a Channel for serveApi: messages on the one IPC channel, from
 * this window only (the sender checked on every message); the window's end closes the channel.
 */
export function ipcChannel(ipcMain: IpcMain, contents: WebContents, onRefused: (why: string) => void = () => undefined): Channel & { dispose(): void } {
  const listeners = new Set<(m: RpcMessage) => void>();
  const closeListeners = new Set<(e: StudioErrorData) => void>();
  const receive = (event: IpcMainEvent, message: unknown): void => {
    if (!isStudioSender(event, contents)) {
      onRefused(`a message from ${event.senderFrame?.url ?? 'a frame that is gone'} is not from the studio's window`);
      return;
    }
    for (const l of [...listeners]) l(message as RpcMessage);
  };
  ipcMain.on(STUDIO_IPC_CHANNEL, receive);
  contents.once('destroyed', () => {
    for (const l of [...closeListeners]) l({ code: 'disconnected', message: 'the window closed', hint: 'open the studio again' });
  });
  return {
    send(message) {
      if (!contents.isDestroyed()) contents.send(STUDIO_IPC_CHANNEL, message);
    },
    onMessage(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    onClose(listener) {
      closeListeners.add(listener);
      return () => void closeListeners.delete(listener);
    },
    dispose() {
      ipcMain.removeListener(STUDIO_IPC_CHANNEL, receive);
      listeners.clear();
    },
  };
}
