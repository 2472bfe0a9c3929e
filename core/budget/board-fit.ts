import type { BoardProfile } from './board-profiles.js';
import type { Budget, DeviceNeeds } from './budget-types.js';

export interface FitVerdict {
  readonly fits: boolean;
  readonly flashBytes: number;
  readonly ramBytes: number;
  /** Fraction of the model's share of flash and RAM used (1 = full). */
  readonly flashUse: number;
  readonly ramUse: number;
}

export interface BoardFit {
  readonly board: BoardProfile;
  readonly regenerateAtLoad: FitVerdict;
  readonly regeneratePerLayer: FitVerdict;
  /** The faster strategy that fits, if any: what the studio would pick for this board. */
  readonly recommended: 'regenerate-at-load' | 'regenerate-per-layer' | 'none';
}

function verdict(needs: DeviceNeeds, board: BoardProfile): FitVerdict {
  const flashUse = needs.flashBytes / board.modelFlashBytes;
  const ramUse = needs.ramBytes / board.modelRamBytes;
  return { fits: flashUse <= 1 && ramUse <= 1, flashBytes: needs.flashBytes, ramBytes: needs.ramBytes, flashUse, ramUse };
}

export function fitBoard(budget: Budget, board: BoardProfile): BoardFit {
  const atLoad = verdict(budget.totals.regenerateAtLoad, board);
  const perLayer = verdict(budget.totals.regeneratePerLayer, board);
  // Regenerating at load runs faster (no per-inference regeneration), so it wins whenever it fits.
  const recommended = atLoad.fits ? 'regenerate-at-load' : perLayer.fits ? 'regenerate-per-layer' : 'none';
  return { board, regenerateAtLoad: atLoad, regeneratePerLayer: perLayer, recommended };
}
