import { OP_NAMES, OPS, isOpName } from '../ops/op-registry.js';
import { documentSchema, type SpecDocument } from './spec-document.js';
import type { SpecIssue } from './spec-issue.js';
import { zodToSpecIssues } from './zod-issues.js';

export type ReadResult = { readonly ok: true; readonly doc: SpecDocument } | { readonly ok: false; readonly issues: readonly SpecIssue[] };

/** Checks a parsed JSON value against the spec format: the document, then every node against its op. */
export function readSpecDocument(value: unknown): ReadResult {
  const top = documentSchema.safeParse(value);
  if (!top.success) return { ok: false, issues: zodToSpecIssues(top.error, value, []) };

  const issues: SpecIssue[] = [];
  top.data.nodes.forEach((node, i) => {
    const op = node['op'];
    if (op === undefined) {
      issues.push({ code: 'schema', path: `nodes[${i}].op`, message: 'required field is missing (expected an op name)' });
    } else if (!isOpName(op)) {
      issues.push({
        code: 'unknown-op',
        path: `nodes[${i}].op`,
        message: `unknown op ${JSON.stringify(op)} (known: ${OP_NAMES.join(', ')})`,
      });
    } else {
      const parsed = OPS[op].schema.safeParse(node);
      if (!parsed.success) issues.push(...zodToSpecIssues(parsed.error, value, ['nodes', i]));
    }
  });
  if (issues.length > 0) return { ok: false, issues };
  // Every node passed its op's schema, and the schemas only accept what SpecNode describes.
  return { ok: true, doc: top.data as unknown as SpecDocument };
}
