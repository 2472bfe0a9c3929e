/** What kind of problem a spec has; tools branch on the code, people read the message. */
export type SpecIssueCode =
  | 'json-syntax'
  | 'schema'
  | 'unknown-op'
  | 'duplicate-name'
  | 'dangling-input'
  | 'cycle'
  | 'arity'
  | 'no-input'
  | 'shape'
  | 'param';

export interface SpecIssue {
  readonly code: SpecIssueCode;
  /** JSON path in the document, e.g. `nodes[12].groups`; empty for the document itself. */
  readonly path: string;
  readonly message: string;
  /** 1-based position of the offending value in the source text, when there is one. */
  readonly line?: number;
  readonly column?: number;
}

export function formatSpecIssue(issue: SpecIssue): string {
  const where = issue.line === undefined ? '' : ` (line ${issue.line}, column ${issue.column ?? 1})`;
  return `${issue.path === '' ? '(document)' : issue.path}: ${issue.message}${where}`;
}

export class SpecError extends Error {
  readonly code = 'invalid-spec';
  constructor(readonly issues: readonly SpecIssue[]) {
    const head = issues.length === 1 ? 'The model spec has a problem' : `The model spec has ${issues.length} problems`;
    super(`${head}:\n${issues.map((i) => `  ${formatSpecIssue(i)}`).join('\n')}`);
    this.name = 'SpecError';
  }
}

export type JsonPath = readonly (string | number)[];

export function formatJsonPath(path: JsonPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}
