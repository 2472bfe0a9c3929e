import Table from 'cli-table3';
import type { BoardTargetOptions } from './board-target.js';
import { withBoard } from './board-command.js';
import { CliError } from './cli-error.js';

export interface BoardBenchOptions extends BoardTargetOptions {
  readonly runs: string;
  readonly json: boolean;
}

// Borderless like the budget report: read in terminals and pasted into issues.
const PLAIN = {
  chars: {
    top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
    'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
  },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
};

/** `reframe board bench`: per-layer latency measured on the board. */
export async function boardBenchCommand(o: BoardBenchOptions): Promise<string> {
  const runs = Number(o.runs);
  if (!Number.isInteger(runs) || runs < 1 || runs > 65535) throw new CliError(`--runs ${o.runs}: expected 1 to 65535`);
  return withBoard(o, async (b) => {
    const r = await b.client.bench(runs);
    const total = r.layers.reduce((s, l) => s + l.micros, 0);
    if (o.json) return `${JSON.stringify({ board: b.client.lastInfo.name, engine: r.engine, runs: r.runs, totalMicros: total, layers: r.layers }, null, 2)}\n`;
    const table = new Table({ ...PLAIN, head: ['#', 'layer', 'op', 'mean µs', 'share'], colAligns: ['right', 'left', 'left', 'right', 'right'] });
    for (const l of r.layers) table.push([l.index, l.name, l.op, l.micros.toFixed(1), total > 0 ? `${((100 * l.micros) / total).toFixed(1)}%` : '-']);
    table.push(['', 'total', '', total.toFixed(1), '100%']);
    return `${b.client.lastInfo.name}: ${r.runs} run(s) on ${r.engine}, ${(total / 1000).toFixed(2)} ms per inference\n${table.toString()}\n`;
  });
}
