import { createHash } from 'node:crypto';
import { access, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reframe, SLOW } from './support/reframe-cli.js';
import { regenerate } from '../core/seed/seed-stream.js';
import { float32Bytes } from '../core/package/tensor-digest.js';

// The package commands of the real CLI in child processes (bin/reframe.mjs over the compiled dist), in
// the order a user goes: keygen, pack (signed, fp16, int8, trained weights), verify, inspect, regen,
// diff, delta, apply, and the failures each must report with its exit code (1 bad input, 2 usage).


const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** A safetensors file of float32 tensors: u64 header length, JSON header, data. */
function safetensors(tensors: Readonly<Record<string, { shape: number[]; values: Float32Array }>>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.values.byteLength] };
    offset += t.values.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of Object.values(tensors)) {
    out.set(float32Bytes(t.values), at);
    at += t.values.byteLength;
  }
  return out;
}

interface TensorJson {
  readonly name: string;
  readonly shape: number[];
  readonly mode: string;
  readonly dtype: string;
  readonly seed: string | null;
  readonly dist: string | null;
  readonly mult: number | null;
  readonly multBits: string | null;
  readonly bytes: number;
  readonly digest: string;
}

interface InspectJson {
  readonly bytes: number;
  readonly model: string;
  readonly weightDtype: string;
  readonly sha256: string;
  readonly signature: { keyId: string; verified: boolean } | null;
  readonly tensors: readonly TensorJson[];
}

let dir = '';
const at = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'reframe-package-'));
});

afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

// The tests below build on each other's files, in order.
describe('reframe keygen, pack --sign, verify, inspect, regen', SLOW, () => {
  let keyId = '';

  it('makes a key pair, the private half readable by its owner only', async () => {
    const [alice, mallory] = await Promise.all([reframe('keygen', '--out', at('alice')), reframe('keygen', '--out', at('mallory'))]);
    expect(alice.stderr).toBe('');
    expect(alice.code).toBe(0);
    expect(mallory.code).toBe(0);
    keyId = /key id ([0-9a-f]{32})$/m.exec(alice.stdout)?.[1] ?? '';
    expect(keyId).toMatch(/^[0-9a-f]{32}$/);
    expect(/key id ([0-9a-f]{32})$/m.exec(mallory.stdout)?.[1]).not.toBe(keyId);
    expect((await stat(at('alice.key'))).mode & 0o777).toBe(0o600);
    expect(await readFile(at('alice.pub'), 'utf8')).toContain('BEGIN PUBLIC KEY');
  });

  it('packs the tiny preset signed, and verify with its key checks everything', async () => {
    const pack = await reframe('pack', 'tiny', '--sign', at('alice.key'), '--out', at('signed.rfpk'));
    expect(pack.stderr).toBe('');
    expect(pack.code).toBe(0);
    expect(pack.stdout).toContain(`signed by key ${keyId}`);

    const verify = await reframe('verify', at('signed.rfpk'), '--key', at('alice.pub'));
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);
    expect(verify.stdout).toContain('OK — size, header, sections, digest, signature, semantics');
    expect(verify.stdout).toContain(`signature by key ${keyId} verified`);
    expect(verify.stdout).toContain('26 tensor digests (2 regenerated from seeds)');
  });

  it('refuses the signed package with exit 1 when only another key is trusted, naming the signature check', async () => {
    const { code, stdout, stderr } = await reframe('verify', at('signed.rfpk'), '--key', at('mallory.pub'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('package rejected by the signature check');
    expect(stderr).toContain(`signed with key id ${keyId}, which is not a trusted key`);
    expect(stderr).not.toMatch(/\bat .*\.js:\d+/); // a message, not a stack trace
  });

  it('inspect --json lists every tensor with its seed, stream multiplier and digest', async () => {
    const { code, stdout, stderr } = await reframe('inspect', at('signed.rfpk'), '--json');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const j = JSON.parse(stdout) as InspectJson;
    expect(j).toMatchObject({ model: 'tiny', weightDtype: 'fp32', signature: { keyId, verified: false } });
    expect(j.bytes).toBe((await readFile(at('signed.rfpk'))).length);
    expect(j.tensors).toHaveLength(26);
    for (const t of j.tensors) {
      expect(t.name, JSON.stringify(t)).toMatch(/^[\w.]+\.(weight|bias|running_mean|running_var)$/);
      expect(t.shape.length, t.name).toBeGreaterThan(0);
      expect(['learnable', 'seeded', 'frozen', 'state'], t.name).toContain(t.mode);
      expect(t.digest, t.name).toMatch(/^[0-9a-f]{64}$/);
      if (t.mode === 'seeded') {
        expect(t.dtype, t.name).toBe('none');
        expect(t.seed, t.name).toMatch(/^0x[0-9a-f]{16}$/);
        expect(['uniform', 'normal', 'sign'], t.name).toContain(t.dist);
        expect(typeof t.mult, t.name).toBe('number');
        expect(t.multBits, t.name).toMatch(/^[0-9a-f]{8}$/);
        // multBits is the float32 bit pattern of mult, which is itself a float32.
        const v = new DataView(new ArrayBuffer(4));
        v.setFloat32(0, t.mult!);
        expect(v.getUint32(0).toString(16).padStart(8, '0'), t.name).toBe(t.multBits);
        expect(Math.fround(t.mult!), t.name).toBe(t.mult);
        expect(t.bytes, t.name).toBe(0);
      } else {
        expect(t.dtype, t.name).toBe('fp32');
        expect([t.seed, t.dist, t.mult, t.multBits], t.name).toEqual([null, null, null, null]);
        expect(t.bytes, t.name).toBe(4 * t.shape.reduce((a, b) => a * b, 1));
      }
    }
    const seeded = j.tensors.filter((t) => t.mode === 'seeded');
    expect(seeded.map((t) => [t.name, t.seed, t.dist])).toEqual([
      ['layer1.0.nl1.conv.weight', '0x0000000000005eed', 'normal'],
      ['layer1.0.nl2.conv.weight', '0x0000000000005eee', 'normal'],
    ]);
  });

  it('regen writes a seeded tensor as 4 bytes per element: exactly the seed stream, hashing to its digest', async () => {
    const inspect = JSON.parse((await reframe('inspect', at('signed.rfpk'), '--json')).stdout) as InspectJson;
    const t = inspect.tensors.find((x) => x.name === 'layer1.0.nl1.conv.weight')!;
    const { code, stdout, stderr } = await reframe('regen', at('signed.rfpk'), '--tensor', t.name, '--out', at('nl1.f32'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`regenerated from seed ${t.seed}`);
    const elements = t.shape.reduce((a, b) => a * b, 1);
    const written = new Uint8Array(await readFile(at('nl1.f32')));
    expect(written.length).toBe(4 * elements);
    const expected = float32Bytes(regenerate({ seed: t.seed!, dist: t.dist as 'normal', mult: t.mult! }, elements));
    expect(sha256Hex(written)).toBe(sha256Hex(expected));
    expect(written).toEqual(expected);
    expect(sha256Hex(written)).toBe(t.digest);
  });

  it('regen of a tensor the package does not have exits 2', async () => {
    const { code, stdout, stderr } = await reframe('regen', at('signed.rfpk'), '--tensor', 'no.such.weight', '--out', at('none.f32'));
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('the package has no tensor "no.such.weight"');
    expect(await exists(at('none.f32'))).toBe(false);
  });
});

describe('reframe pack --dtype, diff, delta, apply', SLOW, () => {
  it('packs fp32, fp16 and int8; diff shows the tensors whose storage changed', async () => {
    const packs = await Promise.all(['fp32', 'fp16', 'int8'].map((dtype) => reframe('pack', 'tiny', '--dtype', dtype, '--out', at(`${dtype}.rfpk`))));
    for (const p of packs) {
      expect(p.stderr).toBe('');
      expect(p.code).toBe(0);
    }
    const [fp32, fp16, int8] = await Promise.all(['fp32', 'fp16', 'int8'].map(async (d) => (await readFile(at(`${d}.rfpk`))).length));
    expect(fp16).toBeLessThan(fp32!);
    expect(int8).toBeLessThan(fp32!);

    const diff = await reframe('diff', at('fp32.rfpk'), at('int8.rfpk'));
    expect(diff.stderr).toBe('');
    expect(diff.code).toBe(0);
    // int8 quantises conv and dense weights only; biases, BatchNorm and running statistics stay fp32.
    expect(diff.stdout).toContain('21 tensors unchanged, 5 differ');
    for (const id of ['conv1.weight', 'layer1.0.nl1.pw.weight', 'layer1.0.nl2.pw.weight', 'layer1.0.shortcut.conv.weight', 'fc.weight']) {
      expect(diff.stdout).toContain(`~ tensor ${id}: dtype fp32 → int8`);
    }
    expect(diff.stdout).not.toContain('bn1.weight');
    expect(diff.stdout).not.toContain('node');

    const half = await reframe('diff', at('fp32.rfpk'), at('fp16.rfpk'));
    expect(half.code).toBe(0);
    expect(half.stdout).toContain('~ tensor fc.bias: dtype fp32 → fp16');
    // Running statistics are fp32 in every package, and seeded tensors store no values.
    expect(half.stdout).not.toContain('running_mean');
    expect(half.stdout).not.toContain('nl1.conv.weight');
  });

  it('packs trained weights, and diff names the tensor whose values changed', async () => {
    const fc = new Float32Array(80).map((_, i) => (i - 40) / 128);
    await writeFile(at('trained.safetensors'), safetensors({ 'fc.weight': { shape: [10, 8], values: fc } }));
    const pack = await reframe('pack', 'tiny', '--weights', at('trained.safetensors'), '--out', at('trained.rfpk'));
    expect(pack.stderr).toBe('');
    expect(pack.code).toBe(0);
    expect(pack.stdout).toContain(`from ${at('trained.safetensors')}`);
    const diff = await reframe('diff', at('fp32.rfpk'), at('trained.rfpk'));
    expect(diff.code).toBe(0);
    expect(diff.stdout).toContain('25 tensors unchanged, 1 differ');
    expect(diff.stdout).toContain('~ tensor fc.weight: values changed');
  });

  it('delta + apply rebuild the new package byte for byte', async () => {
    const delta = await reframe('delta', at('fp32.rfpk'), at('trained.rfpk'), '--out', at('trained.delta.rfpk'));
    expect(delta.stderr).toBe('');
    expect(delta.code).toBe(0);
    expect(delta.stdout).toContain('1 tensor(s) carried, 23 reused from the base');
    const target = new Uint8Array(await readFile(at('trained.rfpk')));
    expect((await readFile(at('trained.delta.rfpk'))).length).toBeLessThan(target.length);

    const apply = await reframe('apply', at('fp32.rfpk'), at('trained.delta.rfpk'), '--out', at('rebuilt.rfpk'));
    expect(apply.stderr).toBe('');
    expect(apply.code).toBe(0);
    const rebuilt = new Uint8Array(await readFile(at('rebuilt.rfpk')));
    expect(sha256Hex(rebuilt)).toBe(sha256Hex(target));
    expect(rebuilt).toEqual(target);
    expect(apply.stdout).toContain(`sha256 of the whole file ${sha256Hex(target)}`);
  });

  it('apply onto the wrong base exits 1 naming the delta check, and writes nothing', async () => {
    const { code, stdout, stderr } = await reframe('apply', at('int8.rfpk'), at('trained.delta.rfpk'), '--out', at('wrong.rfpk'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('package rejected by the delta check: made for base');
    expect(await exists(at('wrong.rfpk'))).toBe(false);
  });
});

describe('reframe verify and pack on bad input', SLOW, () => {
  it('verify of a truncated package exits 1 naming the size check', async () => {
    const whole = await readFile(at('fp32.rfpk'));
    await writeFile(at('truncated.rfpk'), whole.subarray(0, whole.length - 100));
    const { code, stdout, stderr } = await reframe('verify', at('truncated.rfpk'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain(`package rejected by the size check: the header says ${whole.length} bytes but there are ${whole.length - 100} (truncated)`);
  });

  it('verify of a missing file exits 1 with "no such file"', async () => {
    const { code, stdout, stderr } = await reframe('verify', at('missing.rfpk'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no such file');
  });

  it('pack with a bad --weights path exits 1 and leaves no output file, not even a temporary one', async () => {
    const before = await readdir(dir);
    const { code, stdout, stderr } = await reframe('pack', 'tiny', '--weights', at('no-such.safetensors'), '--out', at('never.rfpk'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toContain('no such file');
    expect(await exists(at('never.rfpk'))).toBe(false);
    expect(await readdir(dir)).toEqual(before);
  });

  it('a pack that fails leaves an existing output file untouched', async () => {
    const original = new Uint8Array(await readFile(at('fp32.rfpk')));
    await writeFile(at('keep.rfpk'), original);
    // Fails before packing (weights missing), and while packing (values that do not fit the shape).
    await writeFile(at('wrong-shape.safetensors'), safetensors({ 'fc.weight': { shape: [2, 2], values: new Float32Array(4) } }));
    const missing = await reframe('pack', 'tiny', '--dtype', 'int8', '--weights', at('no-such.safetensors'), '--out', at('keep.rfpk'));
    const wrongShape = await reframe('pack', 'tiny', '--weights', at('wrong-shape.safetensors'), '--out', at('keep.rfpk'));
    expect(missing.code).toBe(1);
    expect(wrongShape.code).toBe(1);
    expect(wrongShape.stderr).toContain('package rejected by the pack check: tensor fc.weight has 4 values');
    expect(new Uint8Array(await readFile(at('keep.rfpk')))).toEqual(original);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});
