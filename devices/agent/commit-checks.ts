import { decodePackage, type DecodedPackage } from '../../core/package/decode-package.js';
import { applyDelta, inspectDelta } from '../../core/package/delta-package.js';
import { PackageError } from '../../core/package/package-error.js';
import type { SignatureVerifier } from '../../core/package/package-signer.js';
import { readContainer } from '../../core/package/read-container.js';
import { checkTensorDigests } from '../../core/package/read-tensor.js';
import { bytesEqual, toHex } from '../../core/package/tensor-digest.js';
import { ProtocolError } from '../protocol/protocol-error.js';
import type { Upload } from './upload-store.js';
import { fileDigest } from '../protocol/file-digest.js';

export interface CommitPolicy {
  /** Refuse unsigned packages. */
  readonly requireSignature: boolean;
  /** The trusted keys; when given, a signed package must verify against one of them. */
  readonly verifier: SignatureVerifier | undefined;
  /** The largest package the board stores, in bytes (a delta's target too). */
  readonly maxBytes: number;
}

export interface CommitInput {
  readonly upload: Upload;
  /** The uploaded bytes; read only once every byte has arrived. */
  readUpload(): Promise<Uint8Array>;
  readonly activeDigest: Uint8Array | undefined;
  /** The active package's bytes; read only for a delta against it. */
  readActive(): Promise<Uint8Array>;
}

export interface CheckedPackage {
  readonly bytes: Uint8Array;
  readonly digest: Uint8Array;
  readonly pkg: DecodedPackage;
}

const short = (d: Uint8Array | string): string => `${(typeof d === 'string' ? d : toHex(d)).slice(0, 16)}…`;

/** The decoder's sentence travels unchanged: it names the check that failed (docs/protocol.md, code 7). */
function rejected<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof PackageError) throw new ProtocolError('package-rejected', error.message);
    throw error;
  }
}

/**
 * The COMMIT checks of docs/protocol.md, in its order: every byte present, SHA-256, a delta's base
 * and its application, the package decoder, the signature policy, and every tensor rebuilt against
 * its digest. Returns the package to install, or throws the first failure as a ProtocolError.
 */
export async function checkCommit(input: CommitInput, policy: CommitPolicy): Promise<CheckedPackage> {
  const u = input.upload;
  if (u.offset < u.size) throw new ProtocolError('incomplete', `COMMIT after ${u.offset} of ${u.size} bytes: every byte must be acknowledged before COMMIT; the upload was discarded, push again`);

  const uploaded = await input.readUpload();
  if (!bytesEqual(fileDigest(uploaded), u.digest)) {
    throw new ProtocolError('digest-mismatch', `the ${u.size} bytes received hash to ${short(fileDigest(uploaded))}, not the announced ${short(u.digest)}: the upload was discarded, push again`);
  }

  let target = uploaded;
  if (u.kind === 'delta') {
    const info = rejected(() => inspectDelta(uploaded, { maxBytes: policy.maxBytes, requireSignature: false }));
    // A delta names its base by the digest stored inside the package (what its signature covers),
    // not by the SHA-256 of the whole file that the protocol uses: compare like with like.
    const base = input.activeDigest === undefined ? undefined : await input.readActive();
    if (base === undefined || toHex(readContainer(base, { maxBytes: Infinity }).digest) !== info.baseDigest) {
      const has = input.activeDigest === undefined ? 'no active package' : `active package ${short(input.activeDigest)}`;
      throw new ProtocolError('delta-base', `the delta was made for the package whose stored digest is ${short(info.baseDigest)}, but this board has ${has}: send the full package`);
    }
    if (info.targetSize > policy.maxBytes) throw new ProtocolError('too-large', `the delta builds a ${info.targetSize}-byte package; this board stores at most ${policy.maxBytes}`);
    target = rejected(() => applyDelta(base, uploaded, { maxBytes: policy.maxBytes, requireSignature: false }));
  }

  // Every check of the format except the signature, which the board's own policy decides next.
  const pkg = rejected(() => decodePackage(target, { maxBytes: policy.maxBytes, requireSignature: false }));

  if (policy.requireSignature || policy.verifier !== undefined) {
    try {
      readContainer(target, { maxBytes: policy.maxBytes, requireSignature: policy.requireSignature, ...(policy.verifier === undefined ? {} : { verifier: policy.verifier }) });
    } catch (error) {
      if (error instanceof PackageError && error.check === 'signature') {
        throw new ProtocolError('signature', `${error.message}: sign the package with a key this board trusts (reframe pack --sign), or start the agent with --trust <that key's .pub file>`);
      }
      throw error;
    }
  }

  const bad = checkTensorDigests(pkg);
  const first = bad[0];
  if (first !== undefined) {
    const t = pkg.tensors.find((x) => x.id === first.id);
    const how = t?.seeded !== undefined ? 'regenerated from its seed' : 'read back';
    throw new ProtocolError(
      'regen-mismatch',
      `${bad.length} tensor${bad.length === 1 ? '' : 's'} differ from their digests; ${first.id} ${how} hashes to ${short(first.actual)}, the package records ${short(first.expected)}: the package was built by a different seed-stream implementation, or altered`,
    );
  }
  return { bytes: target, digest: u.kind === 'full' ? u.digest : fileDigest(target), pkg };
}
