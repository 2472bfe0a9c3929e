import { describe, expect, it } from 'vitest';
import { meetsGoal, type BenchFigure } from './bench-result.js';
import { markdownReport } from './report.js';

const figure: BenchFigure = { suite: 'budget', name: 'recompute', value: 0.35, unit: 'ms', goal: { op: '<=', value: 5 }, engine: 'node v20' };

describe('bench report', () => {
  it('says whether each goal is met and names the machine', () => {
    expect(meetsGoal(figure)).toBe(true);
    expect(meetsGoal({ ...figure, value: 6 })).toBe(false);
    const text = markdownReport([figure], { cpu: 'AMD EPYC', cores: 2, memoryGiB: 24, platform: 'Linux', node: 'v20' }, '2026-11-26');
    expect(text).toContain('on AMD EPYC, 2 cores, 24 GiB');
    expect(text).toContain('| budget | recompute | 0.3500 | ms | <= 5 | yes | node v20 |');
  });
});
