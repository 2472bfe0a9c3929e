import { SIGNATURE_CONTEXT } from './package-constants.js';

/** Signs a package's digest message; the Node side implements it with node:crypto's Ed25519. */
export interface PackageSigner {
  /** First 16 bytes of SHA-256 of the raw 32-byte public key. */
  readonly keyId: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/** Checks a signature for a key id; returns 'unknown-key' when it holds no key with that id. */
export type SignatureVerifier = (keyId: Uint8Array, message: Uint8Array, signature: Uint8Array) => boolean | 'unknown-key';

/** What is signed: a fixed context string, then the package digest (docs/package-format.md). */
export function signatureMessage(digest: Uint8Array): Uint8Array {
  const context = new TextEncoder().encode(SIGNATURE_CONTEXT);
  const message = new Uint8Array(context.length + digest.length);
  message.set(context);
  message.set(digest, context.length);
  return message;
}
