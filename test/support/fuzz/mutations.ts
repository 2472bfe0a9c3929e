// Mutations for the package fuzzer: each turns a valid target into a mutant and names the checks
// allowed to refuse it; KINDS weighs them and says which targets each applies to.
import {
  align4,
  DIGEST_BYTES,
  DIRECTORY_ENTRY_BYTES,
  FLAG_SIGNED,
  HEADER_BYTES,
  KEY_ID_BYTES,
  NO_BASE_TENSOR,
  SECTION,
  SIGNATURE_BLOCK_BYTES,
} from '../../../core/package/package-constants.js';
import type { PackageCheck } from '../../../core/package/package-error.js';
import { signatureMessage } from '../../../core/package/package-signer.js';
import { bytesEqual } from '../../../core/package/tensor-digest.js';
import type { FuzzRandom } from './fuzz-random.js';
import { FUZZ_MAX_BYTES, sectionOf, view, type FuzzFixtures, type FuzzTarget } from './fuzz-targets.js';
import { assemble, reseal } from './reseal.js';

/** Checks 1 to 5: what a mutant whose CRCs and digest were left alone must be refused by. */
export const CONTAINER: readonly PackageCheck[] = ['size', 'header', 'sections', 'digest', 'signature'];

export interface Mutant {
  readonly bytes: Uint8Array;
  /** The checks allowed to refuse it. */
  readonly expect: readonly PackageCheck[];
  /** What was done, for the failure message. */
  readonly note: string;
  /**
   * DATA values were rewritten and the container resealed: unsigned (or re-signed), that is a valid
   * package with other weights, so it may decode, but then its tensor digests must not match.
   */
  readonly valuesChanged?: boolean;
}

interface MutationContext {
  readonly rng: FuzzRandom;
  readonly target: FuzzTarget;
  readonly fixtures: FuzzFixtures;
}

type Mutation = (c: MutationContext) => Mutant;

export interface MutationKind {
  readonly name: string;
  readonly weight: number;
  readonly applies: (t: FuzzTarget) => boolean;
  readonly make: Mutation;
}

const u16At = (b: Uint8Array, at: number) => view(b).getUint16(at, true);
const u32At = (b: Uint8Array, at: number) => view(b).getUint32(at, true);
const setU8 = (b: Uint8Array, at: number, x: number) => view(b).setUint8(at, x);
const setU16 = (b: Uint8Array, at: number, x: number) => view(b).setUint16(at, x, true);
const setU32 = (b: Uint8Array, at: number, x: number) => view(b).setUint32(at, x >>> 0, true);

export function regionOf(t: FuzzTarget, at: number): string {
  return t.regions.find((r) => at >= r.start && at < r.end)?.name ?? 'beyond the end';
}

/** A u32 different from `current`, biased to the values that break parsers: huge, zero, off by a little. */
function interestingU32(rng: FuzzRandom, current: number, extra: readonly number[] = []): number {
  const candidates = [0, 1, 3, 4, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffc, 0xffffffff, current + 1, current - 1, current + 4, current - 4, current * 2, ...extra];
  for (;;) {
    const x = (rng.chance(0.8) ? rng.pick(candidates) : rng.u32()) >>> 0;
    if (x !== current) return x;
  }
}

function interestingU8(rng: FuzzRandom, current: number): number {
  for (;;) {
    const x = rng.chance(0.7) ? rng.pick([0, 1, 2, 3, 4, 5, 9, 15, 16, 0x7f, 0x80, 0xfe, 0xff, current + 1, current - 1]) & 0xff : rng.int(256);
    if (x !== current) return x;
  }
}

/** Signed and not re-signed: a verifier refuses the stale signature before semantics can look. */
function afterSignature(c: MutationContext, resigned: boolean, checks: readonly PackageCheck[]): readonly PackageCheck[] {
  return c.target.signed && !resigned ? ['signature'] : checks;
}

function sealed(c: MutationContext, bytes: Uint8Array, checks: readonly PackageCheck[], note: string, extra: Partial<Mutant> = {}): Mutant {
  const resign = c.target.signed && c.rng.chance(0.5);
  reseal(bytes, { crcs: true, signer: resign ? c.fixtures.trusted.signer : undefined });
  return { bytes, expect: afterSignature(c, resign, checks), note: `${note}; CRCs and digest recomputed${c.target.signed ? (resign ? ', re-signed' : ', signature left stale') : ''}`, ...extra };
}

const bitFlip: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const at = rng.int(bytes.length);
  const bit = rng.int(8);
  bytes[at]! ^= 1 << bit;
  return { bytes, expect: CONTAINER, note: `bit ${bit} of byte ${at} (${regionOf(target, at)}) flipped` };
};

const multiBitFlip: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const flips = rng.between(2, 24);
  const burst = rng.chance(0.5);
  const origin = rng.int(bytes.length);
  for (let i = 0; i < flips; i++) {
    const at = burst ? Math.min(bytes.length - 1, origin + rng.int(8)) : rng.int(bytes.length);
    bytes[at]! ^= 1 << rng.int(8);
  }
  if (bytesEqual(bytes, target.bytes)) bytes[origin]! ^= 0x10; // the flips cancelled out
  return { bytes, expect: CONTAINER, note: `${flips} bits flipped ${burst ? `in a burst at byte ${origin} (${regionOf(target, origin)})` : 'across the file'}` };
};

const byteOverwrite: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const n = rng.between(1, 16);
  const run = rng.chance(0.5);
  const origin = rng.int(bytes.length);
  for (let i = 0; i < n; i++) {
    const at = run ? Math.min(bytes.length - 1, origin + i) : rng.int(bytes.length);
    bytes[at] = rng.chance(0.5) ? rng.pick([0x00, 0xff, 0x7f, 0x80, 0x01]) : rng.int(256);
  }
  if (bytesEqual(bytes, target.bytes)) bytes[origin] = (bytes[origin]! + 1) & 0xff;
  return { bytes, expect: CONTAINER, note: `${n} byte(s) overwritten ${run ? `from byte ${origin} (${regionOf(target, origin)})` : 'across the file'}` };
};

const truncate: Mutation = ({ rng, target }) => {
  const region = rng.pick(target.regions);
  const cut = rng.between(region.start, region.end - 1);
  const bytes = target.bytes.slice(0, cut);
  // Fixing up totalSize moves the problem from the size check to the layout.
  if (cut >= HEADER_BYTES && rng.chance(0.3)) {
    setU32(bytes, 8, cut);
    return { bytes, expect: cut < HEADER_BYTES + DIRECTORY_ENTRY_BYTES + DIGEST_BYTES ? ['size'] : ['sections'], note: `cut to ${cut} bytes (inside ${region.name}), totalSize set to match` };
  }
  return { bytes, expect: ['size'], note: `cut to ${cut} bytes (inside ${region.name})` };
};

const extend: Mutation = ({ rng, target }) => {
  const more = rng.chance(0.2) ? rng.pick([1, 2, 3, 4, 32, SIGNATURE_BLOCK_BYTES]) : rng.between(1, 256);
  const bytes = new Uint8Array(target.bytes.length + more);
  bytes.set(target.bytes);
  bytes.set(rng.bytes(more), target.bytes.length);
  if (rng.chance(0.4)) {
    setU32(bytes, 8, bytes.length);
    return { bytes, expect: ['sections'], note: `${more} random bytes appended, totalSize set to match` };
  }
  return { bytes, expect: ['size'], note: `${more} random bytes appended` };
};

const headerEdit: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  // A delta's weight-dtype byte means nothing and any of 0..2 applies, so 'other dtype' with the
  // digest recomputed would be a valid delta: that edit is for full packages only.
  const fields = ['magic', 'version', 'unknown flag', 'known flag', 'totalSize', 'section count', 'header size', 'reserved', 'bad dtype', ...(target.kind === 'full' ? ['other dtype'] : [])];
  const field = rng.pick(fields);
  let expect: readonly PackageCheck[];
  let semantic = false;
  switch (field) {
    case 'magic': {
      const at = rng.int(4);
      setU8(bytes, at, interestingU8(rng, bytes[at]!));
      expect = ['header'];
      break;
    }
    case 'version':
      setU16(bytes, 4, rng.chance(0.5) ? rng.pick([0, 2, 0x100, 0xffff]) : rng.between(2, 0xffff));
      expect = ['header'];
      break;
    case 'unknown flag':
      setU16(bytes, 6, u16At(bytes, 6) | (rng.between(1, 0x3fff) << 2));
      expect = ['header'];
      break;
    case 'known flag':
      setU16(bytes, 6, u16At(bytes, 6) ^ rng.between(1, 3));
      expect = ['sections'];
      break;
    case 'totalSize':
      setU32(bytes, 8, interestingU32(rng, bytes.length));
      expect = ['size'];
      break;
    case 'section count': {
      const count = u16At(bytes, 12);
      const next = rng.chance(0.5) ? rng.pick([0, 9, 16, 0x100, 0xffff]) : rng.pick([1, 2, 3, 4, 5, 6, 7, 8].filter((n) => n !== count));
      setU16(bytes, 12, next);
      expect = next === 0 || next > 8 ? ['header'] : ['sections'];
      break;
    }
    case 'header size':
      setU16(bytes, 14, rng.pick([0, 16, 31, 33, 64, 0xffff]));
      expect = ['header'];
      break;
    case 'reserved':
      setU8(bytes, rng.between(17, 31), rng.between(1, 255));
      expect = ['header'];
      break;
    case 'bad dtype':
      setU8(bytes, 16, rng.between(3, 255));
      expect = ['header'];
      break;
    default: {
      // Another valid dtype: only the digest, or with it recomputed the tensor table, disagrees.
      const now = bytes[16]!;
      setU8(bytes, 16, rng.pick([0, 1, 2].filter((d) => d !== now)));
      expect = ['digest'];
      semantic = true;
    }
  }
  const note = `header ${field} edited`;
  if (semantic && rng.chance(0.7)) return sealed(c, bytes, ['semantics'], note);
  if (!semantic && rng.chance(0.5)) {
    // A recomputed digest does not rescue a bad header or layout: those checks come first.
    reseal(bytes, { crcs: false, signer: target.signed ? c.fixtures.trusted.signer : undefined });
    return { bytes, expect, note: `${note}; digest recomputed` };
  }
  return { bytes, expect, note };
};

const swapSections: Mutation = (c) => {
  const { rng, target } = c;
  const payloads = target.sections.map((s) => [s.type, target.bytes.subarray(s.offset, s.offset + s.length)] as const);
  const i = rng.int(payloads.length);
  let j = rng.int(payloads.length - 1);
  if (j >= i) j++;
  const swapped = payloads.map(([type, payload], k) => [type, k === i ? payloads[j]![1] : k === j ? payloads[i]![1] : payload] as const);
  const resign = target.signed && rng.chance(0.5);
  const stale = target.signed && !resign ? target.bytes.subarray(target.digestOffset + DIGEST_BYTES) : undefined;
  const bytes = assemble(target.bytes, swapped, stale, c.fixtures.trusted.signer);
  const checks: readonly PackageCheck[] = target.kind === 'full' ? ['semantics'] : ['semantics', 'delta'];
  return {
    bytes,
    expect: afterSignature(c, resign, checks),
    note: `payloads of ${target.sections[i]!.name} and ${target.sections[j]!.name} swapped, directory, CRCs and digest rebuilt${target.signed ? (resign ? ', re-signed' : ', signature left stale') : ''}`,
  };
};

const directoryHuge: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const s = rng.pick(target.sections);
  const field = rng.pick(['offset', 'length'] as const);
  const at = s.entry + (field === 'offset' ? 4 : 8);
  const current = u32At(bytes, at);
  // Lengths move by 4 or more, so the change always shows in the layout. (A length grown by 1 to 3
  // bytes into its own zero padding keeps the layout; the decoder refuses that through its canonical
  // STRS/GRPH comparison, tested in core/package/decode-checks.test.ts.)
  let next = interestingU32(rng, current, [bytes.length, bytes.length * 2, current + 4 * rng.between(1, 64), current - 4 * rng.between(1, 64)]);
  if (field === 'length' && Math.abs(next - current) < 4) next = current + 4;
  setU32(bytes, at, next);
  const resign = target.signed && rng.chance(0.5);
  reseal(bytes, { crcs: true, signer: resign ? c.fixtures.trusted.signer : undefined });
  return { bytes, expect: ['sections'], note: `directory ${s.name} ${field} ${current} → ${next}; CRCs and digest recomputed` };
};

const countHuge: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  if (target.kind === 'delta') {
    const d = target.delta!;
    const count = u32At(bytes, d.dlta + 68);
    setU32(bytes, d.dlta + 68, interestingU32(rng, count, [65535, 65536]));
    return sealed(c, bytes, ['semantics'], `DLTA tensor count ${count} → ${u32At(bytes, d.dlta + 68)}`);
  }
  const g = target.graph!;
  const tens = sectionOf(target.sections, SECTION.TENS);
  const choice = rng.pick(['tensor count', 'node count', 'output count', 'input count', 'attr count', 'tensor rank', 'tensor dim', 'string ref'] as const);
  let note: string;
  switch (choice) {
    case 'tensor count': {
      const now = u32At(bytes, tens.offset);
      setU32(bytes, tens.offset, interestingU32(rng, now, [65535, 65536]));
      note = `TENS count ${now} → ${u32At(bytes, tens.offset)}`;
      break;
    }
    case 'node count':
    case 'output count': {
      const at = choice === 'node count' ? g.nodeCount : g.outputCount;
      const now = u32At(bytes, at);
      setU32(bytes, at, interestingU32(rng, now, [65535, 65536, 64, 65]));
      note = `GRPH ${choice} ${now} → ${u32At(bytes, at)}`;
      break;
    }
    case 'input count':
    case 'attr count': {
      const node = rng.pick(g.nodes);
      const at = choice === 'input count' ? node.inputCount : node.attrCount;
      const now = bytes[at]!;
      setU8(bytes, at, interestingU8(rng, now));
      note = `GRPH node ${node.name} ${choice} ${now} → ${bytes[at]}`;
      break;
    }
    case 'tensor rank': {
      const t = rng.pick(target.tensors);
      const now = bytes[t.entry + 13]!;
      setU8(bytes, t.entry + 13, interestingU8(rng, now));
      note = `TENS ${t.id} rank ${now} → ${bytes[t.entry + 13]}`;
      break;
    }
    case 'tensor dim': {
      const t = rng.pick(target.tensors);
      const at = t.entry + 16 + 4 * rng.int(4);
      const now = u32At(bytes, at);
      setU32(bytes, at, interestingU32(rng, now));
      note = `TENS ${t.id} dim ${(at - t.entry - 16) / 4} ${now} → ${u32At(bytes, at)}`;
      break;
    }
    default: {
      // A name reference (offset or length) of a tensor, or of the model.
      const inTens = rng.chance(0.6);
      const at = inTens ? rng.pick(target.tensors).entry + 4 * rng.int(2) : sectionOf(target.sections, SECTION.GRPH).offset + 4 * rng.int(2);
      const now = u32At(bytes, at);
      setU32(bytes, at, interestingU32(rng, now, [sectionOf(target.sections, SECTION.STRS).length]));
      note = `${inTens ? 'TENS' : 'GRPH model'} name reference word ${now} → ${u32At(bytes, at)}`;
    }
  }
  return sealed(c, bytes, ['semantics'], note);
};

const tensorRef: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const t = rng.pick(target.tensors);
  const field = rng.pick(['offset', 'length'] as const);
  const at = t.entry + (field === 'offset' ? 44 : 48);
  const now = u32At(bytes, at);
  const data = sectionOf(target.sections, SECTION.DATA);
  const others = target.tensors.flatMap((x) => [x.dataOffset, x.dataLength, x.dataOffset + x.dataLength]);
  setU32(bytes, at, interestingU32(rng, now, [data.length, data.length + 4, data.length - 4, now + 2, ...others]));
  return sealed(c, bytes, ['semantics'], `TENS ${t.id} data ${field} ${now} → ${u32At(bytes, at)}`);
};

const graphField: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const g = target.graph!;
  const withAttrs = g.nodes.filter((n) => n.attrs.length > 0);
  let at: number;
  let what: string;
  const grph = sectionOf(target.sections, SECTION.GRPH);
  if (rng.chance(0.1)) {
    // Rename the model to a node's name: a valid string of STRS, but not what SPEC calls it.
    const { record } = rng.pick(g.nodes);
    setU32(bytes, grph.offset, u32At(bytes, record + 4));
    setU32(bytes, grph.offset + 4, u32At(bytes, record + 8));
    return sealed(c, bytes, ['semantics'], 'GRPH model name set to a node name (SPEC names the model otherwise)');
  }
  if (rng.chance(0.2)) {
    at = rng.pick(g.outputs);
    what = 'output index';
  } else {
    const node = rng.pick(withAttrs);
    const k = rng.int(node.attrs.length);
    at = node.attrs[k]!;
    what = `node ${node.name} attribute word ${k}`;
  }
  const now = u32At(bytes, at);
  setU32(bytes, at, interestingU32(rng, now, [2, 5, 7, 8, 16]));
  return sealed(c, bytes, ['semantics'], `GRPH ${what} ${now} → ${u32At(bytes, at)} (the SPEC section still says otherwise)`);
};

const dataRewrite: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice();
  const data = sectionOf(target.sections, SECTION.DATA);
  const stored = target.tensors.filter((t) => t.dataLength > 0);
  const t = rng.pick(stored);
  const start = data.offset + t.dataOffset;
  const padding = align4(t.dataLength) - t.dataLength;
  const intoPadding = padding > 0 && rng.chance(0.3);
  const at = intoPadding ? start + t.dataLength + rng.int(padding) : start + rng.int(t.dataLength);
  if (rng.chance(0.5)) bytes[at]! ^= 1 << rng.int(8);
  else bytes[at] = (bytes[at]! + rng.between(1, 255)) & 0xff;
  return sealed(c, bytes, ['semantics'], `DATA byte ${at - start} of ${t.id}${intoPadding ? ' (padding)' : ''} changed`, { valuesChanged: true });
};

const stripSignature: Mutation = (c) => {
  const { rng, target } = c;
  const bytes = target.bytes.slice(0, target.bytes.length - SIGNATURE_BLOCK_BYTES);
  setU16(bytes, 6, u16At(bytes, 6) & ~FLAG_SIGNED);
  setU32(bytes, 8, bytes.length);
  if (rng.chance(0.8)) {
    reseal(bytes, { crcs: false, signer: undefined });
    return { bytes, expect: ['signature'], note: 'signature removed, SIGNED cleared, size and digest fixed: a valid unsigned package where a signature is required' };
  }
  return { bytes, expect: ['digest'], note: 'signature removed, SIGNED cleared and size fixed, digest left' };
};

const signatureFlip: Mutation = ({ rng, target }) => {
  const bytes = target.bytes.slice();
  const from = target.digestOffset + DIGEST_BYTES;
  const flips = rng.between(1, 8);
  for (let i = 0; i < flips; i++) bytes[from + rng.int(SIGNATURE_BLOCK_BYTES)]! ^= 1 << rng.int(8);
  if (bytesEqual(bytes, target.bytes)) bytes[from + KEY_ID_BYTES]! ^= 1;
  return { bytes, expect: ['signature'], note: `${flips} bit(s) of the key id or signature flipped` };
};

const foreignSignature: Mutation = ({ rng, target, fixtures }) => {
  const bytes = target.bytes.slice();
  const from = target.digestOffset + DIGEST_BYTES;
  const message = signatureMessage(bytes.subarray(target.digestOffset, from));
  const how = rng.pick(['stranger', 'stranger under the trusted id', 'trusted key, other message'] as const);
  if (how === 'stranger') {
    bytes.set(fixtures.stranger.signer.keyId, from);
    bytes.set(fixtures.stranger.signer.sign(message), from + KEY_ID_BYTES);
  } else if (how === 'stranger under the trusted id') {
    bytes.set(fixtures.stranger.signer.sign(message), from + KEY_ID_BYTES);
  } else {
    const other = message.slice();
    other[other.length - 1 - rng.int(DIGEST_BYTES)]! ^= 1 << rng.int(8);
    bytes.set(fixtures.trusted.signer.sign(other), from + KEY_ID_BYTES);
  }
  return { bytes, expect: ['signature'], note: `signed by the ${how}` };
};

const deltaField: Mutation = (c) => {
  const { rng, target } = c;
  const d = target.delta!;
  const bytes = target.bytes.slice();
  const choice = rng.pick(['base digest', 'target digest', 'target size', 'ref', 'prefix', 'suffix', 'carried bytes'] as const);
  let checks: readonly PackageCheck[] = ['delta'];
  let note: string;
  switch (choice) {
    case 'base digest':
    case 'target digest': {
      const at = d.dlta + (choice === 'base digest' ? 0 : 32) + rng.int(DIGEST_BYTES);
      bytes[at]! ^= 1 << rng.int(8);
      note = `DLTA ${choice} changed`;
      break;
    }
    case 'target size': {
      const now = u32At(bytes, d.dlta + 64);
      setU32(bytes, d.dlta + 64, interestingU32(rng, now, [FUZZ_MAX_BYTES, FUZZ_MAX_BYTES + 1, now + 1, now + 2, now - 2]));
      note = `DLTA target size ${now} → ${u32At(bytes, d.dlta + 64)}`;
      break;
    }
    case 'ref': {
      // Only tensors with stored bytes, and never another base tensor with the same bytes: either
      // would rebuild the very same target (the apply ignores refs of tensors without bytes).
      const slots = d.refs.filter((r) => r.length > 0);
      const slot = rng.pick(slots);
      const same = (i: number) => {
        const mine = slot.ref === NO_BASE_TENSOR ? undefined : d.baseBytes[slot.ref];
        const theirs = d.baseBytes[i];
        return mine !== undefined && theirs !== undefined && bytesEqual(mine, theirs);
      };
      let next: number;
      do next = interestingU32(rng, slot.ref, [NO_BASE_TENSOR, d.baseBytes.length, rng.int(d.baseBytes.length), rng.int(d.baseBytes.length)]);
      while (same(next));
      setU32(bytes, slot.at, next);
      note = `DLTA ref ${(slot.at - d.dlta - 72) / 4} ${slot.ref} → ${next}`;
      break;
    }
    case 'prefix':
    case 'suffix': {
      const s = choice === 'prefix' ? d.tpre : d.tsuf;
      const k = rng.int(s.length);
      bytes[s.offset + k] = (bytes[s.offset + k]! + rng.between(1, 255)) & 0xff;
      if (choice === 'suffix') {
        // The suffix is the target's padding (checked by the target digest), then its own digest and
        // signature, which only the target's own checks look at.
        const fromEnd = s.length - k;
        checks = fromEnd > d.targetDigestFromEnd ? ['delta'] : fromEnd > d.targetDigestFromEnd - DIGEST_BYTES ? ['digest'] : ['signature'];
      }
      note = `${s.name} byte ${k} changed`;
      break;
    }
    default: {
      // Values only: non-zero padding between carried tensors is refused by the apply too, but that
      // case is a single check; values are where a forged delta could hide.
      const r = rng.pick(d.literal);
      const at = rng.between(r.start, r.end - 1);
      bytes[at]! ^= 1 << rng.int(8);
      note = `carried bytes of ${r.name} changed`;
    }
  }
  return sealed(c, bytes, checks, note);
};

export const KINDS: readonly MutationKind[] = [
  { name: 'bit flip', weight: 14, applies: () => true, make: bitFlip },
  { name: 'multi-bit flip', weight: 8, applies: () => true, make: multiBitFlip },
  { name: 'byte overwrite', weight: 8, applies: () => true, make: byteOverwrite },
  { name: 'truncate', weight: 8, applies: () => true, make: truncate },
  { name: 'extend', weight: 5, applies: () => true, make: extend },
  { name: 'header edit', weight: 9, applies: () => true, make: headerEdit },
  { name: 'swap sections', weight: 6, applies: () => true, make: swapSections },
  { name: 'directory huge', weight: 6, applies: () => true, make: directoryHuge },
  { name: 'count huge', weight: 8, applies: () => true, make: countHuge },
  { name: 'tensor offset/length', weight: 6, applies: (t) => t.kind === 'full', make: tensorRef },
  { name: 'graph field', weight: 5, applies: (t) => t.kind === 'full' && t.hasSpec, make: graphField },
  { name: 'data rewrite', weight: 6, applies: (t) => t.kind === 'full', make: dataRewrite },
  { name: 'strip signature', weight: 3, applies: (t) => t.signed, make: stripSignature },
  { name: 'signature flip', weight: 4, applies: (t) => t.signed, make: signatureFlip },
  { name: 'foreign signature', weight: 3, applies: (t) => t.signed, make: foreignSignature },
  { name: 'delta field', weight: 10, applies: (t) => t.kind === 'delta', make: deltaField },
];

export const MUTATION_KINDS: readonly string[] = KINDS.map((k) => k.name);
