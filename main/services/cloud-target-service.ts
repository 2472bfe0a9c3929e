import type { StudioApi } from '../contract/studio-api.js';
import { checkCloudAccess, type CloudAccessOptions } from './cloud-access.js';
import { cloudTargetData, normalizeCloudUrl, type CloudTargetStore } from './cloud-targets.js';
import { checkCloudTargetInput, checkCloudUrl } from './request-checks.js';
import { ServiceError } from './service-error.js';

export type CloudTargetApi = Pick<StudioApi, 'listCloudTargets' | 'saveCloudTarget' | 'forgetCloudTarget'>;

/**
 * The cloud services the Training view can target. A cloud is remembered only once the service has
 * answered and taken its token, and its token never goes back to the renderer.
 */
export function createCloudTargetService(store: CloudTargetStore, access: CloudAccessOptions = {}): CloudTargetApi {
  return {
    async listCloudTargets() {
      return (await store.list()).map(cloudTargetData);
    },

    async saveCloudTarget(given) {
      const input = checkCloudTargetInput(given);
      const url = normalizeCloudUrl(input.url);
      await checkCloudAccess(url, input.token, access);
      return cloudTargetData(await store.save(url, input.token));
    },

    async forgetCloudTarget(given) {
      const url = normalizeCloudUrl(checkCloudUrl(given));
      if (!(await store.forget(url))) throw new ServiceError('not-found', `the studio remembers no cloud at ${url}`, 'refresh the list of clouds');
    },
  };
}
