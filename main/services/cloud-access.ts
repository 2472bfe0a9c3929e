import { CloudClient } from '../../cloud/client/cloud-client.js';
import { CloudError } from '../../cloud/client/cloud-error.js';
import { describeStudioError, ServiceError } from './service-error.js';

type Fetch = typeof fetch;

export interface CloudAccessOptions {
  readonly fetch?: Fetch;
  /** How long each check may wait for an answer; default 10 s. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const REACH_HINT = 'check the URL (scheme, host and port) and that `reframe cloud serve` runs there and this machine can reach it';

function unreachable(url: string, error: unknown, timeoutMs: number): ServiceError {
  const e = error as Error & { cause?: { code?: unknown; message?: unknown } };
  if (e.name === 'TimeoutError') return new ServiceError('cloud-unreachable', `${url} did not answer within ${Math.round(timeoutMs / 1000)} s`, REACH_HINT);
  const code = e.cause?.code;
  const why =
    code === 'ECONNREFUSED' ? 'nothing listens there (connection refused)'
    : code === 'ENOTFOUND' || code === 'EAI_AGAIN' ? 'the host name is unknown'
    : typeof e.cause?.message === 'string' ? e.cause.message
    : e.message;
  return new ServiceError('cloud-unreachable', `could not reach a cloud training service at ${url}: ${why}`, REACH_HINT);
}

/** A fetch whose every request gives up after timeoutMs: an address that swallows packets must not hang a check. */
function timed(f: Fetch, timeoutMs: number): Fetch {
  return (input, init) => f(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}

/**
 * Checks that `url` is a ReFrame cloud training service (GET /health, no token) and that it takes the
 * token (an authenticated GET /jobs). Each failure is one sentence saying which of the two it was.
 */
export async function checkCloudAccess(url: string, token: string, o: CloudAccessOptions = {}): Promise<void> {
  const timeoutMs = o.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const f = timed(o.fetch ?? fetch, timeoutMs);
  let res: Response;
  try {
    res = await f(`${url}/health`, { headers: { accept: 'application/json' } });
  } catch (error) {
    throw unreachable(url, error, timeoutMs);
  }
  const body = (await res.json().catch(() => undefined)) as { status?: unknown } | undefined;
  if (!res.ok || body?.status !== 'ok') {
    throw new ServiceError(
      'not-a-cloud-service',
      `${url} answered, but not as a ReFrame cloud training service (GET /health gave HTTP ${res.status}${body === undefined ? ', not JSON' : ''})`,
      'check the URL: it is the address `reframe cloud serve` prints, e.g. http://127.0.0.1:8080',
    );
  }
  try {
    await new CloudClient({ url, token, fetch: f }).list(1);
  } catch (error) {
    if (error instanceof CloudError && error.status === 401) {
      throw new ServiceError('cloud-token-refused', `the cloud service at ${url} refused the token (${error.problem?.detail ?? 'HTTP 401'})`, 'check the token, or create one with `reframe cloud token create <name>` where the service runs');
    }
    const d = describeStudioError(error);
    throw new ServiceError(d.code, d.message, d.hint);
  }
}
