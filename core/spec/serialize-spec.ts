import type { z } from 'zod';
import { OPS } from '../ops/op-registry.js';
import type { SpecDocument, SpecNode } from './spec-document.js';

const DOCUMENT_KEYS = ['format', 'version', 'name', 'description', 'nodes', 'outputs'] as const;
const PARAM_KEYS = ['mode', 'dist', 'init', 'fan', 'gain', 'seed'];

function ordered(value: Readonly<Record<string, unknown>>, keys: readonly string[]): [string, unknown][] {
  return keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]);
}

function compact(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compact).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${compact(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

function canonicalNode(node: SpecNode): Record<string, unknown> {
  // Node fields follow the op schema's declaration order: name, op, inputs, attributes, params.
  const keys = Object.keys((OPS[node.op].schema as z.ZodObject).shape);
  const out: Record<string, unknown> = {};
  for (const [key, value] of ordered(node as unknown as Record<string, unknown>, keys)) {
    if (key === 'params') {
      const params: Record<string, unknown> = {};
      for (const [param, spec] of Object.entries(value as Record<string, Record<string, unknown>>)) {
        params[param] = Object.fromEntries(ordered(spec, PARAM_KEYS));
      }
      out[key] = params;
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** One node's canonical JSON, as its line of the canonical text holds it (without indent or comma). */
export function canonicalNodeText(node: SpecNode): string {
  return compact(canonicalNode(node));
}

/**
 * The canonical text of a spec: fixed key order, one node per line so diffs show one changed node.
 * Parsing canonical text and serializing it again gives the same bytes.
 */
export function serializeSpec(doc: SpecDocument): string {
  const lines = ['{'];
  const entries = ordered(doc as unknown as Record<string, unknown>, DOCUMENT_KEYS);
  entries.forEach(([key, value], i) => {
    const comma = i < entries.length - 1 ? ',' : '';
    if (key === 'nodes') {
      lines.push(`  "nodes": [`);
      doc.nodes.forEach((node, j) => lines.push(`    ${canonicalNodeText(node)}${j < doc.nodes.length - 1 ? ',' : ''}`));
      lines.push(`  ]${comma}`);
    } else {
      lines.push(`  ${JSON.stringify(key)}: ${compact(value)}${comma}`);
    }
  });
  lines.push('}');
  return `${lines.join('\n')}\n`;
}
