import { describe, expect, it } from 'vitest';
import { StudioApiError } from '../../../main/contract/rpc.js';
import { Loadable } from './loadable.svelte.js';

describe('Loadable', () => {
  it('holds the answer, then the error with its hint, and keeps the last good value', async () => {
    let fail = false;
    const l = new Loadable(async () => {
      if (fail) throw new StudioApiError({ code: 'disconnected', message: 'the studio went away', hint: 'start it again' });
      return 42;
    });
    await l.refresh();
    expect(l.value).toBe(42);
    fail = true;
    await l.refresh();
    expect(l.error).toEqual({ message: 'the studio went away', hint: 'start it again' });
    expect(l.value).toBe(42);
    expect(l.loading).toBe(false);
  });

  it('lets only the latest of overlapping requests land', async () => {
    const answers: ((v: string) => void)[] = [];
    const l = new Loadable(() => new Promise<string>((resolve) => answers.push(resolve)));
    const first = l.refresh();
    const second = l.refresh();
    answers[1]!('new');
    await second;
    answers[0]!('old');
    await first;
    expect(l.value).toBe('new');
    expect(l.loading).toBe(false);
  });
});
