import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TokenStore } from '../store/job-store.js';
import { HttpProblem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The id of the token the request carried: the owner of what it creates and sees. */
    owner: string;
  }
  interface FastifyContextConfig {
    /** Answered without a token (health, the OpenAPI document). */
    public?: boolean;
  }
}

const REALM = 'Bearer realm="reframe-cloud"';

function presented(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Bearer +(\S+) *$/i.exec(header);
  return m?.[1] ?? '';
}

/**
 * Every route but the public ones needs `Authorization: Bearer <token>`; the token's id becomes
 * request.owner. A missing or bad token gets 401 with the challenge RFC 6750 describes.
 */
export function bearerAuth(app: FastifyInstance, tokens: TokenStore): void {
  app.decorateRequest('owner', '');
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config.public === true) return;
    const token = presented(request);
    if (token === undefined) {
      throw new HttpProblem(401, 'unauthorized', 'this request needs an Authorization: Bearer <token> header (reframe cloud token create <name>)', undefined, { 'www-authenticate': REALM });
    }
    const owner = token === '' ? undefined : tokens.verify(token);
    if (owner === undefined) {
      throw new HttpProblem(401, 'unauthorized', 'the bearer token is unknown or revoked', undefined, {
        'www-authenticate': `${REALM}, error="invalid_token", error_description="unknown or revoked token"`,
      });
    }
    request.owner = owner;
  });
}
