import type { GraphNode, ModelGraph } from '../../../core/graph/model-graph.js';
import type { SpecIssue } from '../../../core/spec/spec-issue.js';
import type { SpecDocument, SpecNode } from '../../../core/spec/spec-document.js';
import { formatShapeText } from '../../../core/format/quantity.js';
import { GraphMemo } from './graph-memo.js';
import { modeOfNlConv, modeOfWeight, type LayerMode, type LayerTarget } from './layer-mode.js';
import { isSwappableConv, nlPrefixOfSeededConv } from './nl-module-swap.js';

/** One row of the designer: a conv or dense layer, an NL module, or any other node that has a problem. */
export interface DesignLayer {
  /** Unique in the document: the node's name, or the NL module's prefix. */
  readonly key: string;
  /** What the row is called on screen: the node's name or the module's prefix. */
  readonly label: string;
  /** What a mode switch on this row changes; absent when the row cannot be edited (an invalid document). */
  readonly target?: LayerTarget;
  readonly op: string;
  /** e.g. `3×3 conv 64→128 /2`; empty when the document does not build. */
  readonly detail: string;
  readonly stage: string;
  readonly block: string;
  /** Positions in the spec's `nodes` that this row stands for, so issues land beside it. */
  readonly specIndices: readonly number[];
  readonly mode?: LayerMode;
  /** Whether the zoo's builder could make this layer an NL module (a 3x3 block conv, or one already). */
  readonly canBeNl: boolean;
  /** Parameters of the row's tensors, whatever their mode. */
  readonly params: number;
  readonly issues: readonly SpecIssue[];
}

export interface LayerBlock {
  readonly block: string;
  readonly layers: readonly DesignLayer[];
}

export interface LayerStage {
  readonly stage: string;
  readonly blocks: readonly LayerBlock[];
}

const BLOCK_NAME = /^(layer\d+)\.(\d+)\./;
const NODE_PATH = /^nodes\[(\d+)\]/;

/** The spec index an issue's path names, if it names a node. */
export function issueNodeIndex(issue: SpecIssue): number | undefined {
  const m = NODE_PATH.exec(issue.path);
  return m === null ? undefined : Number(m[1]);
}

/** Stage and block from the zoo's names; anything before the first block is the stem, after the last the head. */
function placeOf(name: string, seenBlock: boolean): { stage: string; block: string } {
  const m = BLOCK_NAME.exec(name);
  if (m !== null) return { stage: m[1] ?? '', block: `block ${m[2] ?? ''}` };
  return { stage: seenBlock ? 'head' : 'stem', block: '' };
}

function convDetail(g: GraphNode | undefined): string {
  if (g === undefined) return '';
  const cin = g.inputShapes[0]?.[0] ?? 0;
  const cout = g.outputShape[0] ?? 0;
  if (g.op === 'dense') return `dense ${cin}→${cout}`;
  const a = g.attrs as { kernel: readonly [number, number]; stride: readonly [number, number]; groups: number };
  const stride = a.stride[0] > 1 ? ` /${a.stride[0]}` : '';
  const groups = a.groups === 1 ? '' : a.groups === cin && a.groups === cout ? ' depthwise' : ` g${a.groups}`;
  return `${a.kernel[0]}×${a.kernel[1]} conv ${cin}→${cout}${stride}${groups} · out ${formatShapeText(g.outputShape)}`;
}

function paramsOf(indices: readonly number[], bySpec: ReadonlyMap<number, GraphNode>): number {
  let n = 0;
  for (const i of indices) for (const t of bySpec.get(i)?.params ?? []) n += t.elements;
  return n;
}

const NL_MEMBER = /^(layer\d+\.\d+\.nl[12])\./;

/** Spec indices of each NL module's own nodes, by prefix, except its pointwise conv (a row of its own). */
function moduleMembers(doc: SpecDocument): Map<string, number[]> {
  const members = new Map<string, number[]>();
  doc.nodes.forEach((n, j) => {
    const prefix = NL_MEMBER.exec(n.name)?.[1];
    if (prefix === undefined || n.name === `${prefix}.pw`) return;
    const list = members.get(prefix);
    if (list === undefined) members.set(prefix, [j]);
    else list.push(j);
  });
  return members;
}

interface RowContext {
  readonly doc: SpecDocument;
  readonly bySpec: ReadonlyMap<number, GraphNode>;
  readonly byName: ReadonlyMap<string, GraphNode>;
}

function rowContext(doc: SpecDocument, graph: ModelGraph): RowContext {
  return { doc, bySpec: new Map(graph.nodes.map((g) => [g.specIndex, g])), byName: new Map(graph.nodes.map((g) => [g.name, g])) };
}

type Place = { readonly stage: string; readonly block: string };

/** The row of an NL module, from its seeded conv (the node at `i`) and the module's own nodes. */
function moduleRow(c: RowContext, nl: string, i: number, indices: readonly number[], place: Place): DesignLayer {
  const node = c.doc.nodes[i] as SpecNode;
  const seeded = c.byName.get(node.name);
  const out = c.byName.get(`${nl}.pw`)?.outputShape[0] ?? 0;
  const mode = modeOfNlConv(node);
  const cnl = mode.kind === 'nl' && mode.cnl !== 'dw' ? String(mode.cnl) : 'dw';
  const stride = (seeded?.attrs as { stride: readonly [number, number] } | undefined)?.stride[0] ?? 1;
  return {
    key: nl,
    label: nl,
    target: { kind: 'nl', prefix: nl },
    op: 'nl-module',
    detail: `NL module ${seeded?.inputShapes[0]?.[0] ?? 0}→${out}${stride > 1 ? ` /${stride}` : ''}, Cnl ${cnl}`,
    ...place,
    specIndices: indices,
    mode,
    canBeNl: true,
    params: paramsOf(indices, c.bySpec),
    issues: [],
  };
}

/** The row of a plain conv or dense node at `i`. */
function nodeRow(c: RowContext, i: number, place: Place): DesignLayer {
  const node = c.doc.nodes[i] as SpecNode & { op: 'conv' | 'dense' };
  return {
    key: node.name,
    label: node.name,
    target: { kind: 'node', name: node.name },
    op: node.op,
    detail: convDetail(c.bySpec.get(i)),
    ...place,
    specIndices: [i],
    mode: modeOfWeight(node.params?.weight),
    canBeNl: isSwappableConv(node),
    params: paramsOf([i], c.bySpec),
    issues: [],
  };
}

/** The designer's rows for a document that builds: every conv and dense, with NL modules as one row each. */
export function designLayers(doc: SpecDocument, graph: ModelGraph): DesignLayer[] {
  const c = rowContext(doc, graph);
  const members = moduleMembers(doc);
  const rows: DesignLayer[] = [];
  let seenBlock = false;
  doc.nodes.forEach((node, i) => {
    const place = placeOf(node.name, seenBlock);
    seenBlock ||= place.block !== '';
    const nl = nlPrefixOfSeededConv(node);
    if (nl !== undefined) rows.push(moduleRow(c, nl, i, members.get(nl) ?? [i], place));
    else if (node.op === 'conv' || node.op === 'dense') rows.push(nodeRow(c, i, place));
  });
  return rows;
}

/**
 * The rows after a change of parameter modes in the nodes at `specIndices` (a GraphRevision): the rows
 * standing for those nodes are made again, every other row is the same object as before, so the view
 * updates the changed rows only. Equal to `designLayers(doc, graph)`.
 */
export function reviseLayers(rows: readonly DesignLayer[], doc: SpecDocument, graph: ModelGraph, specIndices: readonly number[]): readonly DesignLayer[] {
  if (specIndices.length === 0) return rows;
  const revised = new Set(specIndices);
  let c: RowContext | undefined;
  return rows.map((row) => {
    if (!row.specIndices.some((i) => revised.has(i))) return row;
    c ??= rowContext(doc, graph);
    const place = { stage: row.stage, block: row.block };
    if (row.target?.kind === 'nl') {
      const prefix = row.target.prefix;
      const i = row.specIndices.find((j) => doc.nodes[j]?.name === `${prefix}.conv`);
      if (i === undefined) throw new Error(`the row of NL module ${prefix} has no seeded conv`);
      return moduleRow(c, prefix, i, row.specIndices, place);
    }
    return nodeRow(c, row.specIndices[0] as number, place);
  });
}

function field(value: unknown, key: string): unknown {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[key] : undefined;
}

/**
 * Rows for a document that does not check: whatever can be read of its nodes, read-only, each with the
 * issues that name it. Conv and dense nodes always get a row; other nodes only when they have a problem.
 */
export function brokenLayers(value: unknown, issues: readonly SpecIssue[]): DesignLayer[] {
  const nodes = field(value, 'nodes');
  if (!Array.isArray(nodes)) return [];
  const byIndex = new Map<number, SpecIssue[]>();
  for (const issue of issues) {
    const i = issueNodeIndex(issue);
    if (i !== undefined) byIndex.set(i, [...(byIndex.get(i) ?? []), issue]);
  }
  const rows: DesignLayer[] = [];
  let seenBlock = false;
  nodes.forEach((node: unknown, i) => {
    const rawName = field(node, 'name');
    const name = typeof rawName === 'string' ? rawName : `nodes[${i}]`;
    const op = field(node, 'op');
    const place = placeOf(name, seenBlock);
    seenBlock ||= place.block !== '';
    const mine = byIndex.get(i) ?? [];
    if (op !== 'conv' && op !== 'dense' && mine.length === 0) return;
    // Names may repeat in a broken document (that is one of its problems): the key adds the position.
    rows.push({ key: `${i}:${name}`, label: name, op: typeof op === 'string' ? op : '?', detail: '', ...place, specIndices: [i], canBeNl: false, params: 0, issues: mine });
  });
  return rows;
}

/** Issues no row can show: the document's own fields, its outputs, or nodes that could not be read. */
export function unplacedIssues(rows: readonly DesignLayer[], issues: readonly SpecIssue[]): SpecIssue[] {
  if (issues.length === 0) return [];
  const shown = new Set(rows.flatMap((l) => l.specIndices));
  return issues.filter((issue) => {
    const i = issueNodeIndex(issue);
    return i === undefined || !shown.has(i);
  });
}

/** The designer's rows per checked graph (its document is `graph.doc`), revised rather than remade after a mode change. */
export const layerRowsMemo = (): GraphMemo<readonly DesignLayer[]> =>
  new GraphMemo<readonly DesignLayer[]>(
    (graph) => designLayers(graph.doc, graph),
    (rows, revision, graph) => reviseLayers(rows, graph.doc, graph, revision.specIndices),
  );

const sameRows = (a: readonly DesignLayer[], b: readonly DesignLayer[]) => a.length === b.length && a.every((row, i) => row === b[i]);

/**
 * Consecutive rows of one stage and block, in document order. Blocks and stages of `previous` whose rows
 * are all the same objects are reused, so after a toggle the view re-renders the one block that changed.
 */
export function groupLayers(rows: readonly DesignLayer[], previous: readonly LayerStage[] = []): LayerStage[] {
  const stages: { stage: string; blocks: { block: string; layers: DesignLayer[] }[] }[] = [];
  for (const row of rows) {
    let stage = stages.at(-1);
    if (stage?.stage !== row.stage) {
      stage = { stage: row.stage, blocks: [] };
      stages.push(stage);
    }
    let block = stage.blocks.at(-1);
    if (block?.block !== row.block) {
      block = { block: row.block, layers: [] };
      stage.blocks.push(block);
    }
    block.layers.push(row);
  }
  return stages.map((stage, s) => {
    const old = previous[s];
    if (old?.stage !== stage.stage || old.blocks.length !== stage.blocks.length) return stage;
    const blocks = stage.blocks.map((b, i) => {
      const o = old.blocks[i];
      return o !== undefined && o.block === b.block && sameRows(o.layers, b.layers) ? o : b;
    });
    return blocks.every((b, i) => b === old.blocks[i]) ? old : { stage: stage.stage, blocks };
  });
}
