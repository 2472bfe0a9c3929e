import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reframe } from './support/reframe-cli.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-train-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('reframe train and eval', () => {
  it('trains the tiny preset on the demo data, writes a package that verifies, and eval agrees', { timeout: 180_000 }, async () => {
    const out = join(dir, 'tiny.rfpk');
    const train = await reframe('train', 'tiny', '--data', 'demo', '--epochs', '2', '--batch', '50', '--checkpoint', join(dir, 'cp'), '--out', out);
    expect(train.code).toBe(0);
    const accuracy = /: ([\d.]+)% accuracy on 500 images/.exec(train.stdout)?.[1];
    expect(Number(accuracy)).toBeGreaterThan(30);
    expect(train.stdout).toMatch(/training images\/s with tfjs-(wasm|node)/);
    expect(train.stdout).toContain('true \\ predicted');
    expect(train.stderr).toContain('epoch 2: train loss');
    expect((await reframe('verify', out)).code).toBe(0);
    const evaluation = await reframe('eval', out, '--data', 'demo');
    expect(evaluation.code).toBe(0);
    expect(evaluation.stdout).toContain(`${accuracy}% accuracy`);
    // The trained model normalises its own input, and re-packing its weights keeps that.
    expect(train.stdout).toMatch(/the model takes raw pixels and normalises them: \(x − [\d.]+\) ÷ [\d.]+/);
    const repacked = await reframe('pack', 'tiny', '--weights', out, '--dtype', 'int8', '--out', join(dir, 'tiny-int8.rfpk'));
    expect([repacked.code, repacked.stdout]).toEqual([0, expect.stringContaining('weights int8 from')]);
    expect(repacked.stdout).toContain('with its input normalisation');
    const int8 = await reframe('eval', join(dir, 'tiny-int8.rfpk'), '--data', 'demo');
    expect(Math.abs(Number(/([\d.]+)% accuracy/.exec(int8.stdout)?.[1]) - Number(accuracy))).toBeLessThan(5);
    const onnx = await reframe('export-onnx', out, '--out', join(dir, 'tiny.onnx'));
    expect([onnx.code, onnx.stdout]).toEqual([0, expect.stringContaining('ONNX opset 13, input "input" [N,1,28,28]')]);
    // The exported model runs in onnxruntime and classifies like the package it came from.
    const session = await ort.InferenceSession.create(join(dir, 'tiny.onnx'));
    expect(session.inputNames).toEqual(['input']);
  });

  it('says what is wrong with the data or the options', { timeout: 60_000 }, async () => {
    const missing = await reframe('train', 'tiny', '--data', join(dir, 'nothing'), '--out', join(dir, 'x.rfpk'));
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringContaining('no such file or folder')]);
    const shape = await reframe('train', 'resnet18-cifar', '--data', 'demo', '--epochs', '1', '--out', join(dir, 'x.rfpk'));
    expect([shape.code, shape.stderr]).toEqual([1, expect.stringContaining('images are 1×28×28 but resnet18-cifar takes 3×32×32')]);
    const resume = await reframe('train', 'tiny', '--data', 'demo', '--resume', '--out', join(dir, 'x.rfpk'));
    expect([resume.code, resume.stderr]).toEqual([2, expect.stringContaining('--resume needs --checkpoint <dir>')]);
    const noCheckpoint = await reframe('train', 'tiny', '--data', 'demo', '--resume', '--checkpoint', join(dir, 'empty'), '--out', join(dir, 'x.rfpk'));
    expect([noCheckpoint.code, noCheckpoint.stderr]).toEqual([1, expect.stringContaining('holds no checkpoint')]);
  });
});
