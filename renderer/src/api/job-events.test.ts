import { describe, expect, it } from 'vitest';
import { JobEvents } from './job-events.js';

describe('JobEvents', () => {
  it('holds events while a start is on its way and plays only the started job\'s, in order', () => {
    const seen: string[] = [];
    const j = new JobEvents();
    j.deliver('a', () => seen.push('a0'));
    j.starting();
    j.deliver('b', () => seen.push('b1'));
    j.deliver('c', () => seen.push('c1'));
    j.deliver('b', () => seen.push('b2'));
    expect(seen).toEqual([]);
    j.started('b');
    expect(seen).toEqual(['b1', 'b2']);
    j.deliver('b', () => seen.push('b3'));
    j.deliver('c', () => seen.push('c2'));
    expect(seen).toEqual(['b1', 'b2', 'b3']);
    expect(j.id).toBe('b');
  });

  it('drops what it held when the start fails, and follows a known id at once', () => {
    const seen: string[] = [];
    const j = new JobEvents();
    j.starting();
    j.deliver('x', () => seen.push('x'));
    j.failed();
    j.started('x');
    expect(seen).toEqual([]);
    j.follow('y');
    j.deliver('y', () => seen.push('y'));
    expect(seen).toEqual(['y']);
  });
});
