import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CloudDatasetError } from '../../cloud/client/cloud-dataset.js';
import { CloudError, describeProblem } from '../../cloud/client/cloud-error.js';
import { PackageError } from '../../core/package/package-error.js';
import { checkSpecText } from '../../core/spec/load-spec.js';
import { SpecError } from '../../core/spec/spec-issue.js';
import { EngineError } from '../../core/node/engine/tf-engine.js';
import { TrainingWorkerError } from '../../core/node/train/run-training.js';
import { TrainingCancelled } from '../../core/node/train/trainer.js';
import { BoardTimeoutError } from '../../devices/link/board-timeout-error.js';
import { ProtocolError } from '../../devices/protocol/protocol-error.js';
import { DISCONNECTED_HINT } from '../../devices/transport/transport-hints.js';
import { TransportError } from '../../devices/transport/transport.js';
import { describeStudioError, ServiceError } from './service-error.js';

describe('describeStudioError', () => {
  it('keeps a spec error path-precise', () => {
    const checked = checkSpecText('{\n  "format": "reframe-spec",\n  "version": 1,\n  "name": 7\n}');
    expect(checked.ok).toBe(false);
    const data = describeStudioError(new SpecError(checked.ok ? [] : checked.issues));
    expect(data.code).toBe('invalid-spec');
    expect(data.issues?.length).toBeGreaterThan(0);
    expect(data.issues?.some((i) => i.path === 'name' && i.line === 4)).toBe(true);
  });

  it('names the failed package check and says what to do', () => {
    const data = describeStudioError(new PackageError('digest', 'the SHA-256 does not match'));
    expect(data).toEqual({ code: 'package-rejected', message: 'package rejected by the digest check: the SHA-256 does not match', hint: expect.stringContaining('pack it again') });
  });

  it('splits a link error into its sentence and its hint', () => {
    expect(describeStudioError(new TransportError('disconnected', 'serial /dev/pts/3 was disconnected', DISCONNECTED_HINT))).toEqual({ code: 'disconnected', message: 'serial /dev/pts/3 was disconnected', hint: DISCONNECTED_HINT });
    expect(describeStudioError(new BoardTimeoutError('no board answered', 'check the cable'))).toEqual({ code: 'timeout', message: 'no board answered', hint: 'check the cable' });
  });

  it("gives a board's refusal its code and the protocol's advice", () => {
    expect(describeStudioError(new ProtocolError('busy', 'another link is using the board'))).toEqual({ code: 'board-busy', message: 'the board says: another link is using the board', hint: expect.stringContaining('another studio') });
  });

  it('says which way a cloud service failed: token, reach, or its own answer', () => {
    const unauthorized = { type: 'urn:reframe:problem:unauthorized', status: 401, detail: 'the bearer token is unknown or revoked' };
    expect(describeStudioError(new CloudError(describeProblem(401, unauthorized, 'listing jobs'), 401, unauthorized))).toEqual({
      code: 'cloud-token-refused',
      message: 'the cloud service refused the token (the bearer token is unknown or revoked)',
      hint: expect.stringContaining('reframe cloud token create'),
    });
    const unreachable = new CloudError('events of job j1: could not reach the service at http://h:8080 (fetch failed); check the URL and that `reframe cloud serve` runs there', 0);
    expect(describeStudioError(unreachable)).toEqual({ code: 'cloud-unreachable', message: 'events of job j1: could not reach the service at http://h:8080 (fetch failed)', hint: expect.stringContaining('can reach it') });
    expect(describeStudioError(new CloudError('uploading dataset d: too large for the service (over 256 MiB)', 413))).toMatchObject({ code: 'cloud-error', message: 'uploading dataset d: too large for the service (over 256 MiB)' });
    expect(describeStudioError(new CloudDatasetError('not-a-folder', '/d/x: a cloud job needs the folder'))).toMatchObject({ code: 'bad-dataset', hint: expect.stringContaining('local folder') });
  });

  it('maps cancellation, bad requests, files and the unknown', () => {
    expect(describeStudioError(new TrainingCancelled(2)).code).toBe('cancelled');
    expect(describeStudioError(new EngineError('--engine node: @tensorflow/tfjs-node did not load here'))).toMatchObject({ code: 'engine-unavailable', hint: expect.stringContaining('wasm') });
    expect(describeStudioError(new TrainingWorkerError('RangeError', 'out of memory'))).toMatchObject({ code: 'training-failed', message: 'RangeError: out of memory' });
    expect(describeStudioError(new ServiceError('x', 'the x', 'do y'))).toEqual({ code: 'x', message: 'the x', hint: 'do y' });
    const zod = z.object({ path: z.string() }).safeParse({ path: 3 });
    expect(describeStudioError(zod.error)).toMatchObject({ code: 'bad-request', message: expect.stringMatching(/^path: /) });
    expect(describeStudioError(Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT' }))).toMatchObject({ code: 'file-error', hint: expect.stringContaining('does not exist') });
    expect(describeStudioError('weird')).toEqual({ code: 'internal', message: 'weird', hint: expect.any(String) });
  });
});
