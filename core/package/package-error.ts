/**
 * The decoder's checks, in the order it runs them (docs/package-format.md), plus the errors of the
 * operations around decoding: packing bad input and applying deltas.
 */
export type PackageCheck = 'size' | 'header' | 'sections' | 'digest' | 'signature' | 'semantics' | 'delta' | 'pack';

export class PackageError extends Error {
  constructor(
    readonly check: PackageCheck,
    detail: string,
  ) {
    super(`package rejected by the ${check} check: ${detail}`);
    this.name = 'PackageError';
  }
}
