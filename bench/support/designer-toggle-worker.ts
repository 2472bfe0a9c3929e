// A worker thread, so that zod is set up as the renderer's page sets it up (jitless: the page's CSP has no
// eval) before any schema is built: the bench's own thread built core's schemas long before.
import '../../renderer/src/zod-jitless.js';
import { parentPort, workerData } from 'node:worker_threads';
import { SCENARIOS, timeToggles, type ScenarioName } from './designer-toggles.js';

const { scenario, count, warmup } = workerData as { scenario: ScenarioName; count: number; warmup: number };
parentPort?.postMessage(timeToggles(SCENARIOS[scenario], count, warmup));
