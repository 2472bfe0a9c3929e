import { checkSpecText, checkSpecValue, type LoadedSpec } from '../../../core/spec/load-spec.js';
import { recheckSpecValue, type Recheck } from '../../../core/spec/recheck-spec.js';
import type { SpecDocument } from '../../../core/spec/spec-document.js';
import { applyLayerMode, type LayerMode, type LayerTarget } from './layer-mode.js';

/** The full check of a document as opened or loaded: from its text when there is one (issues get line and column). */
export function checkDocument(value: unknown, text: string | undefined): Recheck {
  return { result: text === undefined ? checkSpecValue(value) : checkSpecText(text) };
}

/**
 * One layer set to a mode, and the check of the result. A mode change re-validates only the nodes it
 * touched and keeps the rest of the current graph (the result carries that revision, so rows and sizes
 * update by those nodes too); swapping a conv and an NL module changes the structure and is checked in full.
 */
export function editLayerMode(current: LoadedSpec, target: LayerTarget, mode: LayerMode): { readonly value: SpecDocument; readonly check: Recheck } {
  const value = applyLayerMode(current.doc, current.graph, target, mode);
  return { value, check: recheckSpecValue(current, value) };
}
