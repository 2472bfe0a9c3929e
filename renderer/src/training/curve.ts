/** One point of a training curve: x in epochs (1.5 = half-way through the second), y the value. */
export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** A named line for LineChart; `dots` marks the per-epoch lines, drawn as points joined. */
export interface LineSeries {
  readonly label: string;
  readonly points: readonly CurvePoint[];
  readonly dots?: boolean;
}

/** Enough points for a chart a screen wide; a long run thins its older steps to stay under it. */
export const MAX_CURVE_POINTS = 1200;

/**
 * The curve with `p` added. Past `max` points every second older point goes, so a run of any length
 * costs a bounded copy per step and the chart keeps its shape (older steps at half the density).
 */
export function appendPoint(points: readonly CurvePoint[], p: CurvePoint, max = MAX_CURVE_POINTS): readonly CurvePoint[] {
  const next = [...points, p];
  if (next.length <= max) return next;
  return next.filter((_, i) => i % 2 === 0 || i === next.length - 1);
}

/** The points up to epoch `x`: a run resumed from its checkpoint redoes the epoch after it. */
export function pointsUpTo(points: readonly CurvePoint[], x: number): readonly CurvePoint[] {
  return points.filter((p) => p.x <= x);
}
