// The C runtime's host build (devices/firmware), compiled with AddressSanitizer and UBSan, against the
// TypeScript references: its unit tests (Philox known answers, SHA-256 vectors, …); every seeded tensor
// of every preset, and of models that use every distribution, init and fan, regenerated bit-identically
// (SHA-256 per tensor, computed here through core/seed); the golden packages accepted; and the package
// fuzzer's corpus — every mutant of test/package-fuzz.test.ts (same seed, same count) and its exhaustive
// sweeps — refused by the same check as core/package's decoder, or accepted where it accepts, with no
// sanitizer report. Needs gcc, make and libsodium-dev (scripts/system-packages.json installs them).
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePackage } from '../core/package/decode-package.js';
import { encodePackage } from '../core/package/encode-package.js';
import { initialValues } from '../core/package/initial-values.js';
import { DIRECTORY_ENTRY_BYTES, HEADER_BYTES, SECTION } from '../core/package/package-constants.js';
import { PackageError } from '../core/package/package-error.js';
import { packPreset } from '../core/package/package-test-support.fixture.js';
import type { ReadOptions } from '../core/package/read-container.js';
import { checkTensorDigests, readTensor } from '../core/package/read-tensor.js';
import { tensorDigest, toHex } from '../core/package/tensor-digest.js';
import { checkSpecValue } from '../core/spec/load-spec.js';
import type { SpecDocument } from '../core/spec/spec-document.js';
import { PRESETS } from '../core/zoo/presets.js';
import { batchFile, batchVerdicts, buildSanitized, firmware, makeFirmware, FIRMWARE, SANITIZER_EXIT, type BatchRecord } from './support/firmware-host.js';
import { denseVariety, denseVarietyShuffled, tinyVariety } from './support/firmware-variants.js';
import { FuzzRandom } from './support/fuzz/fuzz-random.js';
import { buildFuzzFixtures, FUZZ_MAX_BYTES } from './support/fuzz/fuzz-targets.js';
import { assemble, reseal } from './support/fuzz/reseal.js';
import { pickKind } from './support/fuzz/run-fuzz.js';

const GOLDEN = join(FIRMWARE, '..', '..', 'test', 'golden');
// The corpus of test/package-fuzz.test.ts: its seed, and its first 3,000 mutants (mutant i depends only
// on the seed and i) to keep this file near 30 s on two cores. FIRMWARE_FUZZ_COUNT=10000 replays all of
// them (about 40 s more); FIRMWARE_FUZZ_SEED=<n> draws another corpus.
const FUZZ_SEED = Number(process.env['FIRMWARE_FUZZ_SEED'] ?? 0x5eedf022) >>> 0;
const FUZZ_COUNT = Number(process.env['FIRMWARE_FUZZ_COUNT'] ?? 3_000);

let dir = '';

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-fw-'));
  await buildSanitized();
}, 180_000);

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

/** No sanitizer report: the program exited with one of its own codes. */
function expectClean(r: { code: number; stderr: string }, allowed: readonly number[]): void {
  expect(r.code, r.stderr).not.toBe(SANITIZER_EXIT);
  expect(allowed, `exit ${r.code}: ${r.stderr}`).toContain(r.code);
}

describe('firmware host build (ASan + UBSan)', () => {
  it('passes its C unit tests: Philox known answers, the worked example, SHA-256 and CRC-32C vectors', async () => {
    const r = await firmware('unit-tests');
    expectClean(r, [0]);
    for (const group of ['philox known answers', 'worked example', 'sha256 (FIPS 180-4 examples)', 'crc32c', 'regenerate ranges', 'json scanner']) {
      expect(r.stdout).toMatch(new RegExp(`^ok ${group.replace(/[()]/g, '\\$&')}`, 'm'));
    }
    expect(r.stdout).toMatch(/^\d+ checks, 0 failed$/m);
  });

  it('keeps the runtime library free of malloc, stdio and exit', async () => {
    const r = await makeFirmware('SAN=1', 'check-lib');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/the runtime library needs only: /);
  });

  it('verifies a signed package against a trusted key from a PEM file, and refuses other keys and unsigned packages', async () => {
    const trusted = generateKeyPairSync('ed25519');
    const stranger = generateKeyPairSync('ed25519');
    const raw = (k: KeyObject) => Buffer.from(k.export({ format: 'jwk' }).x!, 'base64url');
    const keyId = new Uint8Array(createHash('sha256').update(raw(trusted.publicKey)).digest()).subarray(0, 16);
    const signed = join(dir, 'signed.rfpk');
    await writeFile(signed, packPreset('tiny', 'int8', { keyId, sign: (m) => new Uint8Array(sign(null, m, trusted.privateKey)) }));
    await writeFile(join(dir, 'trusted.pub'), trusted.publicKey.export({ type: 'spki', format: 'pem' }));
    const unsigned = join(GOLDEN, 'tiny-fp32.rfpk');
    const ok = await firmware('reframe-fw-check', '--trust', join(dir, 'trusted.pub'), signed);
    expectClean(ok, [0]);
    expect(ok.stdout).toMatch(/signed\.rfpk: ok \(tiny: .*signature verified/);
    const other = await firmware('reframe-fw-check', '--trust', raw(stranger.publicKey).toString('hex'), signed, unsigned);
    expectClean(other, [1]);
    expect(other.stdout).toContain(`package rejected by the signature check: signed with key id ${toHex(keyId)}, which is not a trusted key`);
    expect(other.stdout).toContain('tiny-fp32.rfpk: package rejected by the signature check: the package is not signed, and a signature is required');
  });

  it('accepts the golden packages and rebuilds every tensor to its digest', async () => {
    const files = ['fp32', 'fp16', 'int8'].map((d) => join(GOLDEN, `tiny-${d}.rfpk`));
    const r = await firmware('reframe-fw-check', '--digests', ...files);
    expectClean(r, [0]);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
    expect(r.stdout).toMatch(/tiny-int8\.rfpk: ok \(tiny: 29 nodes, 26 tensors, unsigned, every tensor digest matches; arena \d+ bytes/);
  });
});

interface RegenReport {
  readonly file: string;
  readonly status: string;
  readonly tensors: readonly { id: string; mode: string; sha256: string; match: boolean }[];
}

interface Packed {
  readonly file: string;
  readonly bytes: Uint8Array;
}

async function pack(name: string, doc: SpecDocument, dtype: 'fp32' | 'fp16' | 'int8'): Promise<Packed> {
  const checked = checkSpecValue(doc);
  if (!checked.ok) throw new Error(`${name} does not check: ${checked.issues[0]?.message}`);
  const bytes = encodePackage(checked.graph, initialValues(checked.graph), { dtype });
  const file = join(dir, `${name}-${dtype}.rfpk`);
  await writeFile(file, bytes);
  return { file, bytes };
}

describe('firmware regeneration, bit-exact to core/seed', () => {
  it('rebuilds every seeded tensor of every preset, and every tensor of the variety models, to the SHA-256 the TypeScript code gives', { timeout: 120_000 }, async () => {
    // The presets' dtypes rotate, so their stored tensors are also read from fp32, fp16 and int8 data.
    const dtypes = ['fp16', 'fp32', 'int8'] as const;
    const presets = await Promise.all(PRESETS.map((p, i) => pack(p.id, p.build(), dtypes[i % 3]!)));
    const varieties = [...(await Promise.all(dtypes.map((d) => pack('tiny-variety', tinyVariety(), d)))), await pack('dense-variety', denseVariety(), 'int8'), await pack('dense-variety-shuffled', denseVarietyShuffled(), 'fp16')];

    let seeded = 0;
    const dists = new Set<string>();
    const compare = async (packed: readonly Packed[], all: boolean) => {
      const r = await firmware('reframe-fw-regen', '--json', ...(all ? ['--all'] : []), ...packed.map((p) => p.file));
      expectClean(r, [0, 1]);
      const reports = r.stdout.trim().split('\n').map((line) => JSON.parse(line) as RegenReport);
      expect(reports.map((x) => [x.file, x.status])).toEqual(packed.map((p) => [p.file, 'ok']));
      for (const [k, p] of packed.entries()) {
        const pkg = decodePackage(p.bytes);
        const chosen = pkg.tensors.filter((t) => all || t.seeded !== undefined);
        // The reference: core/seed's streams for seeded tensors, core/package's dequantisation for stored ones.
        const want = chosen.map((t) => ({ id: t.id, mode: t.mode, sha256: toHex(tensorDigest(readTensor(pkg, t))), match: true }));
        expect(reports[k]!.tensors.map((t) => ({ id: t.id, mode: t.mode, sha256: t.sha256, match: t.match })), p.file).toEqual(want);
        for (const t of chosen) {
          if (t.seeded === undefined) continue;
          seeded++;
          dists.add(`${t.seeded.dist}/${t.seeded.init}/${t.seeded.fan ?? '-'}`);
        }
      }
    };
    await compare(presets, false);
    await compare(varieties, true);
    // The shuffled spec really is stored in another order than its graph.
    const shuffled = decodePackage(varieties.at(-1)!.bytes);
    const listed = (JSON.parse(shuffled.specText!) as SpecDocument).nodes.map((n) => n.name);
    expect(listed[0]).toBe('prob');
    expect(shuffled.graph.nodes.map((n) => n.name)).not.toEqual(listed);
    expect(seeded).toBeGreaterThan(80);
    expect([...dists].sort()).toEqual(['normal/kaiming/fan_in', 'normal/kaiming/fan_out', 'normal/xavier/-', 'sign/kaiming/fan_in', 'sign/kaiming/fan_out', 'sign/xavier/-', 'uniform/kaiming/fan_in', 'uniform/kaiming/fan_out', 'uniform/xavier/-']);
  });
});

type Verdict = string;

/** What core/package's decoder says about a package: "ok", its check, or "tensor-digest" for values that decode but fail their digests. */
function tsVerdict(bytes: Uint8Array, options: ReadOptions): Verdict {
  try {
    const pkg = decodePackage(bytes, options);
    return checkTensorDigests(pkg).length > 0 ? 'tensor-digest' : 'ok';
  } catch (error) {
    if (error instanceof PackageError) return error.check;
    return `crash: ${(error as Error).stack ?? String(error)}`;
  }
}

/** The tiny package with its SPEC payload replaced, and its directory, CRCs and digest rebuilt. */
function withSpec(pkg: Uint8Array, spec: Uint8Array): Uint8Array {
  const v = new DataView(pkg.buffer, pkg.byteOffset, pkg.byteLength);
  const payloads = Array.from({ length: v.getUint16(12, true) }, (_, i) => {
    const at = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    const type = v.getUint32(at, true);
    const offset = v.getUint32(at + 4, true);
    return [type, type === SECTION.SPEC ? spec : pkg.subarray(offset, offset + v.getUint32(at + 8, true))] as const;
  });
  return assemble(pkg, payloads, undefined, undefined);
}

const CONV1 = '"outChannels": 8, "kernel": 3, "stride": 1, "padding": 1, "bias": false}';
const FC = '{"name": "fc", "op": "dense", "inputs": ["flatten"], "outFeatures": 10, "bias": true}';
const BN1 = '{"name": "bn1", "op": "batchnorm", "inputs": ["conv1"]}';
const MAXPOOL = '{"name": "layer1.0.nl1.maxpool", "op": "maxpool", "inputs": ["relu1"], "kernel": 3, "stride": 2, "padding": 1},';
const MIXPOOL = '{"name": "layer1.0.nl1.mixpool", "op": "mixedpool", "inputs": ["relu1"], "kernels": [3, 5, 7, 9, 11], "stride": 2},';
const FLATTEN = '{"name": "flatten", "op": "flatten", "inputs": ["avgpool"]},';

/**
 * Edits of the tiny package's SPEC text, each with the verdict both decoders must give: the spec's other
 * valid spellings of the same model are accepted, and any difference from GRPH and TENS is refused.
 */
const SPEC_EDITS: readonly (readonly [string, (spec: string) => string | Uint8Array, 'ok' | 'semantics'])[] = [
  ['keys of a node in another order', (t) => t.replace(FC, '{"bias": true, "outFeatures": 10, "inputs": ["flatten"], "op": "dense", "name": "fc"}'), 'ok'],
  ['batch norm defaults written out', (t) => t.replace(BN1, BN1.replace('}', ', "eps": 0.00001, "momentum": 1e-1}')), 'ok'],
  ['numbers and pairs spelled otherwise', (t) => t.replace(CONV1, '"outChannels": 8.0, "kernel": [3, 3], "stride": [1, 1], "padding": 10e-1, "groups": 1, "bias": false}'), 'ok'],
  ['escapes in names', (t) => t.replace('"name": "fc"', '"name": "\\u0066c"').replace('"inputs": ["flatten"]', '"inputs": ["fl\\u0061tten"]').replace('"name": "tiny"', '"name": "t\\u0069ny"'), 'ok'],
  ['a seed in short upper-case hex', (t) => t.replace('"0x0000000000005eed"', '"0x5EED"'), 'ok'],
  ['an explicit learnable mode', (t) => t.replace(CONV1, CONV1.replace('}', ', "params": {"weight": {"mode": "learnable"}}}')), 'ok'],
  ['no description', (t) => t.replace(/\n {2}"description": .*\n/, '\n'), 'ok'],
  ['a byte order mark and other whitespace', (t) => `\ufeff${t.replaceAll('", "', '" ,\t"').replaceAll('\n', '\r\n')}`, 'ok'],
  ['version 1.0', (t) => t.replace('"version": 1', '"version": 1.0'), 'ok'],
  ['a lone surrogate in the description', (t) => t.replace('"Tiny test network', '"\\ud800 Tiny test network'), 'ok'],
  ['a node listed after one it feeds, in the same execution order', (t) => t.replace(FLATTEN, '').replace(FC, `${FC},\n    ${FLATTEN.slice(0, -1)}`), 'ok'],
  ['two independent nodes in the other execution order', (t) => t.replace(`${MAXPOOL}\n    ${MIXPOOL}`, `${MIXPOOL}\n    ${MAXPOOL}`), 'semantics'],
  ['an unknown field', (t) => t.replace(FC, FC.replace('}', ', "color": "red"}')), 'semantics'],
  ['a repeated key', (t) => t.replace('"name": "fc",', '"name": "fc", "name": "fc",'), 'semantics'],
  ['a gain one ulp off', (t) => t.replace('1.4142135623730951', '1.4142135623730950'), 'semantics'],
  ['a fan that is not the table\'s', (t) => t.replace('"fan": "fan_out", ', ''), 'semantics'],
  ['another seed', (t) => t.replace('0x0000000000005eed', '0x0000000000005eef'), 'semantics'],
  ['another output', (t) => t.replace('"outputs": ["fc"]', '"outputs": ["flatten"]'), 'semantics'],
  ['another model name', (t) => t.replace('"name": "tiny"', '"name": "tinier"'), 'semantics'],
  ['another format', (t) => t.replace('"reframe-spec"', '"reframe-spec2"'), 'semantics'],
  ['a trailing comma', (t) => t.replace('"outputs": ["fc"]', '"outputs": ["fc",]'), 'semantics'],
  ['a raw tab inside a string', (t) => t.replace('Tiny test network', 'Tiny\ttest network'), 'semantics'],
  ['params on an op without tensors', (t) => t.replace('"inputs": ["bn1"]}', '"inputs": ["bn1"], "params": {}}'), 'semantics'],
  ['a bias the conv does not have', (t) => t.replace(CONV1, CONV1.replace('"bias": false', '"bias": true')), 'semantics'],
  ['a kernel pair that differs', (t) => t.replace(CONV1, CONV1.replace('"kernel": 3', '"kernel": [3, 1]')), 'semantics'],
  ['nested deeper than 64', (t) => t.replace('"outputs": ["fc"]', `"outputs": ["fc"], "x": ${'['.repeat(70)}${']'.repeat(70)}`), 'semantics'],
  ['not UTF-8', (t) => { const b = new TextEncoder().encode(t.replace('Tiny test', 'Tiny ?test')); b[b.indexOf(0x3f)] = 0xff; return b; }, 'semantics'],
];

/** A section's payload offset in a package. */
function sectionAt(pkg: Uint8Array, type: number): number {
  const v = new DataView(pkg.buffer, pkg.byteOffset, pkg.byteLength);
  for (let i = 0; i < v.getUint16(12, true); i++) {
    const at = HEADER_BYTES + i * DIRECTORY_ENTRY_BYTES;
    if (v.getUint32(at, true) === type) return v.getUint32(at + 4, true);
  }
  throw new Error(`no section ${type.toString(16)}`);
}

/** A package with one tensor's TENS entry (or its DATA) edited in place, CRCs and digest recomputed. */
function withEntry(pkg: Uint8Array, id: string, edit: (v: DataView, entry: number, data: number) => void): Uint8Array {
  const out = pkg.slice();
  const t = decodePackage(pkg).tensors.findIndex((x) => x.id === id);
  if (t < 0) throw new Error(`no tensor ${id}`);
  const v = new DataView(out.buffer);
  const entry = sectionAt(pkg, SECTION.TENS) + 4 + t * 96;
  edit(v, entry, sectionAt(pkg, SECTION.DATA) + v.getUint32(entry + 44, true));
  return reseal(out, { crcs: true, signer: undefined });
}

type Fixture = 'tiny' | 'tiny-int8' | 'variety';

/** Edits of tensor entries, which the TypeScript decoder reads as numbers rather than bytes, with the verdict both decoders must give. */
const TABLE_EDITS: readonly (readonly [string, Fixture, string, (v: DataView, entry: number, data: number) => void, string])[] = [
  ['a learnable tensor with multiplier −0', 'tiny', 'fc.weight', (v, e) => v.setUint32(e + 40, 0x80000000, true), 'ok'],
  ['a learnable tensor with gain −0', 'tiny', 'fc.bias', (v, e) => v.setFloat64(e + 56, -0, true), 'ok'],
  ['a learnable tensor with the smallest multiplier', 'tiny', 'fc.weight', (v, e) => v.setUint32(e + 40, 1, true), 'semantics'],
  ['kaiming fan_in stored as the default fan', 'variety', 'layer1.0.nl2.conv.weight', (v, e) => v.setUint8(e + 15, 1), 'ok'],
  ['kaiming fan_out stored as the default fan, same multiplier (a 1-D tensor), SPEC says fan_out', 'variety', 'bn1.weight', (v, e) => v.setUint8(e + 15, 1), 'semantics'],
  ['kaiming fan_out stored as the default fan, other multiplier', 'tiny', 'layer1.0.nl1.conv.weight', (v, e) => v.setUint8(e + 15, 1), 'semantics'],
  ['xavier with a fan', 'variety', 'fc.weight', (v, e) => v.setUint8(e + 15, 2 | (1 << 2)), 'semantics'],
  ['a seeded multiplier one ulp off', 'variety', 'fc.weight', (v, e) => v.setUint32(e + 40, v.getUint32(e + 40, true) + 1, true), 'semantics'],
  ['another seed (SPEC says otherwise)', 'variety', 'bn1.weight', (v, e) => v.setUint32(e + 36, 1, true), 'semantics'],
  ['an int8 scale of −0', 'tiny-int8', 'conv1.weight', (v, _e, d) => v.setUint32(d, 0x80000000, true), 'tensor-digest'],
  ['an int8 scale of NaN', 'tiny-int8', 'conv1.weight', (v, _e, d) => v.setUint32(d, 0x7fc00000, true), 'semantics'],
  ['an fp32 value changed', 'tiny', 'bn1.bias', (v, _e, d) => v.setFloat32(d + 4, 0.5, true), 'tensor-digest'],
];

describe('firmware package decoder against the TypeScript decoder', () => {
  it('gives the same verdict on edits of a package\'s SPEC: other spellings of the same model, and every kind of difference', async () => {
    const pkg = packPreset('tiny', 'fp32');
    const text = decodePackage(pkg).specText!;
    const cases = SPEC_EDITS.map(([what, edit, want]) => {
      const edited = edit(text);
      const spec = typeof edited === 'string' ? new TextEncoder().encode(edited) : edited;
      expect(spec, what).not.toEqual(new TextEncoder().encode(text));
      return { what, want, bytes: withSpec(pkg, spec) };
    });
    // Pin the TypeScript decoder's verdicts too, so a change on either side shows here.
    expect(cases.map((c) => [c.what, tsVerdict(c.bytes, {})])).toEqual(cases.map((c) => [c.what, c.want]));
    const file = join(dir, 'spec-edits.bin');
    await writeFile(file, batchFile([pkg], cases.map((c) => ({ base: 0, bytes: c.bytes }))));
    const r = await firmware('reframe-fw-check', '--batch', file);
    expectClean(r, [0, 1]);
    const got = batchVerdicts(r.stdout);
    expect(cases.map((c, i) => [c.what, got.get(i)])).toEqual(cases.map((c) => [c.what, c.want]));
  });

  it('gives the same verdict on edits of tensor entries that only numbers tell apart', async () => {
    const checked = checkSpecValue(tinyVariety());
    if (!checked.ok) throw new Error('tiny-variety must check');
    const fixtures: Record<Fixture, Uint8Array> = {
      tiny: packPreset('tiny', 'fp32'),
      'tiny-int8': packPreset('tiny', 'int8'),
      variety: encodePackage(checked.graph, initialValues(checked.graph), { dtype: 'fp32' }),
    };
    const names = Object.keys(fixtures) as Fixture[];
    const cases = TABLE_EDITS.map(([what, base, id, edit, want]) => ({ what, want, base: names.indexOf(base), bytes: withEntry(fixtures[base], id, edit) }));
    expect(cases.map((c) => [c.what, tsVerdict(c.bytes, {})])).toEqual(cases.map((c) => [c.what, c.want]));
    const file = join(dir, 'table-edits.bin');
    await writeFile(file, batchFile(names.map((n) => fixtures[n]), cases));
    const r = await firmware('reframe-fw-check', '--digests', '--batch', file);
    expectClean(r, [0, 1]);
    const got = batchVerdicts(r.stdout);
    expect(cases.map((c, i) => [c.what, got.get(i)])).toEqual(cases.map((c) => [c.what, c.want]));
  });

  it(`gives the same verdict on the fuzz corpus (${FUZZ_COUNT} mutants, seed 0x${FUZZ_SEED.toString(16)}, plus every truncation and header/directory bit flip)`, { timeout: 180_000 + FUZZ_COUNT * 30 }, async () => {
    const fixtures = buildFuzzFixtures();
    const targets = fixtures.targets;
    // Packages checked against the trusted key go in a second batch, run with --trust.
    const batches = { plain: { records: [] as BatchRecord[], want: [] as Verdict[], notes: [] as string[] }, verified: { records: [] as BatchRecord[], want: [] as Verdict[], notes: [] as string[] } };
    const add = (targetIndex: number, bytes: Uint8Array, note: string) => {
      const target = targets[targetIndex]!;
      const batch = target.options.verifier === undefined ? batches.plain : batches.verified;
      batch.records.push({ base: targetIndex, bytes });
      batch.want.push(tsVerdict(bytes, target.options));
      batch.notes.push(`[${target.name}] ${note}`);
    };
    targets.forEach((t, i) => {
      add(i, t.bytes, 'unmutated');
      for (let cut = 0; cut < t.bytes.length; cut++) add(i, t.bytes.subarray(0, cut), `cut to ${cut} bytes`);
      const directoryEnd = HEADER_BYTES + t.sections.length * DIRECTORY_ENTRY_BYTES;
      for (let bit = 0; bit < directoryEnd * 8; bit++) {
        const bytes = t.bytes.slice();
        bytes[bit >> 3]! ^= 1 << (bit & 7);
        add(i, bytes, `bit ${bit & 7} of byte ${bit >> 3} flipped`);
      }
    });
    // The mutants of test/package-fuzz.test.ts, drawn exactly as runPackageFuzz draws them.
    for (let index = 0; index < FUZZ_COUNT; index++) {
      const rng = new FuzzRandom(FUZZ_SEED, index);
      const target = rng.pick(targets);
      const kind = pickKind(rng, target);
      const mutant = kind.make({ rng, target, fixtures });
      add(targets.indexOf(target), mutant.bytes, `#${index} ${kind.name}: ${mutant.note}`);
    }

    const trusted = Buffer.from(fixtures.trusted.publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
    const tally = new Map<string, number>();
    const mismatches: string[] = [];
    for (const [name, batch] of Object.entries(batches)) {
      const file = join(dir, `corpus-${name}.bin`);
      await writeFile(file, batchFile(targets.map((t) => t.bytes), batch.records));
      const trust = name === 'verified' ? ['--trust', trusted] : [];
      const r = await firmware('reframe-fw-check', '--digests', '--max-bytes', String(FUZZ_MAX_BYTES), ...trust, '--batch', file);
      expectClean(r, [0, 1]);
      const got = batchVerdicts(r.stdout);
      expect(got.size, `${name}: reframe-fw-check answered ${got.size} of ${batch.records.length} packages`).toBe(batch.records.length);
      batch.want.forEach((want, i) => {
        const mine = got.get(i);
        tally.set(`${want} → ${mine}`, (tally.get(`${want} → ${mine}`) ?? 0) + 1);
        if (mine !== want && mismatches.length < 25) mismatches.push(`${batch.notes[i]}: TypeScript ${want}, C ${mine}`);
      });
    }
    console.log(`firmware decoder vs TypeScript decoder, ${batches.plain.records.length + batches.verified.records.length} packages:\n${[...tally].map(([k, n]) => `  ${k}: ${n}`).join('\n')}`);
    expect(mismatches).toEqual([]);
    // Every check of the decoder refused something, and the unmutated packages passed.
    const seen = new Set([...tally.keys()].map((k) => k.split(' → ')[0]));
    for (const check of ['size', 'header', 'sections', 'digest', 'signature', 'semantics', 'tensor-digest', 'ok']) expect(seen, check).toContain(check);
  });
});
