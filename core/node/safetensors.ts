import { readFile } from 'node:fs/promises';

export class WeightsFileError extends Error {
  readonly code = 'bad-weights';
  constructor(message: string) {
    super(message);
    this.name = 'WeightsFileError';
  }
}

const MAX_HEADER = 16 * 1024 * 1024;

/**
 * Reads float32 tensors from a safetensors file (8-byte little-endian header length, JSON header of
 * `{name: {dtype, shape, data_offsets}}`, then the data), the format PyTorch and others export. Tensor
 * names are our ids (`node.param`); F32 only, since packing chooses its own storage.
 */
export async function readSafetensors(filePath: string): Promise<Map<string, Float32Array>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    throw new WeightsFileError(`cannot read weights ${filePath}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  if (bytes.length < 8) throw new WeightsFileError(`${filePath}: too short for a safetensors file`);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  if (headerLength > MAX_HEADER || 8 + headerLength > bytes.length) throw new WeightsFileError(`${filePath}: header length ${headerLength} does not fit the file`);
  let header: Record<string, { dtype?: unknown; shape?: unknown; data_offsets?: unknown }>;
  try {
    header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8')) as typeof header;
  } catch (error) {
    throw new WeightsFileError(`${filePath}: header is not JSON: ${(error as Error).message}`);
  }
  const dataStart = 8 + headerLength;
  const out = new Map<string, Float32Array>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const offsets = entry.data_offsets;
    const shape = entry.shape;
    if (entry.dtype !== 'F32') throw new WeightsFileError(`${filePath}: tensor ${name} is ${String(entry.dtype)}; only F32 is read`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !Array.isArray(shape)) throw new WeightsFileError(`${filePath}: tensor ${name} has no valid shape or data_offsets`);
    const [begin, end] = offsets as [number, number];
    const elements = (shape as number[]).reduce((a, b) => a * b, 1);
    if (!Number.isInteger(begin) || !Number.isInteger(end) || end < begin || dataStart + end > bytes.length || end - begin !== elements * 4) {
      throw new WeightsFileError(`${filePath}: tensor ${name} has data_offsets [${begin}, ${end}] that do not fit its shape or the file`);
    }
    const copy = new Uint8Array(bytes.subarray(dataStart + begin, dataStart + end));
    out.set(name, new Float32Array(copy.buffer));
  }
  return out;
}

/** Writes float32 tensors as a safetensors file (names sorted, data in that order, header padded to 8). */
export function encodeSafetensors(tensors: ReadonlyMap<string, { shape: readonly number[]; values: Float32Array }>): Uint8Array {
  const names = [...tensors.keys()].sort();
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name) as { shape: readonly number[]; values: Float32Array };
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    offset += t.values.byteLength;
  }
  let json = JSON.stringify(header);
  while ((json.length + 8) % 8 !== 0) json += ' ';
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(new TextEncoder().encode(json), 8);
  let at = 8 + json.length;
  for (const name of names) {
    const v = (tensors.get(name) as { values: Float32Array }).values;
    out.set(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), at);
    at += v.byteLength;
  }
  return out;
}
