import type { FastifyError, FastifyInstance } from 'fastify';
import { childPointer } from './issue-pointer.js';
import { HttpProblem, sendProblem, type ProblemIssue } from './problem.js';

interface ValidationIssue {
  readonly instancePath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

/** Schema-validator findings as pointers into the body and sentences a person can act on. */
function issuesOf(v: readonly ValidationIssue[], context: string): ProblemIssue[] {
  const base = context === 'body' ? '' : `/${context}`;
  return v.map((i) => {
    const at = base + i.instancePath;
    switch (i.keyword) {
      case 'required':
        return { path: childPointer(at, String(i.params['missingProperty'])), message: 'required field is missing' };
      case 'additionalProperties':
        return { path: childPointer(at, String(i.params['additionalProperty'])), message: 'unknown field' };
      case 'minProperties':
      case 'maxProperties':
        return { path: at, message: 'give exactly one of builtin, server or uploaded' };
      case 'enum':
        return { path: at, message: `must be one of ${(i.params['allowedValues'] as unknown[]).map((x) => JSON.stringify(x)).join(', ')}` };
      default:
        return { path: at, message: i.message ?? i.keyword };
    }
  });
}

const limitText = (bytes: number | undefined) => (bytes === undefined ? 'its limit' : `${bytes.toLocaleString('en-US')} bytes, ${(bytes / 1048576).toFixed(bytes < 1048576 ? 2 : 0)} MiB`);

/** Turns every error into a problem+json answer; unexpected ones are logged and told apart from bad input. */
export function problemErrors(app: FastifyInstance, log: (line: string) => void): void {
  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    if (error instanceof HttpProblem) return sendProblem(reply, error);
    if (error.validation !== undefined) {
      const context = error.validationContext ?? 'body';
      const issues = issuesOf(error.validation as readonly ValidationIssue[], context);
      const first = issues[0];
      return sendProblem(reply, new HttpProblem(400, 'invalid-request', `the ${context === 'body' ? 'request body' : context} is not valid${first === undefined ? '' : `: ${first.path || '(root)'} ${first.message}`}`, issues));
    }
    switch (error.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return sendProblem(reply, new HttpProblem(413, 'too-large', `the body is larger than this route accepts (${limitText(request.routeOptions.bodyLimit)})`));
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return sendProblem(reply, new HttpProblem(415, 'unsupported-media-type', `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted here`));
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) return sendProblem(reply, new HttpProblem(status, 'invalid-request', error.message));
    log(`${request.method} ${request.url}: ${error.stack ?? error.message}`);
    return sendProblem(reply, new HttpProblem(500, 'internal', 'the service failed to answer this request; its log says why'));
  });
  app.setNotFoundHandler((request, reply) => sendProblem(reply, new HttpProblem(404, 'not-found', `no route ${request.method} ${request.url.split('?')[0]}`)));
}
