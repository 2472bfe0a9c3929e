import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KEY_ID_BYTES } from '../package/package-constants.js';
import type { PackageSigner, SignatureVerifier } from '../package/package-signer.js';
import { bytesEqual, toHex } from '../package/tensor-digest.js';
import { writeFileAtomically } from './atomic-write.js';

export class KeyFileError extends Error {
  readonly code = 'bad-key';
  constructor(message: string) {
    super(message);
    this.name = 'KeyFileError';
  }
}

function rawPublicKey(key: KeyObject): Uint8Array {
  const x = key.export({ format: 'jwk' }).x;
  if (x === undefined) throw new KeyFileError('not an Ed25519 key');
  return new Uint8Array(Buffer.from(x, 'base64url'));
}

/** First 16 bytes of SHA-256 of the raw 32-byte Ed25519 public key (docs/package-format.md). */
export function keyIdOf(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(createHash('sha256').update(rawPublicKey(publicKey)).digest()).subarray(0, KEY_ID_BYTES);
}

function requireEd25519(key: KeyObject, path: string): KeyObject {
  if (key.asymmetricKeyType !== 'ed25519') throw new KeyFileError(`${path} holds a ${key.asymmetricKeyType ?? 'symmetric'} key; packages are signed with Ed25519 (make one with reframe keygen)`);
  return key;
}

async function readKeyText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new KeyFileError(`cannot read ${what} ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
}

export async function loadSigner(privateKeyPath: string): Promise<PackageSigner & { keyIdHex: string }> {
  let key: KeyObject;
  try {
    key = createPrivateKey(await readKeyText(privateKeyPath, 'private key'));
  } catch (error) {
    if (error instanceof KeyFileError) throw error;
    throw new KeyFileError(`${privateKeyPath} is not a PEM private key: ${(error as Error).message}`);
  }
  requireEd25519(key, privateKeyPath);
  const keyId = keyIdOf(createPublicKey(key));
  return { keyId, keyIdHex: toHex(keyId), sign: (message) => new Uint8Array(sign(null, message, key)) };
}

/** A verifier that trusts exactly the given public keys, matched by key id. */
export async function loadVerifier(publicKeyPaths: readonly string[]): Promise<SignatureVerifier> {
  const keys: { id: Uint8Array; key: KeyObject }[] = [];
  for (const path of publicKeyPaths) {
    let key: KeyObject;
    try {
      key = createPublicKey(await readKeyText(path, 'public key'));
    } catch (error) {
      if (error instanceof KeyFileError) throw error;
      throw new KeyFileError(`${path} is not a PEM public key: ${(error as Error).message}`);
    }
    keys.push({ id: keyIdOf(requireEd25519(key, path)), key });
  }
  return (keyId, message, signature) => {
    const match = keys.find((k) => bytesEqual(k.id, keyId));
    if (match === undefined) return 'unknown-key';
    return signature.length === 64 && verify(null, message, match.key, signature);
  };
}

/** Writes `<prefix>.key` (PKCS#8, readable by the owner only) and `<prefix>.pub` (SPKI). */
export async function generateKeyFiles(prefix: string): Promise<{ privatePath: string; publicPath: string; keyId: string }> {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const privatePath = `${prefix}.key`;
  const publicPath = `${prefix}.pub`;
  await writeFileAtomically(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  await writeFileAtomically(publicPath, publicKey.export({ type: 'spki', format: 'pem' }) as string, 0o644);
  return { privatePath, publicPath, keyId: toHex(keyIdOf(publicKey)) };
}
