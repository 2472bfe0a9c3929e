import type { z } from 'zod';
import { OPS } from '../ops/op-registry.js';
import type { ParamSpec } from './param-spec.js';
import type { SpecDocument, SpecNode } from './spec-document.js';

export class SpecEditError extends Error {
  readonly code = 'no-such-tensor';
  constructor(message: string) {
    super(message);
    this.name = 'SpecEditError';
  }
}

/**
 * Returns a copy of the document with the tensors named `node.param` (e.g. `layer1.0.conv1.weight`) set
 * to the given modes; the designer's learnable / seeded / frozen switch. The input is never changed.
 * Whether the tensor exists for that op (a conv without bias has none) is checked when the graph is built.
 */
export function withParamModes(doc: SpecDocument, modes: Readonly<Record<string, ParamSpec>>): SpecDocument {
  const byNode = new Map<string, [string, ParamSpec][]>();
  for (const [id, spec] of Object.entries(modes)) {
    const dot = id.lastIndexOf('.');
    const node = id.slice(0, dot);
    if (dot <= 0 || !doc.nodes.some((n) => n.name === node)) {
      throw new SpecEditError(`no tensor "${id}": expected <node>.<param> with a node of this spec`);
    }
    byNode.set(node, [...(byNode.get(node) ?? []), [id.slice(dot + 1), spec]]);
  }
  const nodes = doc.nodes.map((node): SpecNode => {
    const changes = byNode.get(node.name);
    if (changes === undefined) return node;
    if (!('params' in (OPS[node.op].schema as z.ZodObject).shape)) {
      throw new SpecEditError(`node "${node.name}" (${node.op}) has no parameter tensors`);
    }
    const params = { ...('params' in node ? node.params : undefined), ...Object.fromEntries(changes) };
    return { ...node, params } as SpecNode;
  });
  return { ...doc, nodes };
}
