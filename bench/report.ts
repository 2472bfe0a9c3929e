import { meetsGoal, type BenchFigure } from './bench-result.js';
import type { MachineInfo } from './machine.js';

function formatValue(v: number): string {
  return Math.abs(v) >= 1000 ? v.toLocaleString('en-US', { maximumFractionDigits: 0 }) : v.toPrecision(4);
}

/** The readable table beside results.json: Markdown, so it reads the same in a terminal and on a PR. */
export function markdownReport(figures: readonly BenchFigure[], machine: MachineInfo, when: string): string {
  const lines = [
    `# ReFrame Studio benchmarks`,
    '',
    `Measured ${when} on ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, ${machine.platform}, Node ${machine.node}.`,
    '',
    '| suite | figure | value | unit | goal | met | engine |',
    '| --- | --- | ---: | --- | --- | --- | --- |',
  ];
  for (const f of figures) {
    const met = meetsGoal(f);
    const goal = f.goal === undefined ? '' : `${f.goal.op} ${f.goal.value}`;
    lines.push(`| ${f.suite} | ${f.name} | ${formatValue(f.value)} | ${f.unit} | ${goal} | ${met === undefined ? '' : met ? 'yes' : 'NO'} | ${f.engine} |`);
  }
  return `${lines.join('\n')}\n`;
}
