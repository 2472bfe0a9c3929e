import { buildGraph } from '../graph/build-graph.js';
import type { ModelGraph } from '../graph/model-graph.js';
import { readJsonSource, type JsonSource } from './json-source.js';
import { readSpecDocument } from './read-spec.js';
import type { SpecDocument } from './spec-document.js';
import { SpecError, type SpecIssue } from './spec-issue.js';

export interface LoadedSpec {
  readonly doc: SpecDocument;
  readonly graph: ModelGraph;
}

export type CheckResult = ({ readonly ok: true } & LoadedSpec) | { readonly ok: false; readonly issues: readonly SpecIssue[] };

function withLocations(issues: readonly SpecIssue[], source: JsonSource): SpecIssue[] {
  return issues.map((issue) => {
    const path = issue.path.match(/[^.[\]]+/g)?.map((p) => (/^\d+$/.test(p) ? Number(p) : p)) ?? [];
    const at = source.locate(path);
    return at === undefined ? issue : { ...issue, ...at };
  });
}

/** Checks spec text fully (JSON, schema, graph, shapes) and returns every problem with line and column. */
export function checkSpecText(text: string): CheckResult {
  const read = readJsonSource(text);
  if ('issues' in read) return { ok: false, issues: read.issues };
  return checkSpecValue(read.source.value, read.source);
}

/** The same checks on an already parsed value (a preset built in memory has no text to point into). */
export function checkSpecValue(value: unknown, source?: JsonSource): CheckResult {
  const located = (issues: readonly SpecIssue[]) => (source === undefined ? issues : withLocations(issues, source));
  const read = readSpecDocument(value);
  if (!read.ok) return { ok: false, issues: located(read.issues) };
  const built = buildGraph(read.doc);
  if (!built.ok) return { ok: false, issues: located(built.issues) };
  return { ok: true, doc: read.doc, graph: built.graph };
}

/** Like `checkSpecText`, but throws a `SpecError` listing every problem. */
export function loadSpecText(text: string): LoadedSpec {
  const result = checkSpecText(text);
  if (!result.ok) throw new SpecError(result.issues);
  return { doc: result.doc, graph: result.graph };
}
