import { parentPort } from 'node:worker_threads';

// Tries to load tfjs-node inside a worker thread, as training would (runTrainingInWorker): a native
// library that loads on the main thread may still fail in a worker, and the worker is what trains.
const loaded = await import('@tensorflow/tfjs-node' as string).then(
  () => true,
  () => false,
);
parentPort?.postMessage(loaded);
