import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { loadVerifier } from '../../core/node/package-keys.js';
import { decodePackage, type DecodedPackage, type TensorRecord } from '../../core/package/decode-package.js';
import { inspectDelta } from '../../core/package/delta-package.js';
import { FLAG_DELTA } from '../../core/package/package-constants.js';
import { readTensor } from '../../core/package/read-tensor.js';
import { float32Bytes, toHex } from '../../core/package/tensor-digest.js';
import { formatBytes } from '../../core/format/quantity.js';
import { CliError } from './cli-error.js';
import { fileDigest } from '../../devices/protocol/file-digest.js';

function f32Hex(x: number): string {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return view.getUint32(0).toString(16).padStart(8, '0');
}

export function tensorJson(t: TensorRecord) {
  return {
    name: t.id,
    shape: t.shape,
    mode: t.mode,
    dtype: t.dtype,
    seed: t.seeded?.seed ?? null,
    dist: t.seeded?.dist ?? null,
    mult: t.seeded?.mult ?? null,
    multBits: t.seeded === undefined ? null : f32Hex(t.seeded.mult),
    init: t.seeded?.init ?? null,
    fan: t.seeded?.fan ?? null,
    gain: t.seeded?.gain ?? null,
    bytes: t.dataLength,
    digest: toHex(t.digest),
  };
}

export async function openPackage(file: string, keys: readonly string[] = []): Promise<DecodedPackage> {
  const bytes = await readPackageFile(file);
  return decodePackage(bytes, keys.length === 0 ? {} : { verifier: await loadVerifier(keys) });
}

function isDelta(bytes: Uint8Array): boolean {
  // Flags sit at byte 6; the full checks run in inspectDelta or decodePackage either way.
  return bytes.length > 8 && ((bytes[6] ?? 0) & FLAG_DELTA) !== 0;
}

function inspectDeltaFile(file: string, bytes: Uint8Array, json: boolean): string {
  const d = inspectDelta(bytes);
  const info = { file, bytes: bytes.length, kind: 'delta', baseSha256: d.baseDigest, targetSha256: d.targetDigest, targetBytes: d.targetSize, tensorsCarried: d.carried, tensorsReused: d.reused };
  if (json) return `${JSON.stringify(info, null, 2)}\n`;
  return [
    `${file}: ReFrame delta package v1, ${bytes.length.toLocaleString('en-US')} bytes (${formatBytes(bytes.length)})`,
    `  turns base   ${d.baseDigest}`,
    `  into target  ${d.targetDigest} (${d.targetSize.toLocaleString('en-US')} bytes)`,
    `  ${d.carried} stored tensor(s) carried, ${d.reused} reused from the base; apply with reframe apply <base> ${file} --out <file>`,
    '',
  ].join('\n');
}

/** `reframe inspect`: what a package holds, tensor by tensor (or, for a delta, what it changes). */
export async function inspectCommand(file: string, o: { json: boolean }): Promise<string> {
  const bytes = await readPackageFile(file);
  if (isDelta(bytes)) return inspectDeltaFile(file, bytes, o.json);
  const pkg = decodePackage(bytes);
  if (o.json) {
    return `${JSON.stringify(
      {
        file,
        bytes: pkg.totalSize,
        formatVersion: 1,
        model: pkg.graph.name,
        weightDtype: pkg.weightDtype,
        sha256: toHex(pkg.digest),
        fileSha256: toHex(fileDigest(bytes)),
        signature: pkg.signature ?? null,
        hasSpec: pkg.specText !== undefined,
        nodes: pkg.graph.nodes.length,
        tensors: pkg.tensors.map(tensorJson),
      },
      null,
      2,
    )}\n`;
  }
  const width = Math.max(...pkg.tensors.map((t) => t.id.length));
  const rows = pkg.tensors.map((t) => {
    const how = t.seeded === undefined ? `${t.dtype.padEnd(4)} ${formatBytes(t.dataLength).padStart(10)}` : `seed ${t.seeded.seed} ${t.seeded.dist} mult ${f32Hex(t.seeded.mult)}`;
    return `  ${t.id.padEnd(width)}  ${t.mode.padEnd(9)}  [${t.shape.join(',')}]`.padEnd(width + 34) + `  ${how}  ${toHex(t.digest).slice(0, 16)}`;
  });
  return [
    `${file}: ReFrame seed package v1, ${pkg.totalSize.toLocaleString('en-US')} bytes (${formatBytes(pkg.totalSize)})`,
    `  model ${pkg.graph.name}, ${pkg.graph.nodes.length} nodes, weights ${pkg.weightDtype}, spec ${pkg.specText === undefined ? 'not included' : 'included'}`,
    `  sha256 ${toHex(pkg.digest)} (content digest: what a signature signs)`,
    `  file sha256 ${toHex(fileDigest(bytes))} (what boards, reframe push and reframe board name it by)`,
    `  signature ${pkg.signature === undefined ? 'none' : `key ${pkg.signature.keyId} (not verified: use reframe verify --key)`}`,
    `  ${pkg.tensors.length} tensors:`,
    ...rows,
    '',
  ].join('\n');
}

/** `reframe regen`: one tensor's float32 values, little-endian, canonical order. */
export async function regenCommand(file: string, o: { tensor: string; out: string }): Promise<string> {
  const pkg = await openPackage(file);
  const t = pkg.tensors.find((x) => x.id === o.tensor);
  if (t === undefined) throw new CliError(`the package has no tensor "${o.tensor}" (see reframe inspect ${file})`);
  const values = readTensor(pkg, t);
  await writeFileAtomically(o.out, float32Bytes(values));
  return `wrote ${o.out}: ${values.length} float32 values of ${t.id} [${t.shape.join(',')}] (${t.seeded === undefined ? `read back from ${t.dtype}` : `regenerated from seed ${t.seeded.seed}`})\n`;
}
