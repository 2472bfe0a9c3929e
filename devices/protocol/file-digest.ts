import { createHash } from 'node:crypto';

/**
 * The digest the protocol names packages by: SHA-256 of a file's bytes (docs/protocol.md). node:crypto
 * rather than core's @noble/hashes because agents hash whole uploads, and OpenSSL is several times faster.
 */
export function fileDigest(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
