import { describe, expect, it } from 'vitest';
import { WEIGHT_DTYPES } from '../budget/weight-dtype.js';
import type { ModelGraph } from '../graph/model-graph.js';
import { withParamModes } from '../spec/edit-spec.js';
import { checkSpecValue, type LoadedSpec } from '../spec/load-spec.js';
import type { ParamSpec } from '../spec/param-spec.js';
import { recheckSpecValue } from '../spec/recheck-spec.js';
import { findPreset } from '../zoo/presets.js';
import { ledgerPackageSize, packageSizeLedger, reviseLedger, utf8Length } from './package-size-ledger.js';
import { planPackage } from './package-plan.js';

const planned = (graph: ModelGraph) => WEIGHT_DTYPES.map((dtype) => planPackage(graph, { dtype }).totalSize);
const fromLedger = (ledger: ReturnType<typeof packageSizeLedger>) => WEIGHT_DTYPES.map((d) => ledgerPackageSize(ledger, d).bytes);

function loaded(id: string): LoadedSpec {
  const result = checkSpecValue(findPreset(id)!.build());
  if (!result.ok) throw new Error(`${id} must check`);
  return result;
}

/** A small deterministic generator, so a failure names the same edits every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

describe('the package size ledger', () => {
  it('sizes every preset exactly as planning the package does, at every dtype', () => {
    for (const id of ['resnet18-cifar', 'reframe-resnet18-cifar', 'tiny']) {
      const { graph } = loaded(id);
      expect(fromLedger(packageSizeLedger(graph))).toEqual(planned(graph));
      expect(ledgerPackageSize(packageSizeLedger(graph), 'fp32')).toEqual({ bytes: planPackage(graph, { dtype: 'fp32' }).totalSize, exact: true });
    }
  });

  // Plans every package of the run again to compare with: a second or more on a busy two-core machine.
  it('stays exact through a long run of mode changes, revised one node at a time', { timeout: 30_000 }, () => {
    const random = lcg(7);
    let current = loaded('reframe-resnet8-fashion');
    let ledger = packageSizeLedger(current.graph);
    const tensors = current.graph.nodes.flatMap((n) => n.params.map((p) => p.id));
    const modes: ParamSpec[] = [
      { mode: 'learnable' },
      { mode: 'frozen' },
      { mode: 'seeded', dist: 'sign', init: 'xavier', gain: 1, seed: '0xffffffffffffffff' },
      { mode: 'seeded', dist: 'normal', init: 'kaiming', fan: 'fan_out', gain: 0.5, seed: '0x7' },
    ];
    for (let step = 0; step < 60; step++) {
      const id = tensors[Math.floor(random() * tensors.length)]!;
      const next = withParamModes(current.doc, { [id]: modes[Math.floor(random() * modes.length)]! });
      const { result, revision } = recheckSpecValue(current, next);
      if (!result.ok || revision === undefined) throw new Error(`step ${step}: ${id} must revise`);
      ledger = reviseLedger(ledger, revision, result.graph);
      current = result;
      expect(fromLedger(ledger), `after step ${step} (${id})`).toEqual(planned(current.graph));
    }
  });

  it('refuses a revision that names a node one of the graphs lacks', () => {
    const { graph } = loaded('tiny');
    expect(() => reviseLedger(packageSizeLedger(graph), { from: graph, specIndices: [999] }, graph)).toThrow(/node 999/);
  });

  it('counts UTF-8 bytes as TextEncoder writes them, astral characters and lone surrogates included', () => {
    for (const text of ['', 'conv1', 'café', 'Δ→', '日本語', '😀 seeded', 'a\ud800b', '\udc00', 'x\ud83d']) {
      expect(utf8Length(text), JSON.stringify(text)).toBe(new TextEncoder().encode(text).length);
    }
  });
});
