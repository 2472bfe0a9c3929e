import { describe, expect, it } from 'vitest';
import { StudioApiError } from '../../../main/contract/rpc.js';
import type { CloudTargetData, CloudTargetInput } from '../../../main/contract/studio-api.js';
import { ADD_CLOUD, CloudTargets, LOCAL_TARGET, type CloudTargetsApi } from './cloud-targets.svelte.js';

const GPU: CloudTargetData = { url: 'http://gpu-box:8080', tokenHint: 'wxyz', saved: '2025-01-02T00:00:00Z' };

/** The studio's cloud calls: it accepts the token `rf_good…` only, as a service would. */
function fakeApi(remembered: CloudTargetData[]): CloudTargetsApi & { saved: CloudTargetInput[] } {
  const saved: CloudTargetInput[] = [];
  return {
    saved,
    listCloudTargets: async () => [...remembered],
    saveCloudTarget: async (input) => {
      saved.push(input);
      if (!input.token.startsWith('rf_good')) {
        throw new StudioApiError({ code: 'cloud-token-refused', message: `the cloud service at ${input.url} refused the token (the bearer token is unknown or revoked)`, hint: 'check the token' });
      }
      return { url: input.url, tokenHint: input.token.slice(-4), saved: '2025-01-03T00:00:00Z' };
    },
    forgetCloudTarget: async (url) => {
      if (!remembered.some((t) => t.url === url)) throw new StudioApiError({ code: 'not-found', message: `the studio remembers no cloud at ${url}`, hint: 'refresh the list of clouds' });
      remembered.splice(remembered.findIndex((t) => t.url === url), 1);
    },
  };
}

describe('CloudTargets', () => {
  it('targets this machine until a remembered cloud is chosen, and then sends only its URL', async () => {
    const clouds = new CloudTargets(fakeApi([GPU]));
    expect(clouds.target).toEqual({ kind: 'local' });
    expect(clouds.problem).toBeUndefined();
    // Before the list has come, a URL chosen is not yet known to be remembered.
    clouds.choice = GPU.url;
    expect(clouds.target).toBeUndefined();
    expect(clouds.problem).toMatch(/not remembered/);
    await clouds.refresh();
    expect(clouds.chosen).toEqual(GPU);
    expect(clouds.target).toEqual({ kind: 'cloud', url: GPU.url });
    expect(clouds.problem).toBeUndefined();
  });

  it('says what the form lacks, shows the studio\'s refusal, and remembers a cloud the studio accepted', async () => {
    const api = fakeApi([GPU]);
    const clouds = new CloudTargets(api);
    await clouds.refresh();
    clouds.choice = ADD_CLOUD;
    expect(clouds.problem).toMatch(/save the cloud first/);
    expect(clouds.formProblem).toMatch(/give the URL/);
    clouds.url = 'gpu-box:8080';
    expect(clouds.formProblem).toMatch(/starts with http:\/\/ or https:\/\//);
    clouds.url = 'not a url';
    expect(clouds.formProblem).toMatch(/is not a URL/);
    clouds.url = 'http://127.0.0.1:8080';
    expect(clouds.formProblem).toMatch(/give the token/);
    clouds.token = 'rf_a b';
    expect(clouds.formProblem).toMatch(/no spaces/);
    expect(await clouds.save()).toBe(false);
    expect(api.saved).toEqual([]);

    clouds.token = 'rf_forged';
    expect(clouds.formProblem).toBeUndefined();
    expect(await clouds.save()).toBe(false);
    expect(clouds.error).toEqual({ message: 'the cloud service at http://127.0.0.1:8080 refused the token (the bearer token is unknown or revoked)', hint: 'check the token' });
    expect(clouds.choice).toBe(ADD_CLOUD);
    expect(clouds.token).toBe('rf_forged');
    expect(clouds.saving).toBe(false);

    clouds.token = 'rf_good_token_1234';
    expect(await clouds.save()).toBe(true);
    expect(clouds.error).toBeUndefined();
    expect(clouds.list.value?.map((t) => [t.url, t.tokenHint])).toEqual([['http://127.0.0.1:8080', '1234'], [GPU.url, 'wxyz']]);
    expect(clouds.choice).toBe('http://127.0.0.1:8080');
    // The token leaves the page's state once the studio has it.
    expect([clouds.url, clouds.token]).toEqual(['', '']);
    expect(clouds.target).toEqual({ kind: 'cloud', url: 'http://127.0.0.1:8080' });
  });

  it('forgets a cloud and goes back to this machine when it was the one chosen', async () => {
    const clouds = new CloudTargets(fakeApi([GPU]));
    await clouds.refresh();
    clouds.choice = GPU.url;
    expect(await clouds.forget()).toBe(true);
    expect(clouds.choice).toBe(LOCAL_TARGET);
    expect(clouds.list.value).toEqual([]);
    expect(await clouds.forget(GPU.url)).toBe(false);
    expect(clouds.error?.message).toBe('the studio remembers no cloud at http://gpu-box:8080');
  });
});
