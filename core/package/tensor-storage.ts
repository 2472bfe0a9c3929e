import { float32Bytes } from './tensor-digest.js';
import { HALF_MAX } from './fp16.js';
import { dequantizeInt8, fromHalfArray, quantizeInt8, toHalfArray } from './quantize.js';
import { PackageError } from './package-error.js';
import type { StoredDtype } from './package-plan.js';

/**
 * Encodes a tensor's float32 values for its stored dtype and returns the bytes together with the values
 * a reader will get back (dequantised), which is what the tensor's digest covers.
 */
export function storeTensor(id: string, values: Float32Array, dtype: StoredDtype, channels: number): { bytes: Uint8Array; readBack: Float32Array } {
  switch (dtype) {
    case 'none':
      return { bytes: new Uint8Array(0), readBack: values };
    case 'fp32':
      return { bytes: float32Bytes(values), readBack: values };
    case 'fp16': {
      let max = 0;
      for (const v of values) max = Math.max(max, Math.abs(v));
      if (max > HALF_MAX) throw new PackageError('pack', `tensor ${id} has values up to ${max}, beyond fp16's ±${HALF_MAX}; pack it as fp32`);
      const half = toHalfArray(values);
      return { bytes: new Uint8Array(half.buffer), readBack: fromHalfArray(half) };
    }
    case 'int8': {
      const { scales, codes } = quantizeInt8(values, channels);
      const bytes = new Uint8Array(scales.length * 4 + codes.length);
      bytes.set(float32Bytes(scales), 0);
      bytes.set(new Uint8Array(codes.buffer), scales.length * 4);
      return { bytes, readBack: dequantizeInt8(scales, codes) };
    }
  }
}

/** Reads stored bytes back into float32 values (the inverse of `storeTensor`). */
export function loadTensor(bytes: Uint8Array, dtype: StoredDtype, elements: number, channels: number): Float32Array {
  const copy = bytes.slice();
  switch (dtype) {
    case 'none':
      throw new Error('a seeded tensor has no stored bytes; regenerate it');
    case 'fp32':
      return new Float32Array(copy.buffer, 0, elements);
    case 'fp16':
      return fromHalfArray(new Uint16Array(copy.buffer, 0, elements));
    case 'int8':
      return dequantizeInt8(new Float32Array(copy.buffer, 0, channels), new Int8Array(copy.buffer, channels * 4, elements));
  }
}
