import { untrack } from 'svelte';
import type { Chart, ChartType } from 'chart.js';

/**
 * One chart.js chart per canvas, made when the canvas is attached and destroyed when it goes. Made
 * untracked: the props `make` reads first must not rebuild the chart when they change; a chart
 * component's own effect pushes new data into `chart` instead (a rebuild would lose the tooltip and
 * cost a full layout on every toggle).
 */
export class ChartMount<T extends ChartType> {
  chart: Chart<T> | undefined = $state.raw(undefined);

  constructor(private readonly make: (canvas: HTMLCanvasElement) => Chart<T>) {}

  /** `<canvas {@attach mount.attach}>` */
  readonly attach = (canvas: HTMLCanvasElement): (() => void) => {
    const made = untrack(() => this.make(canvas));
    this.chart = made;
    return () => {
      made.destroy();
      this.chart = undefined;
    };
  };
}
