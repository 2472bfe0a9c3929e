/** One figure a benchmark measured, in the shape bench/results.json stores it. */
export interface BenchFigure {
  readonly suite: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** What "good" means for this figure, e.g. `<= 5 ms`; absent when the figure is informational. */
  readonly goal?: { readonly op: '<=' | '>='; readonly value: number };
  readonly engine: string;
  readonly detail?: Readonly<Record<string, number | string>>;
}

export function meetsGoal(f: BenchFigure): boolean | undefined {
  if (f.goal === undefined) return undefined;
  return f.goal.op === '<=' ? f.value <= f.goal.value : f.value >= f.goal.value;
}
