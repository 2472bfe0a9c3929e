import type { PackageSizer } from '../budget/package-size.js';
import { planPackage } from './package-plan.js';

/** The budget's package figure from the real layout: equal to the packed size, spec included, unsigned. */
export const exactPackageSize: PackageSizer = (graph, dtype) => ({ bytes: planPackage(graph, { dtype }).totalSize, exact: true });
