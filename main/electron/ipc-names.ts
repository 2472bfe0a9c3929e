/** The one IPC channel between the preload and main: StudioApi's messages (main/contract/rpc.ts) travel on it. */
export const STUDIO_IPC_CHANNEL = 'studio:rpc';

/** The custom scheme the window's pages load from (`studio://app/index.html`): an origin of their own, with a CSP header. */
export const APP_SCHEME = 'studio';
export const APP_ORIGIN = `${APP_SCHEME}://app`;
