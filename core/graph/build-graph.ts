import type { Shape } from '../ops/op-def.js';
import { OPS } from '../ops/op-registry.js';
import { elementCount } from '../ops/shape-math.js';
import { LEARNABLE, type ParamSpec } from '../spec/param-spec.js';
import type { SpecDocument, SpecNode } from '../spec/spec-document.js';
import type { SpecIssue } from '../spec/spec-issue.js';
import { executionOrder } from './execution-order.js';
import type { GraphNode, ModelGraph, ParamTensor } from './model-graph.js';

export type GraphResult = { readonly ok: true; readonly graph: ModelGraph } | { readonly ok: false; readonly issues: readonly SpecIssue[] };

function inputNamesOf(node: SpecNode): readonly string[] {
  return 'inputs' in node ? node.inputs : [];
}

function paramSpecsOf(node: SpecNode): Readonly<Record<string, ParamSpec | undefined>> {
  return 'params' in node && node.params !== undefined ? node.params : {};
}

/** Wires, orders and shape-checks a schema-valid document. Every problem comes back with its JSON path. */
export function buildGraph(doc: SpecDocument): GraphResult {
  const issues: SpecIssue[] = [];
  const specNodes = doc.nodes;
  const indexByName = new Map<string, number>();
  specNodes.forEach((node, i) => {
    const earlier = indexByName.get(node.name);
    if (earlier !== undefined) {
      issues.push({ code: 'duplicate-name', path: `nodes[${i}].name`, message: `"${node.name}" is already the name of nodes[${earlier}]` });
    } else {
      indexByName.set(node.name, i);
    }
  });

  const wiring: number[][] = specNodes.map((node, i) => {
    const names = inputNamesOf(node);
    const [min, max] = OPS[node.op].arity;
    if (names.length < min || names.length > max) {
      const wanted = min === max ? `${min}` : max === Number.POSITIVE_INFINITY ? `at least ${min}` : `${min} to ${max}`;
      issues.push({ code: 'arity', path: `nodes[${i}].inputs`, message: `${node.op} takes ${wanted} input(s), got ${names.length}` });
    }
    return names.flatMap((name, slot) => {
      const target = indexByName.get(name);
      if (target === undefined) {
        issues.push({ code: 'dangling-input', path: `nodes[${i}].inputs[${slot}]`, message: `no node named "${name}"` });
        return [];
      }
      return [target];
    });
  });

  if (!specNodes.some((n) => n.op === 'input')) {
    issues.push({ code: 'no-input', path: 'nodes', message: 'the graph has no input node' });
  }
  const outputs = doc.outputs.flatMap((name, slot) => {
    const target = indexByName.get(name);
    if (target === undefined) issues.push({ code: 'dangling-input', path: `outputs[${slot}]`, message: `no node named "${name}"` });
    return target === undefined ? [] : [target];
  });
  if (issues.length > 0) return { ok: false, issues };

  const ordered = executionOrder(
    specNodes.map((n) => n.name),
    wiring,
  );
  if ('issue' in ordered) return { ok: false, issues: [ordered.issue] };

  const position = new Map<number, number>();
  const nodes: GraphNode[] = [];
  const failed = new Set<number>();
  for (const specIndex of ordered.order) {
    const spec = specNodes[specIndex] as SpecNode;
    const deps = wiring[specIndex] ?? [];
    // A node downstream of a broken one is not checked: its inputs have no shape to check against.
    if (deps.some((d) => failed.has(d))) {
      failed.add(specIndex);
      continue;
    }
    const def = OPS[spec.op];
    const attrs = def.resolve(spec as unknown as Record<string, unknown>);
    const inputPositions = deps.map((d) => position.get(d) as number);
    const inputShapes: Shape[] = inputPositions.map((p) => (nodes[p] as GraphNode).outputShape);
    const shaped = def.outputShape(attrs, inputShapes);
    if (!shaped.ok) {
      issues.push({ code: 'shape', path: `nodes[${specIndex}].${shaped.problem.field}`, message: shaped.problem.message });
      failed.add(specIndex);
      continue;
    }
    const params = resolveParams(spec, def.params(attrs, inputShapes), specIndex, issues);
    position.set(specIndex, nodes.length);
    nodes.push({
      specIndex,
      name: spec.name,
      op: spec.op,
      attrs,
      inputs: inputPositions,
      inputShapes,
      outputShape: shaped.shape,
      params,
      stateElements: def.stateElements(attrs, inputShapes),
    });
  }
  if (issues.length > 0) return { ok: false, issues };

  return {
    ok: true,
    graph: { name: doc.name, nodes, outputs: outputs.map((o) => position.get(o) as number), doc },
  };
}

/** The tensors a node declares, each with the mode its spec gives (learnable when omitted); a spec for a tensor the node lacks is an issue. */
export function resolveParams(
  spec: SpecNode,
  decls: readonly { readonly param: string; readonly shape: Shape }[],
  specIndex: number,
  issues: SpecIssue[],
): ParamTensor[] {
  const given = paramSpecsOf(spec);
  const declared = new Set(decls.map((d) => d.param));
  for (const key of Object.keys(given)) {
    if (!declared.has(key)) {
      const why = key === 'bias' ? `${spec.op} has bias: false, so there is no bias tensor` : `${spec.op} has no "${key}" tensor`;
      issues.push({ code: 'param', path: `nodes[${specIndex}].params.${key}`, message: why });
    }
  }
  return decls.map((d) => ({
    id: `${spec.name}.${d.param}`,
    param: d.param,
    shape: d.shape,
    elements: elementCount(d.shape),
    spec: given[d.param] ?? LEARNABLE,
  }));
}
