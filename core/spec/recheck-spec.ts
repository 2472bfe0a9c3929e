import type { z } from 'zod';
import { resolveParams } from '../graph/build-graph.js';
import type { GraphRevision, ModelGraph } from '../graph/model-graph.js';
import { OPS } from '../ops/op-registry.js';
import { checkSpecValue, type CheckResult, type LoadedSpec } from './load-spec.js';
import type { SpecDocument, SpecNode } from './spec-document.js';
import type { SpecIssue } from './spec-issue.js';

export interface Recheck {
  readonly result: CheckResult;
  /** Present when the earlier check was reused and only some nodes' tensors were resolved again. */
  readonly revision?: GraphRevision;
}

type Json = unknown;

function isRecord(v: Json): v is Readonly<Record<string, Json>> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Equality of JSON values: same keys (an undefined field counts as present), same values. */
function sameJson(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (!isRecord(a) || !isRecord(b)) return false;
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

function sameExcept(a: Readonly<Record<string, Json>>, b: Json, skip: string): boolean {
  if (!isRecord(b)) return false;
  const keys = Object.keys(a).filter((k) => k !== skip);
  return keys.length === Object.keys(b).filter((k) => k !== skip).length && keys.every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]));
}

/**
 * Spec indices of the nodes whose `params` alone differ between a checked document and a new value;
 * undefined when anything else differs (a node added, renamed, rewired or given other attributes).
 */
function paramsOnlyChanges(prev: SpecDocument, value: Json): number[] | undefined {
  if (!isRecord(value) || !sameExcept(prev as unknown as Readonly<Record<string, Json>>, value, 'nodes')) return undefined;
  const nodes = value['nodes'];
  if (!Array.isArray(nodes) || nodes.length !== prev.nodes.length) return undefined;
  const changed: number[] = [];
  for (let i = 0; i < nodes.length; i++) {
    const before = prev.nodes[i] as unknown as Readonly<Record<string, Json>>;
    const after: Json = nodes[i];
    if (after === before) continue;
    if (!sameExcept(before, after, 'params')) return undefined;
    if (!sameJson(before['params'], (after as Readonly<Record<string, Json>>)['params'])) changed.push(i);
  }
  return changed;
}

/**
 * The check of `value` given the check of a document it was edited from. When the edit changed only
 * parameter modes (the designer's toggle), just those nodes are validated again against their op's
 * schema and their tensors resolved again; everything else of the earlier graph is kept, and the result
 * says which nodes were revised. Any other edit, or a revised node with a problem, gets the full check,
 * so the result is always what `checkSpecValue(value)` would give.
 */
export function recheckSpecValue(prev: LoadedSpec, value: unknown): Recheck {
  const changed = paramsOnlyChanges(prev.doc, value);
  if (changed === undefined) return { result: checkSpecValue(value) };
  if (changed.length === 0) return { result: { ok: true, doc: prev.doc, graph: prev.graph }, revision: { from: prev.graph, specIndices: [] } };

  const position = new Map<number, number>();
  prev.graph.nodes.forEach((g, p) => position.set(g.specIndex, p));
  const docNodes = [...prev.doc.nodes];
  const graphNodes = [...prev.graph.nodes];
  const newNodes = (value as { nodes: readonly Json[] }).nodes;
  for (const i of changed) {
    const node = newNodes[i] as SpecNode;
    const at = position.get(i);
    const before = at === undefined ? undefined : graphNodes[at];
    // Every node of a checked document is in its graph.
    if (at === undefined || before === undefined) return { result: checkSpecValue(value) };
    // Its other fields passed its op's schema and are unchanged, so the op's schema for `params` alone
    // decides (an op without tensors has none, and a node of it may not have the field).
    const paramsSchema = (OPS[before.op].schema as z.ZodObject).shape['params'];
    if (paramsSchema === undefined || !paramsSchema.safeParse((node as { params?: unknown }).params).success) return { result: checkSpecValue(value) };
    const issues: SpecIssue[] = [];
    const params = resolveParams(node, before.params, i, issues);
    if (issues.length > 0) return { result: checkSpecValue(value) };
    docNodes[i] = node;
    graphNodes[at] = { ...before, params };
  }
  const doc: SpecDocument = { ...prev.doc, nodes: docNodes };
  const graph: ModelGraph = { ...prev.graph, nodes: graphNodes, doc };
  return { result: { ok: true, doc, graph }, revision: { from: prev.graph, specIndices: changed } };
}
