import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StudioEventSource } from '../contract/rpc.js';
import { STUDIO_METHODS, type ShellKind, type StudioApi, type StudioErrorData } from '../contract/studio-api.js';
import { listSerialPorts, type SerialPortEntry } from '../../devices/discovery/serial-ports.js';
import type { NetworkBoard } from '../contract/studio-api.js';
import { boardsFile } from '../cli/board-memory.js';
import { createAppService, type EngineProbe } from './app-service.js';
import type { CloudAccessOptions } from './cloud-access.js';
import { createCloudTargetService } from './cloud-target-service.js';
import { CloudTargetStore } from './cloud-targets.js';
import { connectBoard, type BoardConnector } from './board-link.js';
import { createBoardService } from './board-service.js';
import { watchSerialPorts } from './board-watch.js';
import { EventHub } from './event-hub.js';
import { createInferenceService } from './inference-service.js';
import { createPackageService } from './package-service.js';
import { createPushService } from './push-service.js';
import { RecentFiles } from './recent-files.js';
import { describeStudioError, ServiceError } from './service-error.js';
import { createSpecFileService } from './spec-file-service.js';
import type { StudioContext } from './studio-context.js';
import { createTrainingService, type TrainingRunner } from './training-service.js';

export interface StudioServiceOptions {
  /** The folder the studio works in (packages, runs); created when missing. */
  readonly workspace: string;
  readonly shell: ShellKind;
  /** Settings folder (recent files, remembered boards and clouds); default the one `reframe devices` uses. */
  readonly configDir?: string;
  /** How to reach a board; default serial ports and TCP. Tests give an in-memory pair. */
  readonly connect?: BoardConnector;
  readonly listSerial?: () => Promise<readonly SerialPortEntry[]>;
  readonly browse?: (timeoutMs: number) => Promise<readonly NetworkBoard[]>;
  /** Poll serial ports this often for `boards.changed` while someone listens; 0 (default) never. */
  readonly watchSerialMs?: number;
  readonly probeEngine?: EngineProbe;
  /** Push progress events at most this often (default 100 ms). */
  readonly pushProgressMs?: number;
  readonly runner?: TrainingRunner;
  /** How cloud services are checked (timeouts, a fetch for tests). */
  readonly cloudAccess?: CloudAccessOptions;
}

/** StudioApi plus its events: what the Electron main process and the browser shell serve. */
export interface StudioServices extends StudioApi, StudioEventSource {
  readonly workspace: string;
  /** For serveApi: every error as `{ code, message, hint }`. */
  describeError(error: unknown): StudioErrorData;
  /** Cancels running trainings and pushes and waits for them; stops watching ports. */
  dispose(): Promise<void>;
}

/** The process side of the studio: one object implementing the whole contract from its service areas. */
export async function createStudioServices(o: StudioServiceOptions): Promise<StudioServices> {
  const workspace = path.resolve(o.workspace);
  await mkdir(workspace, { recursive: true });
  const events = new EventHub();
  const ctx: StudioContext = { workspace, configDir: path.resolve(o.configDir ?? path.dirname(boardsFile())), events };
  const recent = new RecentFiles(path.join(ctx.configDir, 'recent-files.json'));
  const connect = o.connect ?? connectBoard;
  const listSerial = o.listSerial ?? listSerialPorts;
  const packages = createPackageService(ctx, recent);
  // Tokens of cloud training services: in the settings folder, never in the workspace.
  const cloudTargets = new CloudTargetStore(path.join(ctx.configDir, 'cloud-targets.json'));
  const cloudAccess = o.cloudAccess ?? {};
  const training = createTrainingService(ctx, { cloudTargets, cloudAccess, ...(o.runner === undefined ? {} : { runner: o.runner }) });
  const pushes = createPushService(ctx, connect, o.pushProgressMs === undefined ? {} : { progressEveryMs: o.pushProgressMs });
  const stopWatching = (o.watchSerialMs ?? 0) > 0 ? watchSerialPorts(events, listSerial, o.watchSerialMs as number) : () => undefined;
  const { findByDigest: _findByDigest, ...packageApi } = packages;
  const { dispose: _disposeTraining, ...trainingApi } = training;
  const { dispose: _disposePushes, ...pushApi } = pushes;

  const api: StudioApi = {
    ...createAppService(ctx, { shell: o.shell, ...(o.probeEngine === undefined ? {} : { probeEngine: o.probeEngine }) }),
    ...createSpecFileService(ctx, recent),
    ...trainingApi,
    ...createCloudTargetService(cloudTargets, cloudAccess),
    ...packageApi,
    ...createBoardService(ctx, packages, { connect, listSerial, ...(o.browse === undefined ? {} : { browse: o.browse }) }),
    ...pushApi,
    ...createInferenceService(ctx, connect),
  };
  // Every method rejects with a ServiceError ({ code, message, hint }), whatever part of core/ or
  // devices/ failed: callers in-process and across the boundary see the same errors.
  const guarded = Object.fromEntries(
    STUDIO_METHODS.map((name) => {
      const f = api[name] as (...args: unknown[]) => Promise<unknown>;
      const wrapped = async (...args: unknown[]): Promise<unknown> => {
        try {
          return await f(...args);
        } catch (error) {
          throw ServiceError.of(error);
        }
      };
      return [name, wrapped];
    }),
  ) as unknown as StudioApi;
  return {
    ...guarded,
    workspace,
    on: (event, listener) => events.on(event, listener),
    describeError: describeStudioError,
    async dispose() {
      stopWatching();
      await Promise.all([training.dispose(), pushes.dispose()]);
    },
  };
}
