import { sha256 } from '@noble/hashes/sha2.js';
import type { FullPackageDetails, PackageEntry, TensorModeName } from '../../../main/contract/studio-api.js';
import type { WeightDtype } from '../../../core/budget/weight-dtype.js';
import type { ModelGraph } from '../../../core/graph/model-graph.js';
import { decodePackage } from '../../../core/package/decode-package.js';
import { encodePackage } from '../../../core/package/encode-package.js';
import { initialValues } from '../../../core/package/initial-values.js';
import { toHex } from '../../../core/package/tensor-digest.js';
import { checkSpecValue } from '../../../core/spec/load-spec.js';
import { findPreset } from '../../../core/zoo/presets.js';

export function presetGraph(id: string): ModelGraph {
  const checked = checkSpecValue(findPreset(id)!.build());
  if (!checked.ok) throw new Error(`preset ${id} must build`);
  return checked.graph;
}

/** A real package of a preset, packed and decoded by the core, as inspectPackage reports it. */
export function presetPackage(id: string, dtype: WeightDtype, path: string): { bytes: Uint8Array; details: FullPackageDetails } {
  const graph = presetGraph(id);
  const bytes = encodePackage(graph, initialValues(graph), { dtype });
  const pkg = decodePackage(bytes);
  const byMode = {} as Record<TensorModeName, { tensors: number; elements: number; bytes: number }>;
  for (const mode of ['learnable', 'seeded', 'frozen', 'state'] as const) byMode[mode] = { tensors: 0, elements: 0, bytes: 0 };
  for (const t of pkg.tensors) {
    byMode[t.mode].tensors++;
    byMode[t.mode].elements += t.elements;
    byMode[t.mode].bytes += t.dataLength;
  }
  const spec = pkg.specText === undefined ? 0 : new TextEncoder().encode(pkg.specText).length;
  return {
    bytes,
    details: {
      kind: 'full', path, sha256: toHex(sha256(bytes)), contentDigest: toHex(pkg.digest), model: pkg.graph.name, weightDtype: pkg.weightDtype,
      nodes: pkg.graph.nodes.length, inputShape: [...(pkg.graph.nodes[0]?.outputShape ?? [])], classes: 10, signature: null, specText: pkg.specText ?? null,
      sizes: { total: bytes.length, data: pkg.data.length, overhead: bytes.length - pkg.data.length, spec, byMode },
      tensors: pkg.tensors.map((t) => ({
        name: t.id, shape: [...t.shape], mode: t.mode, dtype: t.dtype, seed: t.seeded?.seed ?? null, dist: t.seeded?.dist ?? null, init: t.seeded?.init ?? null,
        mult: t.seeded?.mult ?? null, elements: t.elements, bytes: t.dataLength, digest: toHex(t.digest),
      })),
    },
  };
}

export const entryOf = (details: FullPackageDetails, o: Partial<PackageEntry> = {}): PackageEntry => ({
  path: details.path, fileName: details.path.split('/').pop()!, bytes: details.sizes.total, modified: '2025-01-01T00:00:00Z', kind: 'full', model: details.model,
  weightDtype: details.weightDtype, signed: details.signature !== null, sha256: details.sha256, problem: null, ...o,
});
