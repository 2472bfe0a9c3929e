import { describe, expect, it } from 'vitest';
import { serializeSpec } from '../spec/serialize-spec.js';
import { PRESETS } from '../zoo/presets.js';
import { WEIGHT_DTYPES } from '../budget/weight-dtype.js';
import { computeBudget } from '../budget/compute-budget.js';
import { decodePackage } from './decode-package.js';
import { encodePackage } from './encode-package.js';
import { exactPackageSize } from './exact-package-size.js';
import { initialValues } from './initial-values.js';
import { packPreset, presetGraph, testKeys } from './package-test-support.fixture.js';
import { checkTensorDigests, readTensor } from './read-tensor.js';
import { PackageError } from './package-error.js';
import { inputNormalizeOf, withInputNormalize } from '../graph/input-normalize.js';
import { withParamModes } from '../spec/edit-spec.js';
import { checkSpecValue } from '../spec/load-spec.js';

describe('encodePackage / decodePackage', () => {
  it.each(WEIGHT_DTYPES)('round-trips the tiny model at %s', (dtype) => {
    const graph = presetGraph('tiny');
    const values = initialValues(graph);
    const bytes = encodePackage(graph, values, { dtype });
    const pkg = decodePackage(bytes);
    expect(pkg.graph.nodes.map((n) => [n.name, n.op, n.outputShape.join('x')])).toEqual(graph.nodes.map((n) => [n.name, n.op, n.outputShape.join('x')]));
    expect(pkg.specText).toBe(serializeSpec(graph.doc));
    expect(checkTensorDigests(pkg)).toEqual([]);
    for (const t of pkg.tensors) {
      if (t.seeded !== undefined) continue;
      const got = readTensor(pkg, t);
      const want = values.get(t.id)!;
      if (t.dtype === 'fp32') expect(got).toEqual(want);
    }
    // Same inputs, same bytes: deltas and signatures rely on it.
    expect(encodePackage(graph, values, { dtype })).toEqual(bytes);
  });

  it('carries the input normalisation exactly, with and without the spec', () => {
    const rgb = checkSpecValue({
      format: 'reframe-spec',
      version: 1,
      name: 'rgb',
      nodes: [
        { name: 'input', op: 'input', shape: [3, 8, 8] },
        { name: 'pool', op: 'globalavgpool', inputs: ['input'] },
        { name: 'flatten', op: 'flatten', inputs: ['pool'] },
        { name: 'fc', op: 'dense', inputs: ['flatten'], outFeatures: 2, bias: true },
      ],
      outputs: ['fc'],
    });
    if (!rgb.ok) throw new Error('the test spec must be valid');
    const graph = withInputNormalize(rgb.graph, { mean: [125.307, 122.95, 113.865], std: [62.993, 62.089, 66.705] });
    for (const includeSpec of [true, false]) {
      const pkg = decodePackage(encodePackage(graph, initialValues(graph), { dtype: 'fp16', includeSpec }));
      expect(inputNormalizeOf(pkg.graph)).toEqual({ mean: [125.307, 122.95, 113.865], std: [62.993, 62.089, 66.705] });
    }
    const one = withInputNormalize(presetGraph('tiny'), { mean: [72.94], std: [90.02] });
    expect(inputNormalizeOf(decodePackage(encodePackage(one, initialValues(one), { dtype: 'fp32' })).graph)).toEqual({ mean: [72.94], std: [90.02] });
  });

  it('keeps every seeded tensor as a seed and nothing else', () => {
    const pkg = decodePackage(packPreset('reframe-resnet8-fashion', 'fp32'));
    const seeded = pkg.tensors.filter((t) => t.mode === 'seeded');
    expect(seeded).toHaveLength(6);
    for (const t of seeded) {
      expect(t.dataLength).toBe(0);
      expect(t.seeded?.dist).toBe('normal');
    }
    expect(seeded.map((t) => t.seeded?.seed)).toEqual(['0x0000000000005eed', '0x0000000000005eee', '0x0000000000005eef', '0x0000000000005ef0', '0x0000000000005ef1', '0x0000000000005ef2']);
  });

  it('carries BatchNorm running statistics as fp32 state in every package', () => {
    const pkg = decodePackage(packPreset('tiny', 'int8'));
    const state = pkg.tensors.filter((t) => t.mode === 'state');
    expect(state.map((t) => t.id).slice(0, 2)).toEqual(['bn1.running_mean', 'bn1.running_var']);
    expect(new Set(state.map((t) => t.dtype))).toEqual(new Set(['fp32']));
    expect(readTensor(pkg, state[1]!)).toEqual(new Float32Array(8).fill(1));
  });

  it('leaves the spec out on request and still rebuilds the model from the graph', () => {
    const graph = presetGraph('tiny');
    const pkg = decodePackage(encodePackage(graph, initialValues(graph), { dtype: 'fp32', includeSpec: false }));
    expect(pkg.specText).toBeUndefined();
    expect(pkg.graph.nodes).toHaveLength(graph.nodes.length);
  });

  it('accepts a spec that writes seeds short or upper-case and leaves kaiming\'s fan to its default', () => {
    const doc = withParamModes(presetGraph('tiny').doc, {
      'layer1.0.nl1.conv.weight': { mode: 'seeded', dist: 'uniform', init: 'kaiming', gain: 1, seed: '0x5EED' },
    });
    const result = checkSpecValue(doc);
    if (!result.ok) throw new Error('spec must build');
    const pkg = decodePackage(encodePackage(result.graph, initialValues(result.graph), { dtype: 'fp32' }));
    const t = pkg.tensors.find((x) => x.id === 'layer1.0.nl1.conv.weight')!;
    expect(t.seeded).toMatchObject({ seed: '0x0000000000005eed', fan: 'fan_in', dist: 'uniform' });
  });

  it('refuses to pack missing, misshapen or non-finite values', () => {
    const graph = presetGraph('tiny');
    const values = initialValues(graph);
    values.delete('fc.weight');
    expect(() => encodePackage(graph, values, { dtype: 'fp32' })).toThrow('no values for tensor fc.weight');
    const short = initialValues(graph);
    short.set('fc.bias', new Float32Array(2));
    expect(() => encodePackage(graph, short, { dtype: 'fp32' })).toThrow('tensor fc.bias has 2 values, its shape [10] needs 10');
    const nan = initialValues(graph);
    nan.get('conv1.weight')![5] = Number.NaN;
    expect(() => encodePackage(graph, nan, { dtype: 'fp32' })).toThrow('non-finite value (NaN) at element 5');
    const huge = initialValues(graph);
    huge.get('conv1.weight')![0] = 1e6;
    expect(() => encodePackage(graph, huge, { dtype: 'fp16' })).toThrow(PackageError);
  });

  it('signs and verifies with Ed25519, and names the signature check when it fails', () => {
    const a = testKeys();
    const b = testKeys();
    const bytes = packPreset('tiny', 'fp32', a.signer);
    expect(decodePackage(bytes, { verifier: a.verifier }).signature?.verified).toBe(true);
    expect(decodePackage(bytes).signature?.verified).toBe(false);
    expect(() => decodePackage(bytes, { verifier: b.verifier })).toThrow(/signature check: signed with key id [0-9a-f]{32}, which is not a trusted key/);
    const tampered = bytes.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(() => decodePackage(tampered, { verifier: a.verifier })).toThrow('signature check: the Ed25519 signature');
    expect(() => decodePackage(packPreset('tiny', 'fp32'), { verifier: a.verifier })).toThrow('signature check: the package is not signed');
  });
});

describe('exactPackageSize', () => {
  it.each(PRESETS.map((p) => p.id))('equals the packed size of %s at every dtype', (id) => {
    const graph = presetGraph(id);
    const values = initialValues(graph);
    for (const dtype of WEIGHT_DTYPES) {
      const bytes = encodePackage(graph, values, { dtype });
      expect(exactPackageSize(graph, dtype)).toEqual({ bytes: bytes.length, exact: true });
      expect(computeBudget(graph, { dtype }).totals.packageBytes).toBe(bytes.length);
    }
  }, 60_000);
});
