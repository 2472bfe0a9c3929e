import { describe, expect, it } from 'vitest';
import type { TrainEvent } from '../../core/node/train/trainer.js';
import type { JobEvent } from '../jobs/job-types.js';
import { EventReporter } from './event-reporter.js';

const step = (epoch: number, s: number, of = 10): TrainEvent => ({ type: 'step', epoch, step: s, stepsPerEpoch: of, loss: 1, accuracy: 0.5, imagesPerSecond: 100, etaSeconds: 1 });
const describeEvent = (e: JobEvent) => (e.type === 'train' ? (e.event.type === 'step' ? `step ${e.event.epoch}.${e.event.step}` : e.event.type) : e.type === 'log' ? `log ${e.message}` : `state ${e.state}`);

function harness(minStepMs: number) {
  let t = 0;
  const sent: string[] = [];
  const reporter = new EventReporter(
    async (e) => {
      sent.push(describeEvent(e));
    },
    minStepMs,
    () => undefined,
    () => t,
  );
  return { reporter, sent, advance: (ms: number) => (t += ms) };
}

describe('EventReporter', () => {
  it('thins steps to one per interval, keeps each epoch’s last step and every other event, in order', async () => {
    const { reporter, sent, advance } = harness(100);
    reporter.train({ type: 'start', engine: 'tfjs-wasm', trainImages: 100, evalImages: 10, evalName: 'test', stepsPerEpoch: 10, firstEpoch: 0, epochs: 1 });
    for (let s = 1; s <= 10; s++) {
      reporter.train(step(0, s));
      advance(30);
    }
    reporter.log('done');
    await reporter.flush();
    // Steps at t=0 (1), 120 (5), 240 (9) pass the interval; step 10 ends the epoch.
    expect(sent).toEqual(['start', 'step 0.1', 'step 0.5', 'step 0.9', 'step 0.10', 'log done']);
  });

  it('sends a held step before the next event, and on flush', async () => {
    const { reporter, sent, advance } = harness(1000);
    reporter.train(step(0, 1));
    advance(10);
    reporter.train(step(0, 2));
    reporter.log('cancel requested');
    reporter.train(step(0, 3));
    await reporter.flush();
    expect(sent).toEqual(['step 0.1', 'step 0.2', 'log cancel requested', 'step 0.3']);
  });

  it('sends a held step once the interval has passed even when no other event comes', async () => {
    let t = 0;
    const sent: string[] = [];
    const reporter = new EventReporter(async (e) => void sent.push(describeEvent(e)), 20, () => undefined, () => t);
    reporter.train(step(0, 1));
    t = 5;
    reporter.train(step(0, 2));
    await new Promise((r) => setTimeout(r, 60));
    expect(sent).toEqual(['step 0.1', 'step 0.2']);
  });

  it('goes on after a send fails, and says so', async () => {
    const errors: string[] = [];
    const sent: string[] = [];
    let first = true;
    const reporter = new EventReporter(
      async (e) => {
        if (first) {
          first = false;
          throw new Error('connection lost');
        }
        sent.push(describeEvent(e));
      },
      0,
      (e) => errors.push(e.message),
    );
    reporter.log('a');
    reporter.log('b');
    await reporter.flush();
    expect([errors, sent]).toEqual([['connection lost'], ['log b']]);
  });
});
