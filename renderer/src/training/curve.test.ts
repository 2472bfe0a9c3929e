import { describe, expect, it } from 'vitest';
import { appendPoint, pointsUpTo, type CurvePoint } from './curve.js';

describe('training curves', () => {
  it('thin older points past the limit and always keep the newest', () => {
    let points: readonly CurvePoint[] = [];
    for (let i = 0; i < 9; i++) points = appendPoint(points, { x: i, y: i }, 8);
    expect(points.map((p) => p.x)).toEqual([0, 2, 4, 6, 8]);
    points = appendPoint(points, { x: 9, y: 9 }, 8);
    expect(points.at(-1)).toEqual({ x: 9, y: 9 });
    for (let i = 10; i < 1000; i++) points = appendPoint(points, { x: i, y: i }, 8);
    expect(points.length).toBeLessThanOrEqual(8);
    expect(points[0]).toEqual({ x: 0, y: 0 });
    expect(points.at(-1)).toEqual({ x: 999, y: 999 });
  });

  it('cut back to a checkpoint\'s epoch', () => {
    const points = [0.5, 1, 1.5, 2].map((x) => ({ x, y: 1 }));
    expect(pointsUpTo(points, 1).map((p) => p.x)).toEqual([0.5, 1]);
  });
});
