import { mkdir, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunStatus, StudioErrorData, TrainRequest } from '../contract/studio-api.js';
import { writeFileAtomically } from '../../core/node/atomic-write.js';
import type { SpecDocument } from '../../core/spec/spec-document.js';

/** What a run keeps on disk, so it can be listed and resumed after the studio restarts. */
export interface RunRecord {
  readonly runId: string;
  readonly request: TrainRequest;
  /** The checked model, as trained: a later edit of the designer's spec does not change a run. */
  readonly spec: SpecDocument;
  readonly model: string;
  /** The data as the reader recognised it, e.g. "embedded Fashion-MNIST demo sample (…)". */
  readonly dataDescription: string;
  readonly classes: readonly string[];
  readonly packagePath: string;
  readonly started: string;
  readonly status: RunStatus;
  readonly finished: string | null;
  readonly error: StudioErrorData | null;
  /**
   * For a run on a cloud: the service and its job (null until the service took it), so a studio that
   * starts again follows the job on. The token is not here: the workspace is no place for secrets.
   */
  readonly cloud?: { readonly url: string; readonly jobId: string | null; readonly epochsDone: number };
}

const RECORD = 'run.json';

/** Runs under `<workspace>/.reframe-studio/runs/<run id>/`: run.json and the checkpoint folder. */
export class RunStore {
  constructor(readonly dir: string) {}

  runDir(runId: string): string {
    return path.join(this.dir, runId);
  }

  checkpointDir(runId: string): string {
    return path.join(this.runDir(runId), 'checkpoint');
  }

  async save(record: RunRecord): Promise<void> {
    await mkdir(this.runDir(record.runId), { recursive: true });
    await writeFileAtomically(path.join(this.runDir(record.runId), RECORD), `${JSON.stringify(record, null, 2)}\n`);
  }

  /** The run, or undefined when there is no such run (or its record is unreadable). */
  async load(runId: string): Promise<RunRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(path.join(this.runDir(runId), RECORD), 'utf8')) as RunRecord;
      return record.runId === runId ? record : undefined;
    } catch {
      return undefined;
    }
  }

  async list(): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records = await Promise.all(names.map((n) => this.load(n)));
    return records.filter((r): r is RunRecord => r !== undefined).sort((a, b) => b.started.localeCompare(a.started));
  }
}
