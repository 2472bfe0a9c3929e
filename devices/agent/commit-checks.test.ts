import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKeyFiles, loadSigner, loadVerifier } from '../../core/node/package-keys.js';
import { crc32c } from '../../core/package/crc32c.js';
import { makeDelta } from '../../core/package/delta-package.js';
import { MODES, SECTION, TENSOR_ENTRY_BYTES } from '../../core/package/package-constants.js';
import { packPreset, testKeys, retrainedPreset } from '../../core/package/package-test-support.fixture.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import { checkCommit, type CommitPolicy } from './commit-checks.js';
import { fileDigest } from '../protocol/file-digest.js';

const OPEN: CommitPolicy = { requireSignature: false, verifier: undefined, maxBytes: 1 << 24 };

/** The tiny preset with one learnable value changed: a second, valid package. */
const variant = (delta: number): Uint8Array => retrainedPreset('tiny', 'fp32', delta);

function sectionAt(bytes: Uint8Array, type: number): { offset: number; length: number; entry: number } {
  const view = new DataView(bytes.buffer, bytes.byteOffset);
  for (let i = 0; i < view.getUint16(12, true); i++) {
    const entry = 32 + 16 * i;
    if (view.getUint32(entry, true) === type) return { offset: view.getUint32(entry + 4, true), length: view.getUint32(entry + 8, true), entry };
  }
  throw new Error('no such section');
}

/**
 * A package whose first seeded tensor records a wrong digest, with its CRC and package digest
 * recomputed (unsigned): every container and semantic check passes; only rebuilding the tensor tells.
 */
function wrongSeededDigest(): Uint8Array {
  const b = packPreset('tiny', 'fp32').slice();
  const tens = sectionAt(b, SECTION.TENS);
  const count = new DataView(b.buffer).getUint32(tens.offset, true);
  const seeded = Array.from({ length: count }, (_, i) => tens.offset + 4 + i * TENSOR_ENTRY_BYTES).find((at) => b[at + 11] === MODES.indexOf('seeded'));
  b[seeded! + TENSOR_ENTRY_BYTES - 1]! ^= 0xff;
  new DataView(b.buffer).setUint32(tens.entry + 12, crc32c(b, tens.offset, tens.offset + tens.length), true);
  b.set(nobleSha256(b.subarray(0, b.length - 32)), b.length - 32);
  return b;
}

interface Case {
  bytes: Uint8Array;
  kind?: 'full' | 'delta';
  digest?: Uint8Array;
  offset?: number;
  active?: Uint8Array;
  policy?: CommitPolicy;
}

async function commit(c: Case) {
  const upload = { digest: c.digest ?? fileDigest(c.bytes), size: c.bytes.length, kind: c.kind ?? 'full', offset: c.offset ?? c.bytes.length };
  return checkCommit(
    {
      upload,
      readUpload: () => Promise.resolve(c.bytes),
      activeDigest: c.active === undefined ? undefined : fileDigest(c.active),
      readActive: () => (c.active === undefined ? Promise.reject(new Error('no active package')) : Promise.resolve(c.active)),
    },
    c.policy ?? OPEN,
  );
}

async function refusal(c: Case): Promise<{ code: string; message: string }> {
  try {
    await commit(c);
  } catch (error) {
    if (error instanceof ProtocolError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('accepted');
}

describe('checkCommit', () => {
  const good = packPreset('tiny', 'fp32');
  const newer = variant(0.5);
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('accepts a valid package and returns it with its digest and decoded model', async () => {
    const ok = await commit({ bytes: good });
    expect(toHex(ok.digest)).toBe(toHex(fileDigest(good)));
    expect(ok.pkg.graph.name).toBe('tiny');
  });

  it('incomplete: COMMIT before every byte arrived (checked first, before reading anything)', async () => {
    expect(await refusal({ bytes: good, offset: 100, digest: new Uint8Array(32).fill(1) })).toEqual({ code: 'incomplete', message: expect.stringContaining(`after 100 of ${good.length} bytes`) });
  });

  it('digest-mismatch: the bytes received do not hash to the announced digest', async () => {
    const bytes = good.slice();
    bytes[100]! ^= 1;
    expect((await refusal({ bytes, digest: fileDigest(good) })).code).toBe('digest-mismatch');
  });

  it("package-rejected: the decoder's sentence, unchanged", async () => {
    const bytes = good.slice();
    bytes[200]! ^= 1;
    expect(await refusal({ bytes })).toEqual({ code: 'package-rejected', message: expect.stringMatching(/^package rejected by the sections check: section \w+ fails its CRC-32C/) });
    expect(await refusal({ bytes: makeDelta(good, newer), kind: 'full' })).toEqual({ code: 'package-rejected', message: 'package rejected by the header check: this is a delta package; apply it to its base first' });
    expect(await refusal({ bytes: good, kind: 'delta', active: good })).toEqual({ code: 'package-rejected', message: 'package rejected by the header check: this is a full package, not a delta' });
  });

  it('delta: applied to the active package; delta-base when the base is another package or none', async () => {
    const delta = makeDelta(good, newer);
    const ok = await commit({ bytes: delta, kind: 'delta', active: good });
    expect(Buffer.compare(ok.bytes, newer)).toBe(0);
    expect(toHex(ok.digest)).toBe(toHex(fileDigest(newer)));
    expect(await refusal({ bytes: delta, kind: 'delta', active: variant(2) })).toEqual({ code: 'delta-base', message: expect.stringContaining('send the full package') });
    expect(await refusal({ bytes: delta, kind: 'delta' })).toEqual({ code: 'delta-base', message: expect.stringContaining('this board has no active package') });
  });

  it('too-large: a delta whose target is over the storage limit', async () => {
    const delta = makeDelta(good, newer);
    expect((await refusal({ bytes: delta, kind: 'delta', active: good, policy: { ...OPEN, maxBytes: newer.length - 1 } })).code).toBe('too-large');
  });

  it('signature: unsigned while required, signed by an untrusted key, or a signature that does not verify', async () => {
    const trusted = testKeys();
    const stranger = testKeys();
    const strict: CommitPolicy = { ...OPEN, requireSignature: true, verifier: trusted.verifier };
    expect(await refusal({ bytes: good, policy: strict })).toEqual({ code: 'signature', message: expect.stringContaining('not signed, and a signature is required') });
    expect(await refusal({ bytes: packPreset('tiny', 'fp32', stranger.signer), policy: strict })).toEqual({ code: 'signature', message: expect.stringContaining('not a trusted key') });
    const forged = packPreset('tiny', 'fp32', trusted.signer);
    forged[forged.length - 1]! ^= 1;
    expect(await refusal({ bytes: forged, policy: strict })).toEqual({ code: 'signature', message: expect.stringContaining('does not verify') });
    expect((await commit({ bytes: packPreset('tiny', 'fp32', trusted.signer), policy: strict })).pkg.signature).toEqual({ keyId: toHex(trusted.signer.keyId), verified: false });
    // Trusted keys without the requirement: unsigned packages pass, signed ones must still verify.
    const lenient: CommitPolicy = { ...OPEN, verifier: trusted.verifier };
    await commit({ bytes: good, policy: lenient });
    expect((await refusal({ bytes: packPreset('tiny', 'fp32', stranger.signer), policy: lenient })).code).toBe('signature');
  });

  it('signature: with key files, as `reframe agent --trust` loads them', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'keys-'));
    dirs.push(dir);
    const mine = await generateKeyFiles(path.join(dir, 'mine'));
    const theirs = await generateKeyFiles(path.join(dir, 'theirs'));
    const policy: CommitPolicy = { ...OPEN, requireSignature: true, verifier: await loadVerifier([mine.publicPath]) };
    await commit({ bytes: packPreset('tiny', 'fp32', await loadSigner(mine.privatePath)), policy });
    expect((await refusal({ bytes: packPreset('tiny', 'fp32', await loadSigner(theirs.privatePath)), policy })).code).toBe('signature');
  });

  it('the decoder runs before the signature policy', async () => {
    const bytes = good.slice();
    bytes[200]! ^= 1;
    expect((await refusal({ bytes, policy: { ...OPEN, requireSignature: true, verifier: testKeys().verifier } })).code).toBe('package-rejected');
  });

  it('regen-mismatch: a seeded tensor that does not rebuild to its recorded digest', async () => {
    const bytes = wrongSeededDigest();
    expect(await refusal({ bytes })).toEqual({ code: 'regen-mismatch', message: expect.stringMatching(/^1 tensor differ from their digests; \S+ regenerated from its seed hashes to/) });
  });
});
