import { WEIGHT_DTYPES, type WeightDtype } from '../budget/weight-dtype.js';
import { buildGraph } from '../graph/build-graph.js';
import type { ModelGraph } from '../graph/model-graph.js';
import { checkSpecText } from '../spec/load-spec.js';
import type { ParamSpec } from '../spec/param-spec.js';
import { readSpecDocument } from '../spec/read-spec.js';
import { formatSpecIssue, type SpecIssue } from '../spec/spec-issue.js';
import type { SpecDocument } from '../spec/spec-document.js';
import { ByteReader } from './byte-reader.js';
import { decodeGraph, specNodesOf, type DecodedNode } from './graph-codec.js';
import { DISTS, DTYPE_CODES, DTYPE_NONE, FANS, INITS, MODES, ROLES, SECTION, TENSOR_ENTRY_BYTES } from './package-constants.js';
import { PackageError } from './package-error.js';
import { planPackage, storedBytes, type SeededInfo, type StoredDtype, type TensorPlan } from './package-plan.js';
import { readContainer, sectionOf, type ReadOptions, type SignatureInfo } from './read-container.js';
import { readString } from './string-table.js';
import { bytesEqual } from './tensor-digest.js';

export interface TensorRecord extends Omit<TensorPlan, 'nameRef'> {
  readonly digest: Uint8Array;
}

export interface DecodedPackage {
  readonly weightDtype: WeightDtype;
  readonly totalSize: number;
  readonly digest: Uint8Array;
  readonly signature: SignatureInfo | undefined;
  /** The model as the package's graph and tensor table describe it. */
  readonly doc: SpecDocument;
  readonly graph: ModelGraph;
  /** The original spec text, when the package carries it. */
  readonly specText: string | undefined;
  readonly tensors: readonly TensorRecord[];
  /** The DATA payload; tensor offsets are relative to it. */
  readonly data: Uint8Array;
}

const DTYPE_BY_CODE = new Map<number, StoredDtype>([...Object.entries(DTYPE_CODES).map(([k, v]) => [v, k as StoredDtype] as const), [DTYPE_NONE, 'none']]);

function semantics(message: string): PackageError {
  return new PackageError('semantics', message);
}

function readTensorTable(bytes: Uint8Array, strings: Uint8Array, nodeCount: number): TensorRecord[] {
  const r = new ByteReader(bytes, 'TENS');
  const count = r.u32();
  if (count > 65535 || bytes.length !== 4 + count * TENSOR_ENTRY_BYTES) {
    throw semantics(`TENS: ${count} entries need ${4 + count * TENSOR_ENTRY_BYTES} bytes, the section has ${bytes.length}`);
  }
  const out: TensorRecord[] = [];
  for (let i = 0; i < count; i++) {
    const where = `TENS entry ${i}`;
    const id = readString(strings, r.u32(), r.u32(), where);
    const nodeIndex = r.u16();
    const [roleCode, modeCode, dtypeCode, rank, distCode, initCode] = [r.u8(), r.u8(), r.u8(), r.u8(), r.u8(), r.u8()];
    const dims = [r.u32(), r.u32(), r.u32(), r.u32()];
    const seedLo = r.u32();
    const seedHi = r.u32();
    const mult = r.f32();
    const dataOffset = r.u32();
    const dataLength = r.u32();
    const reserved = r.u32();
    const gain = r.f64();
    const digest = r.slice(32);
    const role = ROLES[roleCode];
    const mode = MODES[modeCode];
    const dtype = DTYPE_BY_CODE.get(dtypeCode);
    if (nodeIndex >= nodeCount) throw semantics(`${where} (${id}): node ${nodeIndex} does not exist`);
    if (role === undefined || mode === undefined || dtype === undefined) throw semantics(`${where} (${id}): unknown role, mode or dtype code`);
    if (rank < 1 || rank > 4) throw semantics(`${where} (${id}): rank ${rank} is outside 1..4`);
    if (dims.some((d, k) => (k < rank ? d < 1 : d !== 0))) throw semantics(`${where} (${id}): shape [${dims.join(',')}] does not fit rank ${rank}`);
    if (reserved !== 0) throw semantics(`${where} (${id}): reserved field is not zero`);
    const shape = dims.slice(0, rank);
    let seeded: SeededInfo | undefined;
    if (mode === 'seeded') {
      const dist = DISTS[distCode];
      const init = INITS[initCode & 3];
      const fan = FANS[(initCode >> 2) & 3];
      if (dist === undefined || init === undefined || (initCode & ~15) !== 0 || ((initCode >> 2) & 3) === 3) throw semantics(`${where} (${id}): unknown distribution or init code`);
      if (!Number.isFinite(mult) || mult === 0) throw semantics(`${where} (${id}): stream multiplier ${mult} is not a finite non-zero number`);
      if (!Number.isFinite(gain) || gain <= 0) throw semantics(`${where} (${id}): gain ${gain} is not a positive number`);
      const seed = `0x${((BigInt(seedHi) << 32n) | BigInt(seedLo)).toString(16).padStart(16, '0')}`;
      seeded = { seed, dist, init, fan, gain, mult };
    } else if (distCode !== 0 || initCode !== 0 || seedLo !== 0 || seedHi !== 0 || mult !== 0 || gain !== 0) {
      throw semantics(`${where} (${id}): seed fields are set on a ${mode} tensor`);
    }
    const elements = shape.reduce((a, b) => a * b, 1);
    out.push({ id, nodeIndex, role, mode, dtype, shape, elements, ...(seeded === undefined ? {} : { seeded }), dataOffset, dataLength, digest });
  }
  return out;
}

function paramSpecOf(t: TensorRecord): ParamSpec {
  if (t.seeded === undefined) return { mode: t.mode === 'frozen' ? 'frozen' : 'learnable' };
  const s = t.seeded;
  return { mode: 'seeded', dist: s.dist, init: s.init, ...(s.fan === undefined ? {} : { fan: s.fan }), gain: s.gain, seed: s.seed };
}

function checkData(tensors: readonly TensorRecord[], plan: readonly TensorPlan[], data: Uint8Array): void {
  if (tensors.length !== plan.length) throw semantics(`TENS has ${tensors.length} tensors, the graph needs ${plan.length}`);
  let end = 0;
  tensors.forEach((t, i) => {
    const want = plan[i] as TensorPlan;
    const where = `TENS entry ${i} (${t.id})`;
    if (t.id !== want.id || t.nodeIndex !== want.nodeIndex || t.role !== want.role) throw semantics(`${where}: the graph expects ${want.id} (${want.role} of node ${want.nodeIndex}) here`);
    if (t.mode !== want.mode || t.dtype !== want.dtype) throw semantics(`${where}: stored as ${t.mode}/${t.dtype}, a ${want.dtype} package stores it as ${want.mode}/${want.dtype}`);
    if (t.shape.join(',') !== want.shape.join(',')) throw semantics(`${where}: shape [${t.shape.join(',')}] disagrees with the graph's [${want.shape.join(',')}]`);
    if (t.seeded !== undefined && Math.fround(t.seeded.mult) !== want.seeded?.mult) {
      throw semantics(`${where}: stream multiplier ${t.seeded.mult} disagrees with its init (${want.seeded?.mult})`);
    }
    if (t.dataLength !== storedBytes(t.dtype, t.shape)) throw semantics(`${where}: ${t.dataLength} data bytes do not fit ${t.dtype} [${t.shape.join(',')}]`);
    if (t.dataLength === 0) {
      if (t.dataOffset !== 0) throw semantics(`${where}: a tensor without data has offset ${t.dataOffset}`);
      return;
    }
    // Stored tensors follow one another in table order: no gaps to hide bytes in, no overlaps.
    if (t.dataOffset !== end) throw semantics(`${where}: data at ${t.dataOffset}, expected at ${end} (overlapping, out of order or leaving a gap)`);
    if (t.dataOffset + t.dataLength > data.length) throw semantics(`${where}: data ${t.dataOffset}+${t.dataLength} runs past DATA (${data.length} bytes)`);
    end = (t.dataOffset + t.dataLength + 3) & ~3;
    // Padding after each tensor must be zero: it closes the last place bytes could hide.
    for (let p = t.dataOffset + t.dataLength; p < end; p++) if (data[p] !== 0) throw semantics(`DATA byte ${p} is padding but not zero`);
    if (t.dtype === 'int8') {
      const scales = new DataView(data.buffer, data.byteOffset + t.dataOffset, (t.shape[0] ?? 1) * 4);
      for (let c = 0; c < scales.byteLength; c += 4) {
        const s = scales.getFloat32(c, true);
        if (!Number.isFinite(s) || s < 0) throw semantics(`${where}: int8 scale ${c / 4} is ${s}`);
      }
    }
  });
  if (end !== data.length) throw semantics(`DATA has ${data.length} bytes, the tensors use ${end}`);
}

/** A tensor as the package sees it: seeds as numbers ("0x5EED" is "0x…5eed") and kaiming's default fan made explicit. */
function paramKey(p: ModelGraph['nodes'][number]['params'][number]): unknown[] {
  const s = p.spec;
  if (s.mode !== 'seeded') return [p.id, p.shape, s.mode];
  return [p.id, p.shape, s.dist, s.init, s.init === 'kaiming' ? (s.fan ?? 'fan_in') : null, s.gain, BigInt(s.seed).toString(16)];
}

function checkSpecSection(text: string, graph: ModelGraph): void {
  const result = checkSpecText(text);
  if (!result.ok) throw semantics(`SPEC is not a valid spec: ${formatSpecIssue((result.issues[0] as SpecIssue))}`);
  const a = result.graph.nodes;
  const b = graph.nodes;
  const same =
    a.length === b.length &&
    result.graph.name === graph.name &&
    result.graph.outputs.join(',') === graph.outputs.join(',') &&
    a.every((n, i) => {
      const m = b[i] as (typeof b)[number];
      return (
        n.name === m.name &&
        n.op === m.op &&
        n.outputShape.join(',') === m.outputShape.join(',') &&
        n.inputs.join(',') === m.inputs.join(',') &&
        JSON.stringify(n.attrs) === JSON.stringify(m.attrs) &&
        JSON.stringify(n.params.map(paramKey)) === JSON.stringify(m.params.map(paramKey))
      );
    });
  if (!same) throw semantics('SPEC describes a different model than GRPH and TENS');
}

/** Decodes a full package after every check of docs/package-format.md has passed, in order. */
export function decodePackage(bytes: Uint8Array, options: ReadOptions = {}): DecodedPackage {
  const c = readContainer(bytes, options);
  if (c.kind !== 'full') throw new PackageError('header', 'this is a delta package; apply it to its base first');
  const strings = sectionOf(c.sections, SECTION.STRS);
  if (strings.length > 0 && strings[strings.length - 1] !== 0) throw semantics('STRS does not end with a zero byte');
  const decodedGraph = decodeGraph(sectionOf(c.sections, SECTION.GRPH), strings);
  const tensors = readTensorTable(sectionOf(c.sections, SECTION.TENS), strings, decodedGraph.nodes.length);

  const params = new Map<number, Record<string, ParamSpec>>();
  for (const t of tensors) {
    if (t.mode === 'state') continue;
    params.set(t.nodeIndex, { ...params.get(t.nodeIndex), [t.role]: paramSpecOf(t) });
  }
  const read = readSpecDocument({
    format: 'reframe-spec',
    version: 1,
    name: decodedGraph.name,
    nodes: specNodesOf(decodedGraph, params),
    outputs: decodedGraph.outputs.map((o) => (decodedGraph.nodes[o] as DecodedNode).name),
  });
  if (!read.ok) throw semantics(`the graph is not a valid model: ${formatSpecIssue((read.issues[0] as SpecIssue))}`);
  const built = buildGraph(read.doc);
  if (!built.ok) throw semantics(`the graph is not a valid model: ${formatSpecIssue((built.issues[0] as SpecIssue))}`);
  const graph = built.graph;
  graph.nodes.forEach((n, i) => {
    if (n.specIndex !== i) throw semantics(`GRPH node ${n.specIndex} runs before one of its inputs`);
    const stored = (decodedGraph.nodes[i] as DecodedNode).outputShape;
    if (stored.join(',') !== n.outputShape.join(',')) throw semantics(`GRPH node ${i} (${n.name}) stores shape [${stored.join(',')}], inference gives [${n.outputShape.join(',')}]`);
  });

  const weightDtype = WEIGHT_DTYPES[c.weightDtypeCode] as WeightDtype;
  const data = sectionOf(c.sections, SECTION.DATA);
  const plan = planPackage(graph, { dtype: weightDtype, includeSpec: false });
  checkData(tensors, plan.tensors, data);
  // Strings and graph have exactly one encoding: anything else (spare bytes, other orders) is refused.
  if (!bytesEqual(strings, plan.strings)) throw semantics('STRS is not the canonical string table of this graph (extra, missing or reordered bytes)');
  if (!bytesEqual(sectionOf(c.sections, SECTION.GRPH), plan.graphBytes)) throw semantics('GRPH is not the canonical encoding of this graph');

  const specSection = c.sections.get(SECTION.SPEC);
  let specText: string | undefined;
  if (specSection !== undefined) {
    try {
      specText = new TextDecoder('utf-8', { fatal: true }).decode(specSection);
    } catch {
      throw semantics('SPEC is not valid UTF-8');
    }
    checkSpecSection(specText, graph);
  }
  return { weightDtype, totalSize: c.totalSize, digest: c.digest, signature: c.signature, doc: read.doc, graph, specText, tensors, data };
}
