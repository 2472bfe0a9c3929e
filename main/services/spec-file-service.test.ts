import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scratchServices } from './studio-services.fixture.js';

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0)) await c();
});

async function setup() {
  const s = await scratchServices();
  cleanup.push(s.remove);
  return s;
}

describe('spec files', () => {
  it('saves atomically, opens what it saved, and remembers both as recent', async () => {
    const { services } = await setup();
    const saved = await services.saveSpec('my-model.json', '{"a":1}\n');
    expect(saved).toEqual({ path: path.join(services.workspace, 'my-model.json'), bytes: 8 });
    expect(await readFile(saved.path, 'utf8')).toBe('{"a":1}\n');
    await services.saveSpec(saved.path, '{"a":2}\n');
    const opened = await services.openSpec(saved.path);
    expect(opened).toMatchObject({ path: saved.path, text: '{"a":2}\n' });
    expect(Date.parse(opened.modified)).not.toBeNaN();
    const other = path.join(services.workspace, 'other.json');
    await writeFile(other, '{}');
    await services.openSpec(other);
    expect((await services.recentFiles()).map((f) => [f.path, f.kind])).toEqual([
      [other, 'spec'],
      [saved.path, 'spec'],
    ]);
  });

  it('says what is wrong with a path', async () => {
    const { services } = await setup();
    await expect(services.openSpec('missing.json')).rejects.toMatchObject({ code: 'not-found', hint: expect.any(String) });
    await mkdir(path.join(services.workspace, 'folder'));
    await expect(services.openSpec('folder')).rejects.toMatchObject({ code: 'is-a-folder' });
    await expect(services.saveSpec('no/such/dir/x.json', '{}')).rejects.toMatchObject({ code: 'not-found', hint: 'check that the folder exists' });
    await expect(services.openSpec('' as string)).rejects.toMatchObject({ code: 'bad-request', hint: expect.any(String) });
  });
});
