import type { ChangeKind, PackageDiff } from '../../../main/contract/studio-api.js';

export interface DiffSummary {
  readonly changed: number;
  readonly added: number;
  readonly removed: number;
  readonly same: number;
  /** Same nodes, ops, shapes and wiring: B is A with other weights (or seeds, dtypes, modes). */
  readonly sameArchitecture: boolean;
  /** What a push sends a board running A: the delta when smaller, else B whole. */
  readonly pushBytes: number;
  readonly pushKind: 'delta' | 'full';
}

export function summarizeDiff(diff: PackageDiff): DiffSummary {
  const count = (kind: ChangeKind) => diff.tensors.filter((t) => t.change === kind).length;
  const delta = diff.deltaBytes < diff.b.bytes;
  return {
    changed: count('changed'),
    added: count('added'),
    removed: count('removed'),
    same: diff.unchangedTensors,
    sameArchitecture: diff.nodes.length === 0,
    pushBytes: delta ? diff.deltaBytes : diff.b.bytes,
    pushKind: delta ? 'delta' : 'full',
  };
}
