// Keys for the package fuzzer: fixed Ed25519 keys (from fixed 32-byte seeds), so packages and
// signatures are the same every run.
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sha256 } from '@noble/hashes/sha2.js';
import { keyIdOf } from '../../../core/node/package-keys.js';
import type { PackageSigner, SignatureVerifier } from '../../../core/package/package-signer.js';
import { bytesEqual } from '../../../core/package/tensor-digest.js';

const PKCS8_ED25519_PREFIX = Uint8Array.from([0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]);

export interface FuzzKey {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly signer: PackageSigner;
}

export function fixedKey(label: string): FuzzKey {
  const seed = sha256(new TextEncoder().encode(label));
  const der = new Uint8Array(PKCS8_ED25519_PREFIX.length + seed.length);
  der.set(PKCS8_ED25519_PREFIX);
  der.set(seed, PKCS8_ED25519_PREFIX.length);
  const privateKey = createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
  const publicKey = createPublicKey(privateKey);
  const keyId = keyIdOf(publicKey);
  return { privateKey, publicKey, signer: { keyId, sign: (message) => new Uint8Array(sign(null, message, privateKey)) } };
}

/** Trusts exactly one key, matched by key id, like core/node/package-keys.ts loadVerifier. */
export function verifierFor(key: FuzzKey): SignatureVerifier {
  return (keyId, message, signature) => {
    if (!bytesEqual(keyId, key.signer.keyId)) return 'unknown-key';
    return signature.length === 64 && verify(null, message, key.publicKey, signature);
  };
}
