import Table from 'cli-table3';
import type { BoardFit, FitVerdict } from '../../core/budget/board-fit.js';
import type { Budget } from '../../core/budget/budget-types.js';
import { REDUCTION_METRICS, type Reduction } from '../../core/budget/reduction.js';
import { formatBytes, formatChange, formatCount, formatShapeText } from '../../core/format/quantity.js';

// No borders: the report is read in terminals and pasted into issues, where box characters add noise.
const PLAIN = {
  chars: {
    top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '',
    'bottom-right': '', left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
  },
  style: { head: [], border: [], 'padding-left': 0, 'padding-right': 0 },
};

function table(head: string[], rows: string[][], rightAligned: readonly number[]): string {
  const t = new Table({ ...PLAIN, head, colAligns: head.map((_, i) => (rightAligned.includes(i) ? 'right' : 'left')) });
  t.push(...rows);
  return t.toString();
}

const num = (n: number) => n.toLocaleString('en-US');

export function layerTable(budget: Budget): string {
  const rows = budget.layers.map((l) => [
    l.name,
    l.op,
    formatShapeText(l.outputShape),
    l.learnableParams === 0 ? '' : num(l.learnableParams),
    l.seededParams === 0 ? '' : num(l.seededParams),
    l.macs === 0 ? '' : num(l.macs),
    l.otherOps === 0 ? '' : num(l.otherOps),
    formatBytes(l.liveBytes),
  ]);
  return table(['layer', 'op', 'output', 'learnable', 'seeded', 'MACs', 'other ops', 'live act.'], rows, [3, 4, 5, 6, 7]);
}

export function totalsTable(budget: Budget): string {
  const t = budget.totals;
  const rows: string[][] = [
    ['learnable parameters', num(t.learnableParams), formatCount(t.learnableParams)],
    ['seeded parameters', num(t.seededParams), formatCount(t.seededParams)],
    ['frozen parameters', num(t.frozenParams), formatCount(t.frozenParams)],
    ['BN running statistics', num(t.stateElements), formatCount(t.stateElements)],
    ['MACs (conv + dense)', num(t.macs), formatCount(t.macs)],
    ['other ops (pool, BN, add, ...)', num(t.otherOps), formatCount(t.otherOps)],
    ['FLOPs = 2·MACs + other ops', num(t.flops), formatCount(t.flops)],
    ['full model, fp32', num(t.fullModelBytes), formatBytes(t.fullModelBytes)],
    [`package, ${budget.dtype}${t.packageBytesExact ? '' : ' (estimate)'}`, num(t.packageBytes), formatBytes(t.packageBytes)],
    [`peak activations (at ${t.peakActivationLayer})`, num(t.peakActivationBytes), formatBytes(t.peakActivationBytes)],
    ['board RAM, regenerate at load', num(t.regenerateAtLoad.ramBytes), formatBytes(t.regenerateAtLoad.ramBytes)],
    ['board RAM, regenerate per layer', num(t.regeneratePerLayer.ramBytes), formatBytes(t.regeneratePerLayer.ramBytes)],
  ];
  return table(['total', 'count', ''], rows, [1, 2]);
}

const REDUCTION_LABELS: Readonly<Record<(typeof REDUCTION_METRICS)[number], string>> = {
  learnableParams: 'learnable parameters',
  totalParams: 'all parameters',
  macs: 'MACs',
  flops: 'FLOPs',
  fullModelBytes: 'full model bytes',
  packageBytes: 'package bytes',
  peakActivationBytes: 'peak activations',
};

export function reductionTable(reduction: Reduction): string {
  const rows = REDUCTION_METRICS.map((m) => [REDUCTION_LABELS[m], formatChange(reduction.change[m])]);
  return table([`vs ${reduction.baseline}`, 'change'], rows, [1]);
}

function verdictCells(v: FitVerdict): string[] {
  return [
    v.fits ? 'fits' : 'NO FIT',
    `${formatBytes(v.flashBytes)} (${(v.flashUse * 100).toFixed(1)}%)`,
    `${formatBytes(v.ramBytes)} (${(v.ramUse * 100).toFixed(1)}%)`,
  ];
}

export function boardTable(fits: readonly BoardFit[]): string {
  const rows = fits.flatMap((f) => [
    [f.board.id, 'regenerate at load', ...verdictCells(f.regenerateAtLoad)],
    ['', 'regenerate per layer', ...verdictCells(f.regeneratePerLayer)],
  ]);
  return table(['board', 'strategy', 'verdict', 'flash (of model share)', 'RAM (of model share)'], rows, [3, 4]);
}
