import type { DeltaPackageDetails, FullPackageDetails, PackageDiff, PackageSizes, TensorInfo, TensorModeName } from '../contract/studio-api.js';
import type { DecodedPackage, TensorRecord } from '../../core/package/decode-package.js';
import { inspectDelta } from '../../core/package/delta-package.js';
import { FLAG_DELTA, FLAG_SIGNED } from '../../core/package/package-constants.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';

/** Whether the bytes claim to be a delta (flags at byte 6); the decoder checks the rest either way. */
export function isDeltaBytes(bytes: Uint8Array): boolean {
  return bytes.length > 8 && ((bytes[6] ?? 0) & FLAG_DELTA) !== 0;
}

/** Whether the header says a signature follows; only a verifier can say whether it checks. */
export function isSignedBytes(bytes: Uint8Array): boolean {
  return bytes.length > 8 && ((bytes[6] ?? 0) & FLAG_SIGNED) !== 0;
}

export function tensorInfo(t: TensorRecord): TensorInfo {
  return {
    name: t.id,
    shape: [...t.shape],
    mode: t.mode,
    dtype: t.dtype,
    seed: t.seeded?.seed ?? null,
    dist: t.seeded?.dist ?? null,
    init: t.seeded?.init ?? null,
    mult: t.seeded?.mult ?? null,
    elements: t.elements,
    bytes: t.dataLength,
    digest: toHex(t.digest),
  };
}

function sizesOf(pkg: DecodedPackage): PackageSizes {
  const byMode = {} as Record<TensorModeName, { tensors: number; elements: number; bytes: number }>;
  for (const mode of ['learnable', 'seeded', 'frozen', 'state'] as const) byMode[mode] = { tensors: 0, elements: 0, bytes: 0 };
  for (const t of pkg.tensors) {
    const m = byMode[t.mode];
    m.tensors++;
    m.elements += t.elements;
    m.bytes += t.dataLength;
  }
  const data = pkg.data.length;
  return { total: pkg.totalSize, data, overhead: pkg.totalSize - data, spec: pkg.specText === undefined ? 0 : new TextEncoder().encode(pkg.specText).length, byMode };
}

/** A full package as the packages view shows it. */
export function fullPackageDetails(file: string, bytes: Uint8Array, pkg: DecodedPackage): FullPackageDetails {
  const output = pkg.graph.nodes[pkg.graph.outputs[0] ?? pkg.graph.nodes.length - 1];
  return {
    kind: 'full',
    path: file,
    sha256: toHex(fileDigest(bytes)),
    contentDigest: toHex(pkg.digest),
    model: pkg.graph.name,
    weightDtype: pkg.weightDtype,
    nodes: pkg.graph.nodes.length,
    inputShape: [...(pkg.graph.nodes[0]?.outputShape ?? [])],
    classes: output?.outputShape[0] ?? 0,
    signature: pkg.signature === undefined ? null : { keyId: pkg.signature.keyId, verified: pkg.signature.verified },
    specText: pkg.specText ?? null,
    sizes: sizesOf(pkg),
    tensors: pkg.tensors.map(tensorInfo),
  };
}

/** A delta: what it turns into what. */
export function deltaPackageDetails(file: string, bytes: Uint8Array): DeltaPackageDetails {
  const d = inspectDelta(bytes);
  return {
    kind: 'delta',
    path: file,
    sha256: toHex(fileDigest(bytes)),
    bytes: bytes.length,
    baseDigest: d.baseDigest,
    targetDigest: d.targetDigest,
    targetBytes: d.targetSize,
    tensorsCarried: d.carried,
    tensorsReused: d.reused,
  };
}

function describeNode(pkg: DecodedPackage, i: number): string {
  const n = pkg.graph.nodes[i];
  if (n === undefined) return '';
  return `${n.op} [${n.outputShape.join(',')}] ← ${n.inputs.map((k) => pkg.graph.nodes[k]?.name ?? '?').join(',')}`;
}

/** Which nodes and tensors differ between two packages, by name. */
export function diffPackageDetails(pathA: string, a: DecodedPackage, pathB: string, b: DecodedPackage): Omit<PackageDiff, 'deltaBytes'> {
  const nodesA = new Map(a.graph.nodes.map((n, i) => [n.name, describeNode(a, i)]));
  const nodesB = new Map(b.graph.nodes.map((n, i) => [n.name, describeNode(b, i)]));
  const nodes: PackageDiff['nodes'][number][] = [];
  for (const [name, before] of nodesA) {
    const after = nodesB.get(name);
    if (after === undefined) nodes.push({ name, change: 'removed', before, after: null });
    else if (after !== before) nodes.push({ name, change: 'changed', before, after });
  }
  for (const [name, after] of nodesB) if (!nodesA.has(name)) nodes.push({ name, change: 'added', before: null, after });

  const tensorsB = new Map(b.tensors.map((t) => [t.id, t]));
  const namesA = new Set(a.tensors.map((t) => t.id));
  const tensors: PackageDiff['tensors'][number][] = [];
  let unchangedTensors = 0;
  for (const t of a.tensors) {
    const u = tensorsB.get(t.id);
    if (u === undefined) tensors.push({ name: t.id, change: 'removed', what: `${t.mode} [${t.shape.join(',')}]` });
    else if (t.mode !== u.mode) tensors.push({ name: t.id, change: 'changed', what: `mode ${t.mode} → ${u.mode}` });
    else if (t.dtype !== u.dtype) tensors.push({ name: t.id, change: 'changed', what: `dtype ${t.dtype} → ${u.dtype}` });
    else if (t.shape.join(',') !== u.shape.join(',')) tensors.push({ name: t.id, change: 'changed', what: `shape [${t.shape.join(',')}] → [${u.shape.join(',')}]` });
    else if (toHex(t.digest) !== toHex(u.digest)) tensors.push({ name: t.id, change: 'changed', what: t.seeded !== undefined && u.seeded !== undefined ? `seed ${t.seeded.seed} → ${u.seeded.seed}` : 'values changed' });
    else unchangedTensors++;
  }
  for (const u of b.tensors) if (!namesA.has(u.id)) tensors.push({ name: u.id, change: 'added', what: `${u.mode} [${u.shape.join(',')}]` });
  return {
    a: { path: pathA, model: a.graph.name, bytes: a.totalSize },
    b: { path: pathB, model: b.graph.name, bytes: b.totalSize },
    nodes,
    tensors,
    unchangedTensors,
  };
}
