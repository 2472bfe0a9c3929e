/** A problem+json answer from the service (RFC 9457), or a failure to reach it. */
export interface Problem {
  readonly type?: string;
  readonly title?: string;
  readonly status?: number;
  readonly detail?: string;
  readonly errors?: readonly { readonly path: string; readonly message: string }[];
}

export class CloudError extends Error {
  readonly code = 'cloud';
  constructor(
    message: string,
    /** HTTP status, or 0 when the service could not be reached. */
    readonly status: number,
    readonly problem?: Problem,
  ) {
    super(message);
    this.name = 'CloudError';
  }
}

/** One sentence saying what went wrong and, where it helps, what to do. */
export function describeProblem(status: number, p: Problem | undefined, what: string): string {
  const detail = p?.detail ?? p?.title ?? `HTTP ${status}`;
  const issues = (p?.errors ?? []).map((e) => `\n  ${e.path}: ${e.message}`).join('');
  if (status === 401) return `${what}: the service refused the token (${detail}); create one with \`reframe cloud token create <name>\` on the service machine`;
  if (status === 404) return `${what}: not found (${detail}); jobs are visible only to the token that submitted them`;
  if (status === 413) return `${what}: too large for the service (${detail})`;
  return `${what}: ${detail}${issues}`;
}
