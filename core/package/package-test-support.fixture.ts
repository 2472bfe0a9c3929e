import { generateKeyPairSync, createHash, sign, verify } from 'node:crypto';
import type { WeightDtype } from '../budget/weight-dtype.js';
import type { ModelGraph } from '../graph/model-graph.js';
import { checkSpecValue } from '../spec/load-spec.js';
import { findPreset } from '../zoo/presets.js';
import { encodePackage } from './encode-package.js';
import { initialValues } from './initial-values.js';
import type { PackageSigner, SignatureVerifier } from './package-signer.js';

export function presetGraph(id: string): ModelGraph {
  const result = checkSpecValue(findPreset(id)!.build());
  if (!result.ok) throw new Error(`preset ${id} must build`);
  return result.graph;
}

export function packPreset(id: string, dtype: WeightDtype, signer?: PackageSigner): Uint8Array {
  const graph = presetGraph(id);
  return encodePackage(graph, initialValues(graph), { dtype, ...(signer === undefined ? {} : { signer }) });
}

/** A throwaway Ed25519 key pair with the signer and verifier the package code takes. */
export function testKeys(): { signer: PackageSigner; verifier: SignatureVerifier } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const raw = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url');
  const keyId = new Uint8Array(createHash('sha256').update(raw).digest()).subarray(0, 16);
  return {
    signer: { keyId, sign: (m) => new Uint8Array(sign(null, m, privateKey)) },
    verifier: (id, m, s) => (Buffer.compare(Buffer.from(id), Buffer.from(keyId)) === 0 ? verify(null, m, publicKey, s) : 'unknown-key'),
  };
}
