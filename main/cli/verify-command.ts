import { checkTensorDigests } from '../../core/package/read-tensor.js';
import { PackageError } from '../../core/package/package-error.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { openPackage } from './inspect-command.js';

/** `reframe verify`: every decode check, then every tensor rebuilt and compared with its digest. */
export async function verifyCommand(file: string, o: { key?: string[] }): Promise<string> {
  const pkg = await openPackage(file, o.key ?? []);
  const bad = checkTensorDigests(pkg);
  if (bad.length > 0) {
    const first = bad[0] as (typeof bad)[number];
    throw new PackageError('digest', `${bad.length} tensor(s) do not rebuild to their digest, first ${first.id}: expected ${first.expected.slice(0, 16)}…, got ${first.actual.slice(0, 16)}…`);
  }
  const seeded = pkg.tensors.filter((t) => t.seeded !== undefined).length;
  const signature = pkg.signature === undefined ? 'unsigned' : pkg.signature.verified ? `signature by key ${pkg.signature.keyId} verified` : `signed by key ${pkg.signature.keyId}, not verified (no --key)`;
  return `${file}: OK — size, header, sections, digest, signature, semantics; ${pkg.tensors.length} tensor digests (${seeded} regenerated from seeds); ${signature}; sha256 ${toHex(pkg.digest)}\n`;
}
