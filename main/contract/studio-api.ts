// The one contract between the studio's UI and its process side (../shared/STYLE.md "The house"). Both
// transports (Electron IPC through the preload, the browser shell's WebSocket) carry exactly this, with
// one generic proxy (rpc.ts). Everything here is browser-safe and crosses as JSON: plain objects, null
// for "none", digests as lowercase hex, no class instances, no typed arrays.

/** Where the UI runs: the Electron window, or a browser tab talking to the browser shell. */
export type ShellKind = 'electron' | 'browser';
export type TrainingEngineName = 'tfjs-node' | 'tfjs-wasm';
export type EnginePreference = 'auto' | 'node' | 'wasm';
export type OptimizerName = 'sgd' | 'adam';
export type ScheduleName = 'cosine' | 'step' | 'constant';
export type WeightDtypeName = 'fp32' | 'fp16' | 'int8';
export type TensorModeName = 'learnable' | 'seeded' | 'frozen' | 'state';

/**
 * Every failure that crosses the boundary: a stable code to branch on, a sentence a person reads, and
 * what to do next. The client rejects with a StudioApiError (rpc.ts) that carries these three.
 */
export interface StudioErrorData {
  /** e.g. `invalid-spec`, `package-rejected`, `timeout`, `disconnected`, `not-found`, `cancelled`. */
  readonly code: string;
  readonly message: string;
  readonly hint: string;
  /** Path-precise problems of a spec (code `invalid-spec`), so the designer can mark the field. */
  readonly issues?: readonly SpecIssueData[];
}

export interface SpecIssueData {
  readonly code: string;
  /** JSON path in the document, e.g. `nodes[12].groups`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
  readonly line: number | null;
  readonly column: number | null;
}

// ---------------------------------------------------------------------------------------------- app

export interface AppInfo {
  readonly name: string;
  readonly version: string;
  readonly shell: ShellKind;
  /** The folder the studio works in: packages, runs, new specs. */
  readonly workspace: string;
  /** What `engine: 'auto'` trains with here; `tfjs-node` only when its native library loads. */
  readonly trainingEngine: TrainingEngineName;
  /** Whether the native engine can be chosen at all. */
  readonly nativeEngineAvailable: boolean;
  readonly platform: string;
}

// ------------------------------------------------------------------------------------------- files

export interface SpecFile {
  readonly path: string;
  readonly text: string;
  /** ISO time of the file's last change. */
  readonly modified: string;
}

export interface SavedFile {
  readonly path: string;
  readonly bytes: number;
}

export interface RecentFile {
  readonly path: string;
  readonly kind: 'spec' | 'package';
  /** ISO time it was last opened or saved through the studio. */
  readonly used: string;
}

// ---------------------------------------------------------------------------------------- training

/**
 * Where a run trains: this machine, or a cloud training service (`reframe cloud serve`, docs/cloud.md).
 * A cloud the studio remembers needs only its URL: the studio adds the token it keeps.
 */
export type TrainTarget = { readonly kind: 'local' } | { readonly kind: 'cloud'; readonly url: string; readonly token?: string };

/** A cloud training service the studio remembers. Its token stays in the studio: only a hint crosses. */
export interface CloudTargetData {
  /** The service's base URL, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** The token's last 4 characters, to tell tokens apart. */
  readonly tokenHint: string;
  /** ISO time it was saved (after the service accepted the token). */
  readonly saved: string;
}

/** A cloud to remember: its URL and a token the service issued (`reframe cloud token create`). */
export interface CloudTargetInput {
  readonly url: string;
  readonly token: string;
}

/** The model to train: spec text (as the designer holds it) or a preset id. */
export type TrainModel = { readonly kind: 'spec'; readonly text: string } | { readonly kind: 'preset'; readonly id: string };

export interface TrainRequest {
  readonly model: TrainModel;
  /**
   * `demo` (the embedded Fashion-MNIST sample), or a path: an IDX or CIFAR-10 folder or file, or an
   * image folder. On a cloud: `demo`, `service:<name>` (a folder the service offers), or a local folder,
   * which is uploaded.
   */
  readonly data: string;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: OptimizerName;
  /** SGD momentum; default 0.9 (the paper's). */
  readonly momentum?: number;
  /** Default 5e-4 (the paper's). */
  readonly weightDecay?: number;
  readonly schedule: ScheduleName;
  /** Random crops and horizontal flips. */
  readonly augment: boolean;
  readonly engine: EnginePreference;
  /** Data order, augmentation and validation split; default `0x5eed`. */
  readonly seed?: string;
  /** How the package stores learnable weights; default fp32. */
  readonly dtype?: WeightDtypeName;
  /** File name of the package in the workspace; default `<model>-<run id>.rfpk`. */
  readonly packageName?: string;
  /** Default this machine. */
  readonly target?: TrainTarget;
}

export interface TrainingStarted {
  readonly runId: string;
  /** Where the run keeps its settings and per-epoch checkpoints (resume reads it). */
  readonly runDir: string;
}

export type RunStatus = 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

export interface RunSummary {
  readonly runId: string;
  readonly model: string;
  readonly data: string;
  readonly status: RunStatus;
  readonly epochs: number;
  /** Epochs completed in the last checkpoint; a run with 0 < epochsDone < epochs can resume. */
  readonly epochsDone: number;
  readonly started: string;
  readonly packagePath: string | null;
  /** The service and its job for a run on a cloud (jobId null until the service took the job); null on this machine. */
  readonly cloud: { readonly url: string; readonly jobId: string | null } | null;
}

export interface EpochReportData {
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly evalLoss: number;
  readonly evalAccuracy: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
}

export interface EvaluationData {
  readonly images: number;
  readonly loss: number;
  readonly accuracy: number;
  /** confusion[true class][predicted class] = count. */
  readonly confusion: readonly (readonly number[])[];
  readonly classes: readonly string[];
}

export interface TrainingSummary {
  readonly model: string;
  readonly data: string;
  readonly engine: TrainingEngineName;
  readonly epochs: number;
  readonly seconds: number;
  readonly imagesPerSecond: number;
  readonly packageBytes: number;
  readonly dtype: WeightDtypeName;
  readonly history: readonly EpochReportData[];
}

// ---------------------------------------------------------------------------------------- packages

export interface PackageEntry {
  readonly path: string;
  readonly fileName: string;
  readonly bytes: number;
  readonly modified: string;
  readonly kind: 'full' | 'delta';
  /** The model name; null for a delta, or a file that does not decode. */
  readonly model: string | null;
  /** How the learnable weights are stored; null for a delta, or a file that does not decode. */
  readonly weightDtype: WeightDtypeName | null;
  /** The header says the file carries a signature (inspect tells whether it checks). */
  readonly signed: boolean;
  /** SHA-256 of the file's bytes (what a board reports as active). */
  readonly sha256: string;
  /** Why it does not decode, when it does not. */
  readonly problem: string | null;
}

export interface TensorInfo {
  readonly name: string;
  readonly shape: readonly number[];
  readonly mode: TensorModeName;
  readonly dtype: WeightDtypeName | 'none';
  /** For seeded tensors: the seed (0x + 16 hex digits), distribution, init and float32 multiplier. */
  readonly seed: string | null;
  readonly dist: string | null;
  readonly init: string | null;
  readonly mult: number | null;
  readonly elements: number;
  /** Stored bytes (0 for seeded tensors: only the seed is stored). */
  readonly bytes: number;
  /** SHA-256 of the tensor's float32 values. */
  readonly digest: string;
}

export interface PackageSizes {
  readonly total: number;
  /** Bytes of the tensor data. */
  readonly data: number;
  /** Everything else: header, graph, tensor table, strings, spec, signature. */
  readonly overhead: number;
  readonly spec: number;
  readonly byMode: Readonly<Record<TensorModeName, { readonly tensors: number; readonly elements: number; readonly bytes: number }>>;
}

export interface FullPackageDetails {
  readonly kind: 'full';
  readonly path: string;
  /** SHA-256 of the file's bytes. */
  readonly sha256: string;
  /** The digest stored inside the package (a delta names its base by it). */
  readonly contentDigest: string;
  readonly model: string;
  readonly weightDtype: WeightDtypeName;
  readonly nodes: number;
  /** Input shape [C, H, W] and number of classes. */
  readonly inputShape: readonly number[];
  readonly classes: number;
  readonly signature: { readonly keyId: string; readonly verified: boolean } | null;
  /** The original spec text, when the package carries it: the designer can open it. */
  readonly specText: string | null;
  readonly sizes: PackageSizes;
  readonly tensors: readonly TensorInfo[];
}

export interface DeltaPackageDetails {
  readonly kind: 'delta';
  readonly path: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly baseDigest: string;
  readonly targetDigest: string;
  readonly targetBytes: number;
  readonly tensorsCarried: number;
  readonly tensorsReused: number;
}

export type PackageDetails = FullPackageDetails | DeltaPackageDetails;

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface PackageDiff {
  readonly a: { readonly path: string; readonly model: string; readonly bytes: number };
  readonly b: { readonly path: string; readonly model: string; readonly bytes: number };
  readonly nodes: readonly { readonly name: string; readonly change: ChangeKind; readonly before: string | null; readonly after: string | null }[];
  readonly tensors: readonly { readonly name: string; readonly change: ChangeKind; readonly what: string }[];
  readonly unchangedTensors: number;
  /** Bytes of a delta that turns A into B: what a push sends a board running A, when smaller than B. */
  readonly deltaBytes: number;
}

// ------------------------------------------------------------------------------------------ boards

/** How to reach a board: a serial port (USB, UART, a pty) or a board agent on the network. */
export type BoardTarget =
  | { readonly kind: 'serial'; readonly path: string; readonly baud?: number; readonly throttle?: boolean }
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number };

export interface SerialPortData {
  readonly path: string;
  readonly manufacturer: string | null;
  readonly serialNumber: string | null;
  readonly vendorId: string | null;
  readonly productId: string | null;
}

export interface NetworkBoard {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  readonly runtime: string;
  readonly version: string;
}

export interface RememberedBoardData {
  readonly target: BoardTarget;
  readonly name: string;
  readonly runtime: string;
  readonly lastSeen: string;
  /** For a serial path: whether it exists now; null for network boards (not probed). */
  readonly present: boolean | null;
}

export interface BoardList {
  readonly serial: readonly SerialPortData[];
  /** Why serial ports could not be listed (e.g. udevadm missing); null when they could. */
  readonly serialProblem: string | null;
  readonly network: readonly NetworkBoard[];
  readonly remembered: readonly RememberedBoardData[];
}

export interface BoardCapabilities {
  readonly infer: boolean;
  readonly bench: boolean;
  readonly delta: boolean;
  readonly signatureRequired: boolean;
  readonly persistentResume: boolean;
}

export interface BoardInfoData {
  readonly name: string;
  readonly runtime: string;
  /** The link as the studio names it, e.g. `/dev/pts/3` or `127.0.0.1:5577`. */
  readonly link: string;
  readonly protocolVersion: number;
  readonly maxMessage: number;
  readonly capabilities: BoardCapabilities;
  /** 0 when unknown. */
  readonly ramBytes: number;
  readonly storageBytes: number;
  /** SHA-256 (hex) of the active and previous packages; null when none. */
  readonly active: string | null;
  readonly previous: string | null;
  readonly pending: { readonly digest: string; readonly size: number; readonly offset: number } | null;
  /** Workspace packages whose file digest is the active or previous one. */
  readonly activePackage: string | null;
  readonly previousPackage: string | null;
}

export interface BoardStateData {
  readonly active: string | null;
  readonly previous: string | null;
}

export interface PushRequest {
  readonly target: BoardTarget;
  readonly packagePath: string;
  /** Packages the board may run: when it runs one, a delta from it is sent if smaller. */
  readonly deltaFrom?: readonly string[];
  /** Unacknowledged bytes; default 8 KiB on serial, 64 KiB on TCP. */
  readonly window?: number;
}

export type PushKind = 'full' | 'delta' | 'already-active' | 'activated-previous';

export interface PushResultData {
  readonly kind: PushKind;
  readonly packageBytes: number;
  readonly bytesSent: number;
  readonly resumedFrom: number;
  readonly seconds: number;
  readonly bytesPerSecond: number;
  readonly state: BoardStateData;
  readonly board: string;
}

export interface TestInferenceRequest {
  readonly target: BoardTarget;
  /** The package the board should be running; the studio runs the same images through it. */
  readonly packagePath: string;
  /** How many test images (from the start of the test part); 1 to 100. */
  readonly images: number;
  /** Default `demo`. */
  readonly data?: string;
}

export interface ImageAgreement {
  readonly index: number;
  readonly label: string;
  readonly boardClass: number;
  readonly studioClass: number;
  readonly agree: boolean;
  readonly maxAbsDiff: number;
  readonly boardMicros: number;
}

export interface TestInferenceResult {
  readonly board: string;
  readonly boardEngine: string;
  readonly studioEngine: string;
  /** False when the board's active package is another one than packagePath: push it first. */
  readonly boardRunsPackage: boolean;
  readonly classes: readonly string[];
  readonly images: readonly ImageAgreement[];
  /** Share of images where board and studio pick the same class. */
  readonly agreement: number;
  readonly maxAbsDiff: number;
  readonly meanBoardMicros: number;
}

export interface BenchResultData {
  readonly board: string;
  readonly engine: string;
  readonly runs: number;
  readonly totalMicros: number;
  readonly layers: readonly { readonly index: number; readonly name: string; readonly op: string; readonly micros: number }[];
}

// ------------------------------------------------------------------------------------------ the api

/** What the UI can ask of the studio. Every method returns a Promise and rejects with StudioErrorData's fields. */
export interface StudioApi {
  appInfo(): Promise<AppInfo>;

  /** Reads a spec file as text (the designer checks it with core/spec); remembered as recent. */
  openSpec(path: string): Promise<SpecFile>;
  /** Writes text to path atomically (a crash leaves the old file or the new, never half). */
  saveSpec(path: string, text: string): Promise<SavedFile>;
  /** Spec and package files opened or saved lately, most recent first. */
  recentFiles(): Promise<readonly RecentFile[]>;

  /** Starts a run in a worker thread or on a cloud; progress arrives as `training.*` events with the run id. */
  startTraining(request: TrainRequest): Promise<TrainingStarted>;
  /** Stops the run between steps; its last checkpoint stays, so it can resume. A cloud run's job is cancelled on the service. */
  cancelTraining(runId: string): Promise<void>;
  /**
   * Continues a cancelled, failed or interrupted run from its last checkpoint, under the same id. Only
   * runs on this machine: a cloud service retries a stopped job by itself.
   */
  resumeTraining(runId: string): Promise<TrainingStarted>;
  listRuns(): Promise<readonly RunSummary[]>;
  /** Cloud training services the studio remembers, most recent first. */
  listCloudTargets(): Promise<readonly CloudTargetData[]>;
  /** Checks that the service answers (GET /health) and takes the token (GET /jobs), then remembers both. */
  saveCloudTarget(target: CloudTargetInput): Promise<CloudTargetData>;
  /** Forgets a remembered cloud and its token; runs already going on it go on. */
  forgetCloudTarget(url: string): Promise<void>;

  /** Package files (.rfpk) in the workspace, newest first. */
  listPackages(): Promise<readonly PackageEntry[]>;
  inspectPackage(path: string): Promise<PackageDetails>;
  diffPackages(a: string, b: string): Promise<PackageDiff>;
  /** Deletes a package file; only inside the workspace. */
  deletePackage(path: string): Promise<void>;

  /** Serial ports, agents answering mDNS within mdnsTimeoutMs (default 1500), remembered boards. */
  listBoards(mdnsTimeoutMs?: number): Promise<BoardList>;
  boardInfo(target: BoardTarget): Promise<BoardInfoData>;
  /** Starts a push; progress arrives as `push.*` events with the push id. */
  pushPackage(request: PushRequest): Promise<{ readonly pushId: string }>;
  /** Stops between chunks; the board keeps what it has and the same push resumes. */
  cancelPush(pushId: string): Promise<void>;
  /** Makes a package the board holds active: sha256 hex (or a unique start of one it holds). */
  activatePackage(target: BoardTarget, digest: string): Promise<BoardStateData>;
  rollbackBoard(target: BoardTarget): Promise<BoardStateData>;
  testInference(request: TestInferenceRequest): Promise<TestInferenceResult>;
  benchBoard(target: BoardTarget, runs?: number): Promise<BenchResultData>;
}

// ---------------------------------------------------------------------------------------- events

export interface StudioEvents {
  'training.start': {
    readonly runId: string;
    readonly model: string;
    readonly data: string;
    readonly engine: TrainingEngineName;
    /** The cloud service's URL when the run trains there; null on this machine. */
    readonly cloud: string | null;
    readonly trainImages: number;
    readonly evalImages: number;
    readonly evalName: string;
    readonly stepsPerEpoch: number;
    readonly firstEpoch: number;
    readonly epochs: number;
  };
  'training.step': {
    readonly runId: string;
    readonly epoch: number;
    readonly step: number;
    readonly stepsPerEpoch: number;
    readonly loss: number;
    readonly accuracy: number;
    readonly imagesPerSecond: number;
    readonly etaSeconds: number;
  };
  'training.epoch': { readonly runId: string; readonly report: EpochReportData; readonly checkpoint: string | null };
  'training.done': { readonly runId: string; readonly packagePath: string; readonly summary: TrainingSummary; readonly evaluation: EvaluationData };
  /** Code `cancelled` when the run was cancelled. */
  'training.failed': { readonly runId: string; readonly error: StudioErrorData };

  'push.progress': {
    readonly pushId: string;
    readonly sent: number;
    readonly acked: number;
    readonly total: number;
    readonly bytesPerSecond: number;
    readonly etaSeconds: number | null;
    readonly resumedFrom: number;
    readonly kind: 'full' | 'delta';
  };
  'push.done': { readonly pushId: string; readonly result: PushResultData };
  /** Code `cancelled` when the push was cancelled. */
  'push.failed': { readonly pushId: string; readonly error: StudioErrorData };

  /** The serial ports changed (a board was plugged in or out). */
  'boards.changed': { readonly serial: readonly SerialPortData[] };
}

export type StudioEventName = keyof StudioEvents;
export type StudioMethodName = keyof StudioApi;

type MaxArity<F> = F extends (...args: infer A) => unknown ? Required<A>['length'] : never;

/**
 * Each method's argument count as [fewest, most]: the server refuses other counts, and this table is
 * the run-time list of methods (`satisfies` keeps it equal to StudioApi's).
 */
export const STUDIO_METHOD_ARITY = {
  appInfo: [0, 0],
  openSpec: [1, 1],
  saveSpec: [2, 2],
  recentFiles: [0, 0],
  startTraining: [1, 1],
  cancelTraining: [1, 1],
  resumeTraining: [1, 1],
  listRuns: [0, 0],
  listCloudTargets: [0, 0],
  saveCloudTarget: [1, 1],
  forgetCloudTarget: [1, 1],
  listPackages: [0, 0],
  inspectPackage: [1, 1],
  diffPackages: [2, 2],
  deletePackage: [1, 1],
  listBoards: [0, 1],
  boardInfo: [1, 1],
  pushPackage: [1, 1],
  cancelPush: [1, 1],
  activatePackage: [2, 2],
  rollbackBoard: [1, 1],
  testInference: [1, 1],
  benchBoard: [1, 2],
} as const satisfies { readonly [K in StudioMethodName]: readonly [number, MaxArity<StudioApi[K]>] };

export const STUDIO_METHODS: readonly StudioMethodName[] = Object.keys(STUDIO_METHOD_ARITY) as StudioMethodName[];

const EVENT_TABLE = {
  'training.start': true,
  'training.step': true,
  'training.epoch': true,
  'training.done': true,
  'training.failed': true,
  'push.progress': true,
  'push.done': true,
  'push.failed': true,
  'boards.changed': true,
} as const satisfies { readonly [K in StudioEventName]: true };

export const STUDIO_EVENTS: readonly StudioEventName[] = Object.keys(EVENT_TABLE) as StudioEventName[];

export function isStudioMethod(name: unknown): name is StudioMethodName {
  return typeof name === 'string' && Object.hasOwn(STUDIO_METHOD_ARITY, name);
}

export function isStudioEvent(name: unknown): name is StudioEventName {
  return typeof name === 'string' && Object.hasOwn(EVENT_TABLE, name);
}
