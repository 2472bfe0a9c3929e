import type { FastifyReply } from 'fastify';

/** One problem in a request body, as a JSON Pointer into it (`/spec/nodes/3/groups`) and a sentence. */
export interface ProblemIssue {
  readonly path: string;
  readonly message: string;
}

/** The kinds of problem the service answers with: `type` is `urn:reframe:problem:<kind>` (docs/cloud.md lists them). */
export type ProblemKind =
  | 'unauthorized'
  | 'not-found'
  | 'invalid-request'
  | 'invalid-spec'
  | 'unknown-dataset'
  | 'too-large'
  | 'unsupported-media-type'
  | 'conflict'
  | 'internal';

const TITLES: Record<ProblemKind, string> = {
  unauthorized: 'Missing or invalid bearer token',
  'not-found': 'Not found',
  'invalid-request': 'The request is not valid',
  'invalid-spec': 'The model spec is not valid',
  'unknown-dataset': 'The dataset is not available',
  'too-large': 'The request body is too large',
  'unsupported-media-type': 'Unsupported content type',
  conflict: 'Not possible in the current state',
  internal: 'Internal error',
};

export const problemType = (kind: ProblemKind): string => `urn:reframe:problem:${kind}`;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * An error a route throws to answer with RFC 9457 problem details: the error handler turns it into
 * `application/problem+json` with type, title, status, detail and (for bad input) every issue's path.
 */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly kind: ProblemKind,
    readonly detail: string,
    readonly errors?: readonly ProblemIssue[],
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  body(instance?: string): Record<string, unknown> {
    return {
      type: problemType(this.kind),
      title: TITLES[this.kind],
      status: this.status,
      detail: this.detail,
      ...(instance === undefined ? {} : { instance }),
      ...(this.errors === undefined ? {} : { errors: this.errors }),
    };
  }
}

export function sendProblem(reply: FastifyReply, p: HttpProblem): FastifyReply {
  return reply
    .code(p.status)
    .headers(p.headers)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(p.body(reply.request.url.split('?')[0])));
}

/** The OpenAPI description of a problem answer, shared by the route schemas. */
export const problemSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string', example: 'urn:reframe:problem:invalid-spec' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    errors: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string', description: 'JSON Pointer into the request body' }, message: { type: 'string' } }, required: ['path', 'message'] },
    },
  },
  required: ['type', 'title', 'status', 'detail'],
} as const;

export const problemResponse = (description: string) => ({ description, content: { [PROBLEM_CONTENT_TYPE]: { schema: problemSchema } } });
