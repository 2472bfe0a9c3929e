import type { IpcMain, IpcMainEvent, WebContents, WebFrameMain } from 'electron';
import { describe, expect, it } from 'vitest';
import type { RpcMessage } from '../contract/rpc.js';
import { ipcChannel } from './ipc-channel.js';
import { STUDIO_IPC_CHANNEL } from './ipc-names.js';

type Listener = (event: IpcMainEvent, ...args: unknown[]) => void;

function fakes() {
  const handlers = new Set<Listener>();
  const ipcMain = {
    on: (channel: string, l: Listener) => (channel === STUDIO_IPC_CHANNEL && handlers.add(l), ipcMain),
    removeListener: (_channel: string, l: Listener) => (handlers.delete(l), ipcMain),
  } as unknown as IpcMain;
  // Only what isStudioSender reads; Electron's own type (when its package is installed) has far more.
  const frame = (url: string, routingId = 1, processId = 7): WebFrameMain => ({ url, routingId, processId }) as unknown as WebFrameMain;
  const sent: unknown[][] = [];
  let destroyed: (() => void) | undefined;
  const contents = {
    id: 1,
    mainFrame: frame('studio://app/index.html'),
    send: (...args: unknown[]) => sent.push(args),
    isDestroyed: () => false,
    once: (_e: string, l: () => void) => ((destroyed = l), contents),
  } as unknown as WebContents;
  const other = { ...contents, id: 2 } as unknown as WebContents;
  const deliver = (sender: WebContents, senderFrame: WebFrameMain | null, message: unknown) => {
    for (const h of handlers) h({ sender, senderFrame } as IpcMainEvent, message);
  };
  return { ipcMain, contents, other, frame, sent, handlers, deliver, destroy: () => destroyed?.() };
}

const CALL: RpcMessage = { kind: 'call', id: 1, method: 'appInfo', args: [] };

describe('the main side of the IPC bridge', () => {
  it("takes messages only from the studio window's own top frame on the app's origin", () => {
    const f = fakes();
    const refused: string[] = [];
    const channel = ipcChannel(f.ipcMain, f.contents, (why) => refused.push(why));
    const got: unknown[] = [];
    channel.onMessage((m) => got.push(m));
    f.deliver(f.contents, f.contents.mainFrame, CALL);
    f.deliver(f.other, f.contents.mainFrame, CALL);
    f.deliver(f.contents, f.frame('studio://app/index.html', 2), CALL);
    f.deliver(f.contents, f.frame('https://evil.example/'), CALL);
    f.deliver(f.contents, f.frame('studio://application/'), CALL);
    f.deliver(f.contents, null, CALL);
    expect(got).toEqual([CALL]);
    expect(refused).toHaveLength(5);
    expect(refused[2]).toContain('https://evil.example/');
  });

  it('sends to the window on the one channel, reports its closing, and lets go of ipcMain', () => {
    const f = fakes();
    const channel = ipcChannel(f.ipcMain, f.contents);
    channel.send({ kind: 'result', id: 1, value: 2 });
    expect(f.sent).toEqual([[STUDIO_IPC_CHANNEL, { kind: 'result', id: 1, value: 2 }]]);
    const closed: string[] = [];
    channel.onClose?.((e) => closed.push(e.code));
    f.destroy();
    expect(closed).toEqual(['disconnected']);
    channel.dispose();
    expect(f.handlers.size).toBe(0);
  });
});
