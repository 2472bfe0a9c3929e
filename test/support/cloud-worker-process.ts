// The tests' worker processes are the bench's: one `reframe cloud worker` helper (bench/support/cloud-worker-process.ts) for both.
export { startCloudWorker, type CloudWorkerProcess } from '../../bench/support/cloud-worker-process.js';
