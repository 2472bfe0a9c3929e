import { describe, expect, it } from 'vitest';
import type { RecentFile, SavedFile, SpecFile, StudioApi } from '../../../main/contract/studio-api.js';
import { StudioApiError } from '../../../main/contract/rpc.js';
import { DesignState } from './design-state.svelte.js';
import { SpecFiles } from './spec-files.svelte.js';

/** An in-memory file system behind the three calls SpecFiles makes. */
function fakeApi(files: Record<string, string>): Pick<StudioApi, 'openSpec' | 'saveSpec' | 'recentFiles'> & { recent: RecentFile[] } {
  const recent: RecentFile[] = [];
  return {
    recent,
    async openSpec(path: string): Promise<SpecFile> {
      const text = files[path];
      if (text === undefined) throw new StudioApiError({ code: 'not-found', message: `no file ${path}`, hint: 'check the path' });
      recent.unshift({ path, kind: 'spec', used: '2025-01-01T00:00:00Z' });
      return { path, text, modified: '2025-01-01T00:00:00Z' };
    },
    async saveSpec(path: string, text: string): Promise<SavedFile> {
      files[path] = text;
      recent.unshift({ path, kind: 'spec', used: '2025-01-01T00:00:00Z' });
      return { path, bytes: text.length };
    },
    async recentFiles() {
      return [...recent];
    },
  };
}

describe('SpecFiles', () => {
  it('saves a preset as a file, opens it again, and Save then writes to it', async () => {
    const store: Record<string, string> = {};
    const api = fakeApi(store);
    const design = new DesignState('tiny');
    const files = new SpecFiles(api, design);
    expect(files.currentPath).toBeUndefined();
    expect(await files.save()).toBe(false);
    expect(files.error?.hint).toMatch(/Save as/);

    expect(await files.save(' /w/tiny.json ')).toBe(true);
    expect(store['/w/tiny.json']).toBe(design.specText());
    expect(files.currentPath).toBe('/w/tiny.json');
    expect(files.saved).toEqual({ path: '/w/tiny.json', bytes: design.specText()!.length });

    design.setMode('fc', { kind: 'frozen' });
    expect(await files.save()).toBe(true);
    expect(store['/w/tiny.json']).toContain('"frozen"');

    const other = new DesignState();
    expect(await new SpecFiles(api, other).open('/w/tiny.json')).toBe(true);
    expect(other.name).toBe('tiny');
    expect(other.layers.find((l) => l.key === 'fc')?.mode).toEqual({ kind: 'frozen' });
  });

  it('shows the studio\'s sentence and hint when a file cannot be opened, and keeps the model', async () => {
    const design = new DesignState('tiny');
    const files = new SpecFiles(fakeApi({}), design);
    expect(await files.open('/nope.json')).toBe(false);
    expect(files.error).toEqual({ message: 'no file /nope.json', hint: 'check the path' });
    expect(files.busy).toBe(false);
    expect(design.name).toBe('tiny');
  });

  it('refuses to save a model with problems', async () => {
    const store: Record<string, string> = {};
    const design = new DesignState('tiny');
    const files = new SpecFiles(fakeApi(store), design);
    design.openText('/w/bad.json', '{"format": "reframe-spec"}');
    expect(await files.save()).toBe(false);
    expect(files.error?.message).toMatch(/has problems/);
    expect(store).toEqual({});
  });
});
