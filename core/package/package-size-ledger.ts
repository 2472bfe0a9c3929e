import type { PackageSize } from '../budget/package-size.js';
import { WEIGHT_DTYPES, type WeightDtype } from '../budget/weight-dtype.js';
import type { GraphNode, GraphRevision, ModelGraph } from '../graph/model-graph.js';
import { canonicalNodeText, serializeSpec } from '../spec/serialize-spec.js';
import { encodeGraph } from './graph-codec.js';
import { SECTION } from './package-constants.js';
import { layoutSections, nodeTensors, tensorDataBytes, tensorTableBytes } from './package-plan.js';
import { StringTableBuilder } from './string-table.js';

/**
 * The payload lengths of an unsigned package with its spec, at every dtype: what the budget needs to
 * size one. Kept apart from the bytes so that a change of parameter modes updates it by the revised
 * nodes alone (their tensors' storage and their line of the spec) instead of planning the package again.
 */
export interface PackageSizeLedger {
  /** STRS, GRPH and TENS: names, structure and one entry per tensor, which modes do not change. */
  readonly stringBytes: number;
  readonly graphBytes: number;
  readonly tensorTableBytes: number;
  /** The spec's canonical JSON as UTF-8. */
  readonly specBytes: number;
  readonly dataBytes: Readonly<Record<WeightDtype, number>>;
}

/** Bytes of a string as UTF-8, counted without encoding it (a browser's TextEncoder costs more per call). */
export function utf8Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      // A surrogate pair: one code point of four bytes.
      n += 4;
      i++;
    } else n += 3; // A lone surrogate encodes as U+FFFD, three bytes, as TextEncoder does.
  }
  return n;
}

function nodeDataBytes(node: GraphNode, dtype: WeightDtype): number {
  let n = 0;
  for (const t of nodeTensors(node)) n += tensorDataBytes(t, dtype);
  return n;
}

/**
 * The ledger of a graph: the payloads planPackage lays out, measured without building the tensor table or
 * the data (names into the string table, the graph record, the canonical spec, stored bytes per dtype).
 */
export function packageSizeLedger(graph: ModelGraph): PackageSizeLedger {
  const strings = new StringTableBuilder();
  const graphBytes = encodeGraph(graph, strings).length;
  const data: Record<WeightDtype, number> = { fp32: 0, fp16: 0, int8: 0 };
  let tensors = 0;
  for (const node of graph.nodes) {
    for (const t of nodeTensors(node)) {
      strings.add(t.id);
      tensors++;
      for (const d of WEIGHT_DTYPES) data[d] += tensorDataBytes(t, d);
    }
  }
  return {
    stringBytes: strings.byteLength,
    graphBytes,
    tensorTableBytes: tensorTableBytes(tensors),
    specBytes: utf8Length(serializeSpec(graph.doc)),
    dataBytes: data,
  };
}

/**
 * The ledger of `graph`, which came from `revision.from` (whose ledger this is) by a change of
 * parameter modes in the revised nodes: their tensors' storage and their spec lines are swapped.
 */
export function reviseLedger(ledger: PackageSizeLedger, revision: GraphRevision, graph: ModelGraph): PackageSizeLedger {
  if (revision.specIndices.length === 0) return ledger;
  const data = { ...ledger.dataBytes };
  let specBytes = ledger.specBytes;
  for (const i of revision.specIndices) {
    const old = revision.from.nodes.find((n) => n.specIndex === i);
    const now = graph.nodes.find((n) => n.specIndex === i);
    const oldSpec = revision.from.doc.nodes[i];
    const newSpec = graph.doc.nodes[i];
    if (old === undefined || now === undefined || oldSpec === undefined || newSpec === undefined) {
      throw new Error(`reviseLedger: node ${i} is not in both graphs; a revision changes modes, never nodes`);
    }
    for (const d of WEIGHT_DTYPES) data[d] += nodeDataBytes(now, d) - nodeDataBytes(old, d);
    // One line of the canonical text each; its indent and comma stay as they were.
    specBytes += utf8Length(canonicalNodeText(newSpec)) - utf8Length(canonicalNodeText(oldSpec));
  }
  return { ...ledger, specBytes, dataBytes: data };
}

/** The exact size of the unsigned package at a dtype: the same section layout the encoder writes. */
export function ledgerPackageSize(ledger: PackageSizeLedger, dtype: WeightDtype): PackageSize {
  const layout = layoutSections(
    [
      [SECTION.STRS, ledger.stringBytes],
      [SECTION.GRPH, ledger.graphBytes],
      [SECTION.TENS, ledger.tensorTableBytes],
      [SECTION.SPEC, ledger.specBytes],
      [SECTION.DATA, ledger.dataBytes[dtype]],
    ],
    false,
  );
  return { bytes: layout.totalSize, exact: true };
}
