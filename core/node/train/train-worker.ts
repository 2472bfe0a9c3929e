import { parentPort, workerData } from 'node:worker_threads';
import { checkSpecValue } from '../../spec/load-spec.js';
import { SpecError } from '../../spec/spec-issue.js';
import { openData } from '../data/open-data.js';
import { readWeightsFile } from '../read-weights.js';
import type { TrainingJob, WorkerMessage } from './training-job.js';
import { trainModel } from './trainer.js';

// The worker thread's entry: runs one job and posts its events and result; 'cancel' from the parent
// stops it between steps.
const job = workerData as TrainingJob;
const port = parentPort;
if (port === null) throw new Error('train-worker must run in a worker thread');
const abort = new AbortController();
port.on('message', (m: unknown) => {
  if (m === 'cancel') abort.abort();
});
const post = (m: WorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(m, transfer);

try {
  const checked = checkSpecValue(job.spec);
  if (!checked.ok) throw new SpecError(checked.issues);
  const { spec: _spec, data, weightsFile, ...settings } = job;
  const result = await trainModel(
    {
      ...settings,
      graph: checked.graph,
      data: await openData(data, { ...(checked.graph.nodes[0] === undefined ? {} : { inputShape: checked.graph.nodes[0].outputShape }) }),
      ...(weightsFile === undefined ? {} : { initial: await readWeightsFile(weightsFile) }),
    },
    (event) => post({ type: 'event', event }),
    abort.signal,
  );
  const { values, ...rest } = result;
  const ids = [...values.keys()];
  const buffers = ids.map((id) => values.get(id) as Float32Array);
  post({ type: 'result', result: rest, ids, buffers }, buffers.map((b) => b.buffer as ArrayBuffer));
} catch (error) {
  const e = error as Error;
  post({ type: 'failure', name: e.name, message: e.message });
}
