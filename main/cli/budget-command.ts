import { fitBoard } from '../../core/budget/board-fit.js';
import { BOARD_PROFILES, findBoard } from '../../core/budget/board-profiles.js';
import { computeBudget } from '../../core/budget/compute-budget.js';
import { compareTotals } from '../../core/budget/reduction.js';
import type { WeightDtype } from '../../core/budget/weight-dtype.js';
import { CliError } from './cli-error.js';
import { boardTable, layerTable, reductionTable, totalsTable } from './budget-report.js';
import { loadModel } from './load-model.js';

export interface BudgetCommandOptions {
  readonly json: boolean;
  readonly baseline?: string;
  readonly board?: string;
  readonly dtype: WeightDtype;
  readonly layers: boolean;
}

/** `reframe budget`: returns the text to print so the command stays testable without a terminal. */
export async function budgetCommand(model: string, o: BudgetCommandOptions): Promise<string> {
  const boards = o.board === undefined ? BOARD_PROFILES : [findBoard(o.board)];
  if (boards.some((b) => b === undefined)) {
    throw new CliError(`unknown board "${o.board}" (known: ${BOARD_PROFILES.map((b) => b.id).join(', ')})`);
  }
  const { graph } = await loadModel(model);
  const budget = computeBudget(graph, { dtype: o.dtype });
  const fits = boards.flatMap((b) => (b === undefined ? [] : [fitBoard(budget, b)]));
  let reduction;
  if (o.baseline !== undefined) {
    const base = computeBudget((await loadModel(o.baseline)).graph, { dtype: o.dtype });
    reduction = compareTotals(budget.totals, base.totals, base.model);
  }

  if (o.json) {
    return `${JSON.stringify(
      {
        model: budget.model,
        dtype: budget.dtype,
        totals: budget.totals,
        ...(reduction === undefined ? {} : { reduction }),
        boards: fits.map((f) => ({
          id: f.board.id,
          modelFlashBytes: f.board.modelFlashBytes,
          modelRamBytes: f.board.modelRamBytes,
          regenerateAtLoad: f.regenerateAtLoad,
          regeneratePerLayer: f.regeneratePerLayer,
          recommended: f.recommended,
        })),
        layers: budget.layers,
      },
      null,
      2,
    )}\n`;
  }
  const parts = [`${budget.model} — ${graph.nodes.length} layers, weights as ${budget.dtype}`];
  if (o.layers) parts.push(layerTable(budget));
  parts.push(totalsTable(budget));
  if (reduction !== undefined) parts.push(reductionTable(reduction));
  parts.push(boardTable(fits));
  return `${parts.join('\n\n')}\n`;
}
