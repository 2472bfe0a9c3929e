import { layerCosts, reviseLayerCosts, type LayerCosts } from '../../../core/budget/compute-budget.js';
import { packageSizeLedger, reviseLedger, type PackageSizeLedger } from '../../../core/package/package-size-ledger.js';
import { GraphMemo } from '../design/graph-memo.js';

/** Package payload lengths per graph; a mode change resizes by its revised nodes alone. */
export const packageLedgerMemo = (): GraphMemo<PackageSizeLedger> => new GraphMemo(packageSizeLedger, reviseLedger);

/** Each layer's costs per graph; a mode change counts its revised layers again and keeps the rest. */
export const layerCostsMemo = (): GraphMemo<LayerCosts> => new GraphMemo(layerCosts, reviseLayerCosts);
