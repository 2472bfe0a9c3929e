import { writeFileAtomically } from '../../core/node/atomic-write.js';
import { readPackageFile } from '../../core/node/package-files.js';
import { loadSigner, loadVerifier } from '../../core/node/package-keys.js';
import { applyDelta, inspectDelta, makeDelta } from '../../core/package/delta-package.js';
import { toHex } from '../../core/package/tensor-digest.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { formatBytes } from '../../core/format/quantity.js';

/** `reframe delta`: the bytes that turn one package into another. */
export async function deltaCommand(base: string, target: string, o: { out: string; sign?: string }): Promise<string> {
  const signer = o.sign === undefined ? undefined : await loadSigner(o.sign);
  const targetBytes = await readPackageFile(target);
  const bytes = makeDelta(await readPackageFile(base), targetBytes, signer);
  const info = inspectDelta(bytes);
  await writeFileAtomically(o.out, bytes);
  return `wrote ${o.out}: ${bytes.length.toLocaleString('en-US')} bytes (${formatBytes(bytes.length)}, ${((100 * bytes.length) / targetBytes.length).toFixed(1)}% of the full package); ${info.carried} tensor(s) carried, ${info.reused} reused from the base\n`;
}

/** `reframe apply`: rebuilds the full package; it is written only if it matches the target digest. */
export async function applyCommand(base: string, delta: string, o: { out: string; key?: string[] }): Promise<string> {
  const options = o.key === undefined || o.key.length === 0 ? {} : { verifier: await loadVerifier(o.key) };
  const bytes = applyDelta(await readPackageFile(base), await readPackageFile(delta), options);
  await writeFileAtomically(o.out, bytes);
  return `wrote ${o.out}: ${bytes.length.toLocaleString('en-US')} bytes, sha256 of the whole file ${toHex(sha256(bytes))}\n`;
}
