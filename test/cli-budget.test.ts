import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { reframe, SLOW } from './support/reframe-cli.js';
import { PRESETS } from '../core/zoo/presets.js';

// The real CLI in a child process, as a user or a CI pipeline runs it: bin/reframe.mjs over the compiled dist.


interface BudgetJson {
  readonly model: string;
  readonly totals: Readonly<Record<string, number>>;
  readonly reduction?: { readonly baseline: string; readonly change: Readonly<Record<string, number>> };
  readonly layers: readonly unknown[];
}

describe('reframe budget', SLOW, () => {
  it('reports the ReFrame reductions against ResNet-18', async () => {
    const { code, stdout, stderr } = await reframe('budget', 'reframe-resnet18-cifar', '--baseline', 'resnet18-cifar');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain('vs resnet18-cifar');
    expect(stdout).toMatch(/^learnable parameters +−90\.1%$/m);
    expect(stdout).toMatch(/^MACs +−89\.6%$/m);
  });

  it('gives exact totals and per-layer rows in --json', async () => {
    const [model, baseline] = await Promise.all([
      reframe('budget', 'reframe-resnet18-cifar', '--baseline', 'resnet18-cifar', '--json'),
      reframe('budget', 'resnet18-cifar', '--json'),
    ]);
    expect(model.code).toBe(0);
    expect(baseline.code).toBe(0);
    const m = JSON.parse(model.stdout) as BudgetJson;
    const b = JSON.parse(baseline.stdout) as BudgetJson;

    expect(m.totals).toMatchObject({ learnableParams: 1107786, seededParams: 30528, macs: 57844736 });
    expect(b.totals).toMatchObject({ learnableParams: 11173962, macs: 555422720 });
    for (const key of ['flops', 'fullModelBytes', 'packageBytes', 'peakActivationBytes']) {
      expect(m.totals[key], key).toBeGreaterThan(0);
    }
    expect(m.layers.length).toBeGreaterThan(0);
    expect(b.layers.length).toBeGreaterThan(0);
    // The reduction is computed from the same totals the baseline run prints.
    expect(m.reduction?.baseline).toBe('resnet18-cifar');
    expect(m.reduction?.change['learnableParams']).toBeCloseTo((1107786 - 11173962) / 11173962, 12);
    expect(m.reduction?.change['macs']).toBeCloseTo((57844736 - 555422720) / 555422720, 12);
  });

  it('exits 1 on a bad spec file and names the field, line and column', async () => {
    const { code, stdout, stderr } = await reframe('budget', 'test/spec-corpus/bad/groups-in-channels.json');
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('nodes[1].groups: 3 does not divide in_channels 64 (line 8, column 98)');
  });

  it('exits 1 with a message, not a stack trace, on absurdly nested JSON', async () => {
    const { code, stderr } = await reframe('spec', 'test/spec-corpus/bad/json-nested-too-deep.json');
    expect(code).toBe(1);
    expect(stderr).toContain('(document): nested more than 64 levels deep');
    expect(stderr).not.toContain('RangeError');
  });

  it('exits 2 on an unknown preset', async () => {
    const { code, stdout, stderr } = await reframe('budget', 'no-such-preset');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('unknown preset "no-such-preset"');
  });
});

describe('reframe presets', SLOW, () => {
  it('lists the zoo as JSON', async () => {
    const { code, stdout } = await reframe('presets', '--json');
    expect(code).toBe(0);
    const listed = JSON.parse(stdout) as { id: string; summary: string; baseline: string | null }[];
    expect(listed.map((p) => p.id)).toEqual(PRESETS.map((p) => p.id));
    expect(listed).toContainEqual(expect.objectContaining({ id: 'reframe-resnet18-cifar', baseline: 'resnet18-cifar' }));
    for (const p of listed) expect(p.summary, p.id).not.toBe('');
  });
});

describe('reframe spec', SLOW, () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('prints canonical text that reads back to the same bytes', async () => {
    const first = await reframe('spec', 'tiny');
    expect(first.code).toBe(0);
    dir = await mkdtemp(join(tmpdir(), 'reframe-spec-'));
    const file = join(dir, 'tiny.json');
    await writeFile(file, first.stdout);
    const second = await reframe('spec', file);
    expect(second.code).toBe(0);
    expect(second.stdout).toBe(first.stdout);
  });
});
