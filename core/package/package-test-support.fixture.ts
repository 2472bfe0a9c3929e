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

/**
 * The preset's package after a retraining that moved one tensor: `fc.bias[i]` + bump·(i + 1). A second
 * valid package whose delta from packPreset's is small.
 */
export function retrainedPreset(id: string, dtype: WeightDtype, bump: number): Uint8Array {
  const graph = presetGraph(id);
  const values = initialValues(graph);
  const bias = values.get('fc.bias');
  if (bias === undefined) throw new Error(`preset ${id} has no fc.bias`);
  values.set('fc.bias', bias.map((v, i) => v + bump * (i + 1)));
  return encodePackage(graph, values, { dtype });
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
