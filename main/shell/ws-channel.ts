import type { WebSocket } from 'ws';
import type { Channel, RpcMessage } from '../contract/rpc.js';
import type { StudioErrorData } from '../contract/studio-api.js';

/**
 * The browser shell's end of a WebSocket as a Channel: JSON text frames each way. What arrives is
 * handed on as parsed; serveApi checks its shape.
 */
export function wsChannel(socket: WebSocket): Channel {
  return {
    send(message: RpcMessage) {
      if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    },
    onMessage(listener) {
      const handler = (data: unknown, isBinary: boolean): void => {
        if (isBinary) return;
        let parsed: unknown;
        try {
          parsed = JSON.parse(String(data));
        } catch {
          return;
        }
        listener(parsed as RpcMessage);
      };
      socket.on('message', handler);
      return () => void socket.off('message', handler);
    },
    onClose(listener) {
      const handler = (code: number): void => listener({ code: 'disconnected', message: `the window's connection closed (code ${code})`, hint: 'reload the window' } satisfies StudioErrorData);
      socket.on('close', handler);
      return () => void socket.off('close', handler);
    },
  };
}
