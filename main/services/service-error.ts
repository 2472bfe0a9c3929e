import { ZodError } from 'zod';
import type { StudioErrorData } from '../contract/studio-api.js';
import { SpecFileError } from '../../core/node/read-spec-file.js';
import { PackageFileError } from '../../core/node/package-files.js';
import { CheckpointError } from '../../core/node/train/checkpoint.js';
import { DatasetError } from '../../core/data/image-dataset.js';
import { PackageError } from '../../core/package/package-error.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { CloudError } from '../../cloud/client/cloud-error.js';
import { CloudDatasetError } from '../../cloud/client/cloud-dataset.js';
import { BoardTimeoutError } from '../../devices/link/board-timeout-error.js';
import { PushError } from '../../devices/link/push-error.js';
import { ProtocolError } from '../../devices/protocol/protocol-error.js';
import { TransportError } from '../../devices/transport/transport.js';
import { BOARD_ERROR_HINTS } from '../cli/board-error-text.js';

/** A failure of the studio's own, already in the words the UI shows. */
export class ServiceError extends Error implements StudioErrorData {
  readonly issues?: NonNullable<StudioErrorData['issues']>;

  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    issues?: StudioErrorData['issues'],
  ) {
    super(message);
    this.name = 'ServiceError';
    if (issues !== undefined) this.issues = issues;
  }

  /** Any error as a ServiceError: what every StudioApi method of the services rejects with. */
  static of(error: unknown): ServiceError {
    if (error instanceof ServiceError) return error;
    const d = describeStudioError(error);
    const wrapped = new ServiceError(d.code, d.message, d.hint, d.issues);
    wrapped.cause = error;
    return wrapped;
  }
}

/** Link errors put the hint in the message too (for the CLI's one line); the UI shows them apart. */
function withoutHint(message: string, hint: string): string {
  return message.endsWith(`; ${hint}`) ? message.slice(0, -hint.length - 2) : message;
}

/**
 * Errors of the training engine's modules, told by name: importing their classes would load tfjs into
 * the main process at start-up, a second of a cold start that most sessions never need.
 */
function named(error: unknown, name: 'EngineError' | 'TrainingCancelled' | 'TrainingWorkerError'): error is Error & { readonly code: string; readonly originalName?: string } {
  return error instanceof Error && error.name === name && typeof (error as { code?: unknown }).code === 'string';
}

/** A cloud service's refusal, or a failure to reach it, in the UI's terms. */
function cloudErrorData(error: CloudError): StudioErrorData {
  const detail = error.problem?.detail ?? error.problem?.title;
  if (error.status === 401) {
    return { code: 'cloud-token-refused', message: `the cloud service refused the token${detail === undefined ? '' : ` (${detail})`}`, hint: 'check the token, or create one with `reframe cloud token create <name>` where the service runs, and save the cloud again' };
  }
  if (error.status === 0) {
    // The client's sentence ends in advice for the command line; the hint says it for the UI.
    return { code: 'cloud-unreachable', message: error.message.replace(/; check the URL.*$/s, ''), hint: 'check the URL and that `reframe cloud serve` runs there and this machine can reach it' };
  }
  return { code: 'cloud-error', message: error.message, hint: "the service's log has more; if it repeats, report the sentence above" };
}

const SYSTEM_HINTS: Readonly<Record<string, string>> = {
  ENOENT: 'check the path: the file or folder does not exist',
  EACCES: 'check the permissions of the file or folder',
  EPERM: 'check the permissions of the file or folder',
  EISDIR: 'give a file, not a folder',
  ENOSPC: 'free disk space, then try again',
};

/**
 * Any error a service throws, as the data that crosses to the UI: a stable code, the sentence, and
 * what to do next. Every error class of core/ and devices/ has its own code and hint here.
 */
export function describeStudioError(error: unknown): StudioErrorData {
  if (error instanceof ServiceError) return { code: error.code, message: error.message, hint: error.hint, ...(error.issues === undefined ? {} : { issues: error.issues }) };
  if (error instanceof SpecError) {
    return {
      code: error.code,
      message: error.message,
      hint: 'fix the fields named above (the designer marks them), then try again',
      issues: error.issues.map((i) => ({ code: i.code, path: i.path, message: i.message, line: i.line ?? null, column: i.column ?? null })),
    };
  }
  if (error instanceof SpecFileError) return { code: error.code, message: error.message, hint: 'check the path, or open another spec file' };
  if (error instanceof PackageFileError) return { code: error.code, message: error.message, hint: 'check the path; the package list shows the packages in the workspace' };
  if (error instanceof PackageError) return { code: 'package-rejected', message: error.message, hint: 'the file is damaged or not a ReFrame package: train or pack it again' };
  if (error instanceof DatasetError) return { code: error.code, message: error.message, hint: 'choose the demo data, or a folder of IDX files, CIFAR-10 batches or images (one subfolder per class)' };
  if (named(error, 'EngineError')) return { code: error.code, message: error.message, hint: 'choose the engine "auto" or "wasm"' };
  if (error instanceof CheckpointError) return { code: error.code, message: error.message, hint: 'start a new run instead of resuming this one' };
  if (named(error, 'TrainingCancelled')) return { code: 'cancelled', message: error.message, hint: 'resume the run to continue from its last checkpoint' };
  if (named(error, 'TrainingWorkerError')) return { code: error.code, message: `${error.originalName ?? 'Error'}: ${error.message}`, hint: 'check the model and the data; if it repeats, report the sentence above' };
  if (error instanceof CloudError) return cloudErrorData(error);
  if (error instanceof CloudDatasetError) return { code: error.code, message: error.message, hint: 'on a cloud choose the demo data, a dataset the service offers, or a local folder (it is uploaded)' };
  if (error instanceof TransportError || error instanceof BoardTimeoutError || error instanceof PushError) {
    return { code: error.code, message: withoutHint(error.message, error.hint), hint: error.hint };
  }
  if (error instanceof ProtocolError) return { code: `board-${error.code}`, message: `the board says: ${error.message}`, hint: BOARD_ERROR_HINTS[error.code] };
  if (error instanceof ZodError) {
    const first = error.issues[0];
    const where = first === undefined || first.path.length === 0 ? 'the request' : first.path.join('.');
    return { code: 'bad-request', message: `${where}: ${first?.message ?? 'invalid'}`, hint: 'this is a bug in the studio UI: report it' };
  }
  const errno = typeof error === 'object' && error !== null ? (error as NodeJS.ErrnoException).code : undefined;
  if (typeof errno === 'string' && errno in SYSTEM_HINTS) return { code: 'file-error', message: (error as Error).message, hint: SYSTEM_HINTS[errno] as string };
  return { code: 'internal', message: error instanceof Error ? error.message : String(error), hint: 'try again; if it repeats, report the sentence above' };
}
