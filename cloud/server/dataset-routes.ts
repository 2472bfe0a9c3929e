import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { isDatasetName } from '../jobs/dataset-name.js';
import { datasetKey, type ArtifactStore } from '../store/artifact-store.js';
import { authProblems, BEARER } from './api-schemas.js';
import { HttpProblem, problemResponse } from './problem.js';

export interface DatasetRoutesOptions {
  readonly artifacts: ArtifactStore;
  /** Largest archive accepted, in bytes. */
  readonly maxUploadBytes: number;
}

/** A POSIX tar archive starts with a 512-byte header whose magic at 257 is "ustar". */
function looksLikeTar(b: Buffer): boolean {
  return b.length >= 512 && b.toString('latin1', 257, 262) === 'ustar';
}

export function datasetRoutes(app: FastifyInstance, o: DatasetRoutesOptions): void {
  app.addContentTypeParser('application/x-tar', { parseAs: 'buffer', bodyLimit: o.maxUploadBytes }, (_request, body, done) => done(null, body));

  app.put<{ Params: { name: string }; Body: Buffer }>(
    '/datasets/:name',
    {
      bodyLimit: o.maxUploadBytes,
      schema: {
        summary: 'Upload a dataset as a tar archive',
        description:
          'The archive holds what `reframe train --data` opens from a folder (IDX files, CIFAR-10 batches, or class folders of images). Jobs of the same token refer to it as {"uploaded": name}; an upload under the same name replaces it.',
        tags: ['datasets'],
        security: BEARER,
        params: { type: 'object', properties: { name: { type: 'string', description: 'Letters, digits, ".", "_" and "-", up to 64' } }, required: ['name'] },
        body: { description: 'application/x-tar', type: 'string', format: 'binary' },
        consumes: ['application/x-tar'],
        response: {
          201: { type: 'object', properties: { name: { type: 'string' }, bytes: { type: 'integer' }, sha256: { type: 'string' } } },
          400: problemResponse('Bad name or not a tar archive'),
          413: problemResponse('Over the upload limit (`--max-upload`)'),
          415: problemResponse('Not sent as application/x-tar'),
          ...authProblems,
        },
      },
      // The body is bytes, not JSON: validating it against the documentation schema would fail.
      validatorCompiler: () => () => true,
    },
    async (request, reply) => {
      const { name } = request.params;
      if (!isDatasetName(name)) throw new HttpProblem(400, 'invalid-request', `dataset name ${JSON.stringify(name)} is not valid: use letters, digits, ".", "_" and "-" (up to 64, starting with a letter or digit)`);
      const body = request.body;
      if (!Buffer.isBuffer(body) || !looksLikeTar(body)) throw new HttpProblem(400, 'invalid-request', 'the body is not a tar archive (make one with `tar -cf data.tar -C <folder> .`)');
      await o.artifacts.put(datasetKey(request.owner, name), body);
      return reply.code(201).send({ name, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') });
    },
  );
}
