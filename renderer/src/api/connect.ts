import { createApiClient, type ApiClient } from '../../../main/contract/rpc.js';
import { studioChannel } from '../../../main/contract/studio-channel.js';

export type Connection = { readonly ok: true; readonly client: ApiClient } | { readonly ok: false; readonly message: string; readonly hint: string };

/**
 * The one place the renderer learns how it reaches the studio: the contract's channel picks Electron's
 * preload (`window.studio`) or the browser shell's WebSocket (token from this page's address), and the
 * contract's proxy turns it into StudioApi. A page opened without either gets a sentence, not a crash.
 */
export function connect(): Connection {
  try {
    return { ok: true, client: createApiClient(studioChannel()) };
  } catch (error) {
    return {
      ok: false,
      message: error instanceof Error ? error.message : String(error),
      hint: 'start the studio with `npm start` and use the window it opens, or the address it prints',
    };
  }
}
