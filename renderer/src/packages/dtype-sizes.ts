import type { FullPackageDetails, WeightDtypeName } from '../../../main/contract/studio-api.js';
import { WEIGHT_DTYPES } from '../../../core/budget/weight-dtype.js';
import { planPackage } from '../../../core/package/package-plan.js';
import { checkSpecText } from '../../../core/spec/load-spec.js';

export interface DtypeSize {
  readonly dtype: WeightDtypeName;
  readonly bytes: number;
  /** The dtype the package is stored in: its row equals the file's size. */
  readonly current: boolean;
}

/**
 * What the package would weigh stored at each weight dtype, laid out by the same plan the encoder fills
 * (spec and signature kept as the package has them). Needs the spec the package carries: undefined
 * without one, or when it no longer checks.
 */
export function dtypeSizes(details: FullPackageDetails): readonly DtypeSize[] | undefined {
  if (details.specText === null) return undefined;
  const checked = checkSpecText(details.specText);
  if (!checked.ok) return undefined;
  return WEIGHT_DTYPES.map((dtype) => ({
    dtype,
    bytes: planPackage(checked.graph, { dtype, includeSpec: true, signed: details.signature !== null }).totalSize,
    current: dtype === details.weightDtype,
  }));
}
