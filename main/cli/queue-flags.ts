import { checkPrefix, parseRedisUrl } from '../../cloud/queue/bullmq-protocol.js';
import { CliError } from './cli-error.js';

/** `--redis` and `--prefix` of `cloud serve` and `cloud worker`, checked before anything connects (exit 2). */
export function checkQueueFlags(o: { readonly redis: string; readonly prefix: string }): URL {
  try {
    checkPrefix(o.prefix);
    return parseRedisUrl(o.redis);
  } catch (e) {
    throw new CliError((e as Error).message);
  }
}
