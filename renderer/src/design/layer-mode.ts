import { assertNever } from '../../../core/assert-never.js';
import type { ModelGraph } from '../../../core/graph/model-graph.js';
import { withParamModes } from '../../../core/spec/edit-spec.js';
import type { ParamSpec, SeededParamSpec } from '../../../core/spec/param-spec.js';
import type { SpecDocument, SpecNode } from '../../../core/spec/spec-document.js';
import { KAIMING_NORMAL_FAN_OUT_RELU } from '../../../core/zoo/nl-module.js';
import { DEFAULT_SEED_BASE } from '../../../core/zoo/resnet-builder.js';
import { offsetSeed } from '../../../core/zoo/spec-builder.js';
import { replaceWithNlModule, restoreConv } from './nl-module-swap.js';

export type SeededDist = SeededParamSpec['dist'];
export const SEEDED_DISTS: readonly SeededDist[] = ['normal', 'uniform', 'sign'];

/** What the designer's switch sets for one conv or dense layer (the weight tensor; a bias stays as it is). */
export type LayerMode =
  | { readonly kind: 'learnable' }
  | { readonly kind: 'frozen' }
  | { readonly kind: 'seeded'; readonly dist: SeededDist }
  | { readonly kind: 'nl'; readonly cnl: 'dw' | number; readonly dist: SeededDist };

export type LayerModeKind = LayerMode['kind'];

/** The mode a weight's spec amounts to (an omitted spec is learnable). */
export function modeOfWeight(spec: ParamSpec | undefined): LayerMode {
  if (spec === undefined) return { kind: 'learnable' };
  switch (spec.mode) {
    case 'learnable':
    case 'frozen':
      return { kind: spec.mode };
    case 'seeded':
      return { kind: 'seeded', dist: spec.dist };
    default:
      return assertNever(spec);
  }
}

/** The NL module's mode, read from its seeded conv: Cnl = Cin exactly when the conv is depthwise. */
export function modeOfNlConv(conv: SpecNode): LayerMode {
  if (conv.op !== 'conv') throw new Error(`"${conv.name}" is not a conv`);
  const weight = conv.params?.weight;
  return { kind: 'nl', cnl: conv.outChannels === (conv.groups ?? 1) ? 'dw' : conv.outChannels, dist: weight?.mode === 'seeded' ? weight.dist : 'normal' };
}

/**
 * A seeded weight for a layer the user seeds by hand: Kaiming fan_in, ReLU gain for convs (a ReLU follows
 * them in every block) and 1 for dense layers (the classifier). Seeds are offset far from the NL modules'
 * so no two tensors of a preset share one; an already seeded weight keeps its seed.
 */
export function seededWeight(node: SpecNode, specIndex: number, dist: SeededDist): SeededParamSpec {
  const current = node.op === 'conv' || node.op === 'dense' ? node.params?.weight : undefined;
  const seed = current?.mode === 'seeded' ? current.seed : offsetSeed(DEFAULT_SEED_BASE, 0x1_0000 + specIndex);
  return { mode: 'seeded', dist, init: 'kaiming', fan: 'fan_in', gain: node.op === 'dense' ? 1 : Math.SQRT2, seed };
}

function weightSpec(node: SpecNode, specIndex: number, mode: Exclude<LayerMode, { kind: 'nl' }>): ParamSpec {
  switch (mode.kind) {
    case 'learnable':
    case 'frozen':
      return { mode: mode.kind };
    case 'seeded':
      return seededWeight(node, specIndex, mode.dist);
    default:
      return assertNever(mode);
  }
}

/** What a row of the designer stands for: one conv/dense node, or one NL module (by its prefix). */
export type LayerTarget = { readonly kind: 'node'; readonly name: string } | { readonly kind: 'nl'; readonly prefix: string };

/**
 * The document with one layer set to a mode; the input is never changed. `graph` is the current
 * document's graph (an NL module needs the conv's input channels).
 */
export function applyLayerMode(doc: SpecDocument, graph: ModelGraph, target: LayerTarget, mode: LayerMode): SpecDocument {
  const nlInit = (dist: SeededDist) => ({ ...KAIMING_NORMAL_FAN_OUT_RELU, dist });
  if (target.kind === 'nl') {
    const restored = restoreConv(doc, target.prefix);
    if (mode.kind === 'nl') {
      // Rebuilt with the module's seed; the conv's input node is the same in both graphs.
      return replaceWithNlModule(restored.doc, graph, restored.convName, { cnl: mode.cnl, init: nlInit(mode.dist) }, restored.seed);
    }
    return setWeight(restored.doc, restored.convName, mode);
  }
  if (mode.kind === 'nl') return replaceWithNlModule(doc, graph, target.name, { cnl: mode.cnl, init: nlInit(mode.dist) });
  return setWeight(doc, target.name, mode);
}

function setWeight(doc: SpecDocument, name: string, mode: Exclude<LayerMode, { kind: 'nl' }>): SpecDocument {
  const specIndex = doc.nodes.findIndex((n) => n.name === name);
  const node = doc.nodes[specIndex];
  if (node === undefined) throw new Error(`no node named "${name}"`);
  // Learnable is what an omitted spec means: dropping the entry lets seeded → learnable give back the
  // very text the layer had, rather than one with a redundant field.
  if (mode.kind === 'learnable') return { ...doc, nodes: doc.nodes.map((n, i) => (i === specIndex ? withoutWeightSpec(n) : n)) };
  return withParamModes(doc, { [`${name}.weight`]: weightSpec(node, specIndex, mode) });
}

function withoutWeightSpec(node: SpecNode): SpecNode {
  if ((node.op !== 'conv' && node.op !== 'dense') || node.params?.weight === undefined) return node;
  const { weight: _weight, ...others } = node.params;
  const { params: _params, ...rest } = node;
  return Object.keys(others).length === 0 ? rest : { ...rest, params: others };
}

/** The mode after the switch moves to another kind, keeping the distribution (and Cnl) where it can. */
export function switchKind(current: LayerMode | undefined, kind: LayerModeKind): LayerMode {
  const dist = current !== undefined && (current.kind === 'seeded' || current.kind === 'nl') ? current.dist : 'normal';
  switch (kind) {
    case 'learnable':
    case 'frozen':
      return { kind };
    case 'seeded':
      return { kind, dist };
    case 'nl':
      return { kind, cnl: current?.kind === 'nl' ? current.cnl : 'dw', dist };
    default:
      return assertNever(kind);
  }
}

export function isLayerModeKind(value: string): value is LayerModeKind {
  return value === 'learnable' || value === 'frozen' || value === 'seeded' || value === 'nl';
}

export function isSeededDist(value: string): value is SeededDist {
  return (SEEDED_DISTS as readonly string[]).includes(value);
}

/** Seeded widths the paper tried for NL modules (besides depthwise). */
export const NL_WIDTHS: readonly ('dw' | number)[] = ['dw', 512, 768];
