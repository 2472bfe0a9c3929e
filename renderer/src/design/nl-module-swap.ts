import type { ModelGraph } from '../../../core/graph/model-graph.js';
import type { ConvNode } from '../../../core/ops/conv.js';
import type { SpecDocument, SpecNode } from '../../../core/spec/spec-document.js';
import { addNlModule, type SeededInit } from '../../../core/zoo/nl-module.js';
import { DEFAULT_NL, DEFAULT_SEED_BASE } from '../../../core/zoo/resnet-builder.js';
import { offsetSeed, SpecBuilder } from '../../../core/zoo/spec-builder.js';

// The zoo's ResNet builder names block convs `layer<s>.<b>.conv<n>` and the NL module that replaces one
// `layer<s>.<b>.nl<n>.*`; those names are what lets the designer swap one for the other in any document.
const BLOCK_CONV = /^(layer\d+\.\d+)\.conv([12])$/;
const NL_PREFIX = /^(layer\d+\.\d+)\.nl([12])$/;

export interface NlChoice {
  readonly cnl: 'dw' | number;
  readonly init: SeededInit;
}

/** The node names a swap reads and writes: the block conv and the prefix of its NL module. */
export function nlPrefixOf(convName: string): string | undefined {
  const m = BLOCK_CONV.exec(convName);
  return m === null ? undefined : `${m[1]}.nl${m[2]}`;
}

export function convNameOf(nlPrefix: string): string | undefined {
  const m = NL_PREFIX.exec(nlPrefix);
  return m === null ? undefined : `${m[1]}.conv${m[2]}`;
}

/** A 3x3, padding 1, ungrouped block conv: the only conv the builder would have made an NL module. */
export function isSwappableConv(node: SpecNode): node is ConvNode {
  if (node.op !== 'conv' || nlPrefixOf(node.name) === undefined) return false;
  const pair = (v: number | readonly [number, number] | undefined, dflt: number) => (v === undefined ? [dflt, dflt] : typeof v === 'number' ? [v, v] : v);
  const [kh, kw] = pair(node.kernel, 1);
  const [ph, pw] = pair(node.padding, 0);
  return kh === 3 && kw === 3 && ph === 1 && pw === 1 && (node.groups ?? 1) === 1;
}

/** The prefix of an NL module whose seeded conv is this node, e.g. `layer1.0.nl1` for `layer1.0.nl1.conv`. */
export function nlPrefixOfSeededConv(node: SpecNode): string | undefined {
  if (node.op !== 'conv' || !node.name.endsWith('.conv')) return undefined;
  const prefix = node.name.slice(0, -'.conv'.length);
  return NL_PREFIX.test(prefix) ? prefix : undefined;
}

const nodeNamed = (doc: SpecDocument, name: string) => doc.nodes.find((n) => n.name === name);

function renameInputs(nodes: readonly SpecNode[], from: string, to: string): SpecNode[] {
  return nodes.map((n) => ('inputs' in n && n.inputs.includes(from) ? ({ ...n, inputs: n.inputs.map((i) => (i === from ? to : i)) } as SpecNode) : n));
}

/**
 * Seed of the NL module in a slot: the builder gives the i-th NL module (in order) base + i, so the
 * designer counts block-conv slots the same way and turning every conv of a plain ResNet into an NL module
 * yields the zoo's ReFrame preset, seeds included. The base is read back from a module already present.
 */
function slotSeed(doc: SpecDocument, slotName: string): string {
  let slot = 0;
  let found = -1;
  let base: bigint | undefined;
  for (const node of doc.nodes) {
    const nl = nlPrefixOfSeededConv(node);
    const isSlot = nl !== undefined || (node.op === 'conv' && nlPrefixOf(node.name) !== undefined);
    if (!isSlot) continue;
    if (node.name === slotName || nl === slotName) found = slot;
    const seed = nl !== undefined && node.op === 'conv' ? node.params?.weight : undefined;
    if (base === undefined && seed?.mode === 'seeded') base = BigInt(seed.seed) - BigInt(slot);
    slot++;
  }
  const start = base === undefined ? DEFAULT_SEED_BASE : `0x${(base & 0xffff_ffff_ffff_ffffn).toString(16)}`;
  return offsetSeed(start, Math.max(found, 0));
}

/** The pointwise grouping and shuffle of modules already in the document, else the paper's. */
function moduleShape(doc: SpecDocument): { pointwiseGroups: number; shuffle: boolean } {
  const pw = doc.nodes.find((n) => n.op === 'conv' && n.name.endsWith('.pw') && NL_PREFIX.test(n.name.slice(0, -3)));
  if (pw === undefined || pw.op !== 'conv') return { pointwiseGroups: DEFAULT_NL.pointwiseGroups, shuffle: DEFAULT_NL.shuffle };
  const prefix = pw.name.slice(0, -3);
  return { pointwiseGroups: pw.groups ?? 1, shuffle: nodeNamed(doc, `${prefix}.shuffle`) !== undefined };
}

/** Replaces block conv `convName` with an NL module built by the zoo; consumers are rewired to its output. */
export function replaceWithNlModule(doc: SpecDocument, graph: ModelGraph, convName: string, choice: NlChoice, seed?: string): SpecDocument {
  const at = doc.nodes.findIndex((n) => n.name === convName);
  const conv = doc.nodes[at];
  const prefix = nlPrefixOf(convName);
  if (conv === undefined || prefix === undefined || !isSwappableConv(conv)) {
    throw new Error(`"${convName}" is not a 3x3 block conv the zoo can turn into an NL module`);
  }
  // Read from the conv's input node, which is there whether the graph has the conv or its NL module.
  const input = conv.inputs[0];
  const inChannels = graph.nodes.find((n) => n.name === input)?.outputShape[0];
  if (inChannels === undefined || input === undefined) throw new Error(`"${convName}": its input has no shape in the current graph`);
  const b = new SpecBuilder();
  const out = addNlModule(b, {
    prefix,
    input,
    inChannels,
    outChannels: conv.outChannels,
    stride: typeof conv.stride === 'number' ? conv.stride : (conv.stride?.[0] ?? 1),
    cnl: choice.cnl,
    ...moduleShape(doc),
    seed: seed ?? slotSeed(doc, convName),
    init: choice.init,
  });
  const added = b.build('', '', []).nodes;
  const nodes = renameInputs([...doc.nodes.slice(0, at), ...added, ...doc.nodes.slice(at + 1)], convName, out);
  return { ...doc, nodes, outputs: doc.outputs.map((o) => (o === convName ? out : o)) };
}

export interface RestoredConv {
  readonly doc: SpecDocument;
  readonly convName: string;
  /** The seed the module's seeded conv had, so a later swap back can keep it. */
  readonly seed: string | undefined;
}

/** Turns an NL module back into the plain 3x3 block conv it stands for (learnable, no bias). */
export function restoreConv(doc: SpecDocument, prefix: string): RestoredConv {
  const convName = convNameOf(prefix);
  const seeded = nodeNamed(doc, `${prefix}.conv`);
  const pw = nodeNamed(doc, `${prefix}.pw`);
  const input = seeded !== undefined && 'inputs' in seeded ? seeded.inputs[0] : undefined;
  if (convName === undefined || seeded?.op !== 'conv' || pw?.op !== 'conv' || input === undefined) {
    throw new Error(`"${prefix}" is not an NL module of the zoo (needs ${prefix}.conv and ${prefix}.pw)`);
  }
  const out = nodeNamed(doc, `${prefix}.shuffle`) === undefined ? pw.name : `${prefix}.shuffle`;
  const inModule = (n: SpecNode) => n.name.startsWith(`${prefix}.`);
  const at = doc.nodes.findIndex(inModule);
  const conv: ConvNode = {
    name: convName,
    op: 'conv',
    inputs: [input],
    outChannels: pw.outChannels,
    kernel: 3,
    stride: seeded.stride ?? 1,
    padding: 1,
    bias: false,
  };
  const kept = doc.nodes.filter((n) => !inModule(n));
  const nodes = renameInputs([...kept.slice(0, at), conv, ...kept.slice(at)], out, convName);
  const weight = seeded.params?.weight;
  return {
    doc: { ...doc, nodes, outputs: doc.outputs.map((o) => (o === out ? convName : o)) },
    convName,
    seed: weight?.mode === 'seeded' ? weight.seed : undefined,
  };
}
