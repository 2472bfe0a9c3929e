// The part of Electron's API the studio uses. Electron is an optional dependency whose package (and
// types) is absent where its binary cannot be fetched (DESIGN.md §6), yet main.ts and preload.ts must
// compile everywhere. Where the real package is installed, its declarations are the ones resolved.

declare module 'electron' {
  export interface WebFrameMain {
    readonly url: string;
    readonly processId: number;
    readonly routingId: number;
  }

  export interface PreventableEvent {
    preventDefault(): void;
  }

  export interface Session {
    setPermissionRequestHandler(handler: (contents: WebContents, permission: string, callback: (granted: boolean) => void) => void): void;
    setPermissionCheckHandler(handler: () => boolean): void;
  }

  export interface WebContents {
    readonly id: number;
    readonly mainFrame: WebFrameMain;
    readonly session: Session;
    send(channel: string, ...args: unknown[]): void;
    isDestroyed(): boolean;
    on(event: 'will-navigate' | 'will-redirect', listener: (event: PreventableEvent, url: string) => void): this;
    on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): this;
    once(event: 'destroyed', listener: () => void): this;
    setWindowOpenHandler(handler: (details: { readonly url: string }) => { action: 'deny' }): void;
  }

  export interface IpcMainEvent {
    readonly sender: WebContents;
    readonly senderFrame: WebFrameMain | null;
  }

  export interface IpcMain {
    on(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): this;
    removeListener(channel: string, listener: (event: IpcMainEvent, ...args: unknown[]) => void): this;
  }

  export interface WebPreferences {
    preload?: string;
    contextIsolation?: boolean;
    sandbox?: boolean;
    nodeIntegration?: boolean;
    nodeIntegrationInWorker?: boolean;
    webSecurity?: boolean;
    allowRunningInsecureContent?: boolean;
    webviewTag?: boolean;
    spellcheck?: boolean;
    additionalArguments?: string[];
  }

  export interface BrowserWindowConstructorOptions {
    width?: number;
    height?: number;
    minWidth?: number;
    minHeight?: number;
    title?: string;
    show?: boolean;
    backgroundColor?: string;
    webPreferences?: WebPreferences;
  }

  export class BrowserWindow {
    constructor(options?: BrowserWindowConstructorOptions);
    readonly webContents: WebContents;
    loadURL(url: string): Promise<void>;
    show(): void;
    once(event: 'ready-to-show', listener: () => void): this;
    on(event: 'closed', listener: () => void): this;
  }

  export interface CustomScheme {
    scheme: string;
    privileges?: { standard?: boolean; secure?: boolean; supportFetchAPI?: boolean; corsEnabled?: boolean; stream?: boolean };
  }

  export interface Protocol {
    registerSchemesAsPrivileged(schemes: CustomScheme[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  }

  export interface App {
    whenReady(): Promise<void>;
    quit(): void;
    getVersion(): string;
    requestSingleInstanceLock(): boolean;
    on(event: 'window-all-closed' | 'before-quit', listener: () => void): this;
    on(event: 'web-contents-created', listener: (event: PreventableEvent, contents: WebContents) => void): this;
  }

  export interface ContextBridge {
    exposeInMainWorld(apiKey: string, api: unknown): void;
  }

  // Deliberately empty: the studio reads nothing from a renderer-side IPC event.
  export type IpcRendererEvent = object;

  export interface IpcRenderer {
    send(channel: string, ...args: unknown[]): void;
    on(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): this;
    removeListener(channel: string, listener: (event: IpcRendererEvent, ...args: unknown[]) => void): this;
  }

  export const app: App;
  export const ipcMain: IpcMain;
  export const protocol: Protocol;
  export const contextBridge: ContextBridge;
  export const ipcRenderer: IpcRenderer;
}
